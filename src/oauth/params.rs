//! The parameters of an OAuth redirect (`code`, `state`, `iss`, `error`,
//! `error_description`), decoded once for the loopback listener and the
//! paste-back parser.

/// The parameters of a callback that matter. Each may appear once.
#[derive(Default)]
pub struct Params {
    /// `code`.
    pub code: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `iss` (RFC 9207).
    pub iss: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

impl Params {
    /// Decodes a query string. A known parameter given twice is an error
    /// naming it (RFC 6749 §3.1: parameters must not be included more than once).
    pub fn parse(query: &str) -> Result<Self, String> {
        let mut p = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "code" => &mut p.code,
                "state" => &mut p.state,
                "iss" => &mut p.iss,
                "error" => &mut p.error,
                "error_description" => &mut p.error_description,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(name.into_owned());
            }
        }
        Ok(p)
    }
}
