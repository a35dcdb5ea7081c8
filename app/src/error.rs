//! The one error type a person or the client ever sees.
//!
//! It crosses the wire (server functions serialize it as JSON), so it carries no internals:
//! database errors are logged on the server with their whole chain and reach the client only
//! as an opaque [`AppError::Internal`].
use std::collections::BTreeMap;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why an operation did not succeed, in terms a view can translate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input that did not pass the domain parsers: field name → message keys.
    #[error("invalid input in {0:?}")]
    Validation(BTreeMap<String, Vec<String>>),
    #[error("not found")]
    NotFound,
    #[error("sign in required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// A uniqueness rule was broken: the key says which (`org_number_taken`, `contact_taken`).
    #[error("conflict")]
    Conflict(String),
    /// Too many failed attempts (sign-in): try again after this many seconds.
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// Something failed on our side; the details are in the server log, never here.
    #[error("internal error")]
    Internal,
    /// The request did not reach the server or its answer could not be read (e.g. offline).
    #[error("could not reach the server")]
    Network,
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal => 500,
            AppError::Network => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let err = Self::classify(value);
        // Runs on the server too when the arguments cannot be decoded, before our function body
        // (and its `api::with_status`) is reached: give those errors their own status as well.
        #[cfg(feature = "ssr")]
        crate::api::set_status(&err);
        err
    }
}

impl AppError {
    fn classify(value: ServerFnErrorErr) -> Self {
        match value {
            // The request never got an answer we could read: most often no network.
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Network,
            // Malformed arguments or an unreadable body are the caller's mistake, not ours.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => {
                let mut fields = BTreeMap::new();
                fields.insert("request".to_owned(), vec!["malformed".to_owned()]);
                AppError::Validation(fields)
            }
            ServerFnErrorErr::UnsupportedRequestMethod(_) => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "server function failed");
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => {
                tracing::error!(error = ?other, "database error");
                AppError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_error_serializes_without_details() {
        let bytes = AppError::Internal.ser();
        assert_eq!(std::str::from_utf8(&bytes).unwrap(), "\"Internal\"");
    }

    #[test]
    fn status_codes_match_the_kind_of_error() {
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::Validation(BTreeMap::new()).status(), 422);
        assert_eq!(AppError::Internal.status(), 500);
    }

    #[test]
    fn validation_errors_round_trip_through_the_wire_format() {
        let mut fields = BTreeMap::new();
        fields.insert("org_number".to_owned(), vec!["check_digit".to_owned()]);
        let err = AppError::Validation(fields);

        let back = AppError::de(err.ser());

        assert_eq!(back, err);
    }
}
