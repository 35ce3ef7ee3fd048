//! N-API glue: option structs, error mapping and AsyncTask wrappers around
//! the pure-Rust `codec` and `format` modules.

pub mod backup_reader;
pub mod backup_stream;
pub mod backup_writer;
pub mod errors;
pub mod export;
pub mod posting_store;
pub mod proto;
pub mod restore_writer;
pub mod test_hooks;
