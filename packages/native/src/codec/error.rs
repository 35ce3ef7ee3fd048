//! Error type shared by the codec and format modules.
//!
//! Every error carries a stable machine-readable [`ErrorCode`]; the napi glue
//! turns it into a JS `Error` whose message is `CODE: human text`.

use std::fmt;

/// Stable error codes (the JS side maps them to typed errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadKeyLength,
    Empty,
    EncryptedNoKey,
    WrongKey,
    Truncated,
    Corrupt,
    UnsupportedCompression,
    InvalidArgument,
    /// A length or size read from the input is over a fixed limit (see the
    /// decoders' `MAX_*` constants): refused before anything is allocated.
    TooLarge,
    /// A bug: a panic caught at a thread or N-API boundary.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadKeyLength => "BAD_KEY_LENGTH",
            ErrorCode::Empty => "EMPTY",
            ErrorCode::EncryptedNoKey => "ENCRYPTED_NO_KEY",
            ErrorCode::WrongKey => "WRONG_KEY",
            ErrorCode::Truncated => "TRUNCATED",
            ErrorCode::Corrupt => "CORRUPT",
            ErrorCode::UnsupportedCompression => "UNSUPPORTED_COMPRESSION",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::TooLarge => "TOO_LARGE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// A codec error: a code plus a human readable message (without the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    pub code: ErrorCode,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, CodecError>;

impl CodecError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CodecError {
            code,
            message: message.into(),
        }
    }
    pub fn corrupt(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Corrupt, message)
    }
    pub fn truncated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Truncated, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::TooLarge, message)
    }
    /// The error for a caught panic (`payload` from `catch_unwind`).
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        Self::new(ErrorCode::Internal, format!("panic in native code: {what}"))
    }
    /// Appends the name of the input (e.g. a file name) to the message.
    pub fn with_source(mut self, source: Option<&str>) -> Self {
        if let Some(s) = source {
            if !s.is_empty() {
                self.message = format!("{} ({})", self.message, s);
            }
        }
        self
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for CodecError {}

/// Results in stream order while a decoder winds down after an error: the
/// outputs before the first failed one still go to `sink`; what comes after
/// is dropped. [`FirstError::or`] gives that first error, else the one found
/// while parsing, so the error reported never depends on the input chunking.
pub(crate) struct FirstError<'s, S: FnMut(Result<Vec<u8>>)> {
    first: Option<CodecError>,
    sink: &'s mut S,
}

impl<'s, S: FnMut(Result<Vec<u8>>)> FirstError<'s, S> {
    pub(crate) fn new(sink: &'s mut S) -> Self {
        Self { first: None, sink }
    }

    pub(crate) fn pass(&mut self, r: Result<Vec<u8>>) {
        match r {
            Ok(v) if self.first.is_none() => (self.sink)(Ok(v)),
            Ok(_) => {}
            Err(x) => {
                self.first.get_or_insert(x);
            }
        }
    }

    pub(crate) fn or(self, parse_error: CodecError) -> CodecError {
        self.first.unwrap_or(parse_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_code_prefix_and_source() {
        let e =
            CodecError::truncated("input ended inside a frame").with_source(Some("r1-g1.backup"));
        assert_eq!(
            e.to_string(),
            "TRUNCATED: input ended inside a frame (r1-g1.backup)"
        );
        let e = CodecError::corrupt("x").with_source(None);
        assert_eq!(e.to_string(), "CORRUPT: x");
    }
}
