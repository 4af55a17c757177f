//! Caps on what keyward reads from files: a store, an index, a config or a
//! cache larger than any keyward writes is refused before it is read, so a
//! stray or hostile file costs neither memory nor time.

use std::io::{self, Read};
use std::path::Path;

/// The largest credentials.json, logins.json, config.toml, `.keyward.toml`
/// pin or discovery cache keyward reads: 1 MiB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Why a capped read failed.
#[derive(Debug)]
pub enum ReadError {
    /// The file is not there.
    Missing,
    /// The file is larger than the cap.
    TooLarge,
    /// Any other I/O failure.
    Io(io::Error),
}

impl ReadError {
    /// "it is larger than 1 MiB", or the OS error.
    pub fn describe(&self) -> String {
        match self {
            ReadError::Missing => "it does not exist".into(),
            ReadError::TooLarge => format!("it is larger than {}", size(MAX_FILE_BYTES)),
            ReadError::Io(e) => e.to_string(),
        }
    }
}

/// "1 MiB", "64 KiB", "100 bytes".
fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Read `path` whole, refusing one larger than [`MAX_FILE_BYTES`] (by its
/// size first, and by what is read: a file that grows, or a pipe, is cut
/// off after the cap and refused).
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_at_most(path, MAX_FILE_BYTES)
}

/// [`read`] as UTF-8 text; invalid UTF-8 is an [`io::ErrorKind::InvalidData`] error.
pub fn read_to_string(path: &Path) -> Result<String, ReadError> {
    String::from_utf8(read(path)?).map_err(|_| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// [`read`] of a file already open (one opened without following a
/// symlink, say).
pub fn read_file(file: &std::fs::File) -> Result<Vec<u8>, ReadError> {
    read_open(file, MAX_FILE_BYTES)
}

fn read_at_most(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Io(e),
    })?;
    read_open(&file, cap)
}

fn read_open(file: &std::fs::File, cap: u64) -> Result<Vec<u8>, ReadError> {
    let len = file.metadata().map_err(ReadError::Io)?.len();
    if len > cap {
        return Err(ReadError::TooLarge);
    }
    // Sized from the metadata, so a small file is read in one call (the
    // cap still holds if the file grows meanwhile).
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_cap_and_refuses_more() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        assert!(matches!(read(&p), Err(ReadError::Missing)));
        std::fs::write(&p, vec![b'a'; MAX_FILE_BYTES as usize]).unwrap();
        assert_eq!(read(&p).unwrap().len() as u64, MAX_FILE_BYTES);
        std::fs::write(&p, vec![b'a'; MAX_FILE_BYTES as usize + 1]).unwrap();
        let e = read(&p).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge));
        assert_eq!(e.describe(), "it is larger than 1 MiB");
        std::fs::write(&p, b"abc").unwrap();
        assert!(matches!(read_at_most(&p, 2), Err(ReadError::TooLarge)));
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert!(matches!(read_to_string(&p), Err(ReadError::Io(_))));
        assert_eq!(size(64 * 1024), "64 KiB");
        assert_eq!(size(100), "100 bytes");
    }
}
