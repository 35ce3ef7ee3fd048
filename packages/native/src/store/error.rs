//! Errors of the posting store, the restore writer and the export.
//!
//! Codec errors (reading a backup file) keep their code; store problems get
//! their own codes. The napi glue turns every error into a JS `Error` whose
//! message is `CODE: human text`.

use crate::codec::error::CodecError;
use std::fmt;

/// Store-specific error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreCode {
    /// The target folder of a restore exists and is not empty.
    NotEmpty,
    /// No store at that folder.
    NotFound,
    /// Written by a newer store format, or belongs to another group.
    Incompatible,
    /// A restore into the folder was started but never finished.
    Incomplete,
    /// LMDB or file-system failure.
    Io,
    /// The folder is already open in this process.
    Busy,
    /// A file merged as sorted lists its keys out of the store's key order.
    OutOfOrder,
    /// A key longer than LMDB's limit.
    KeyTooLong,
    /// Encryption at rest: a missing, wrong or unexpected key, or a sealed
    /// page that fails its authentication check.
    Sealed,
}

impl StoreCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreCode::NotEmpty => "STORE_NOT_EMPTY",
            StoreCode::NotFound => "STORE_NOT_FOUND",
            StoreCode::Incompatible => "STORE_INCOMPATIBLE",
            StoreCode::Incomplete => "STORE_INCOMPLETE",
            StoreCode::Io => "IO",
            StoreCode::Busy => "STORE_BUSY",
            StoreCode::OutOfOrder => "STORE_KEYS_OUT_OF_ORDER",
            StoreCode::KeyTooLong => "STORE_KEY_TOO_LONG",
            StoreCode::Sealed => "STORE_KEY_MISMATCH",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    Codec(CodecError),
    Store { code: StoreCode, message: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    pub fn new(code: StoreCode, message: impl Into<String>) -> Self {
        StoreError::Store {
            code,
            message: message.into(),
        }
    }
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(StoreCode::Io, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        StoreError::Codec(CodecError::invalid(message))
    }
    pub fn corrupt(message: impl Into<String>) -> Self {
        StoreError::Codec(CodecError::corrupt(message))
    }
    /// The code as shown to JS (`STORE_NOT_EMPTY`, `CORRUPT`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Codec(e) => e.code.as_str(),
            StoreError::Store { code, .. } => code.as_str(),
        }
    }
    pub fn message(&self) -> &str {
        match self {
            StoreError::Codec(e) => &e.message,
            StoreError::Store { message, .. } => message,
        }
    }
    pub fn store_code(&self) -> Option<StoreCode> {
        match self {
            StoreError::Store { code, .. } => Some(*code),
            StoreError::Codec(_) => None,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for StoreError {}

impl From<CodecError> for StoreError {
    fn from(e: CodecError) -> Self {
        StoreError::Codec(e)
    }
}

impl From<heed::Error> for StoreError {
    fn from(e: heed::Error) -> Self {
        match e {
            heed::Error::Mdb(heed::MdbError::BadValSize) => StoreError::new(
                StoreCode::KeyTooLong,
                "LMDB: key longer than the store allows",
            ),
            e => StoreError::io(format!("LMDB: {e}")),
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::io(e.to_string())
    }
}
