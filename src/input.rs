//! [`InputError`]: a value the user gave (a flag, an environment variable, a
//! config value) is not valid. The lowest layers return it; the crate's
//! [`Error`](crate::Error) turns it into a usage error (exit 2).

/// An invalid value, with what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// What is wrong.
    pub message: String,
    /// What to do instead (may contain `{bin}` and `{ENV}`).
    pub hint: Option<String>,
}

impl InputError {
    /// An invalid value.
    pub fn new(message: impl Into<String>, hint: impl Into<Option<String>>) -> Self {
        InputError {
            message: message.into(),
            hint: hint.into(),
        }
    }
}
