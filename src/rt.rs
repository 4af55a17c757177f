//! The async runtime: a current-thread tokio runtime, built only by code
//! that goes to the network (never by `auth token` with a valid token).

use crate::error::{Error, Result};
use std::future::Future;

/// Run `fut` to completion on a fresh current-thread runtime, then shut the
/// runtime down without waiting for stray blocking work.
///
/// Called inside a tokio runtime (an embedding program's), where a nested
/// `block_on` would panic, the work runs on a thread of its own instead.
pub fn block_on<T, F>(fut: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send,
    T: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        return std::thread::scope(|s| {
            s.spawn(|| run(fut))
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        });
    }
    run(fut)
}

fn run<T, F: Future<Output = Result<T>>>(fut: F) -> Result<T> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::other(
                "cannot start the network runtime",
                Some(e.to_string()),
                None,
            )
        })?;
    let out = rt.block_on(fut);
    rt.shutdown_background();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_outside_a_runtime() {
        assert_eq!(block_on(async { Ok(1) }).unwrap(), 1);
    }

    #[tokio::test]
    async fn runs_inside_a_runtime_without_panicking() {
        assert_eq!(block_on(async { Ok(2) }).unwrap(), 2);
    }
}
