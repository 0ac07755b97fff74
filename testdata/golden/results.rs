//! Methods returning Result, with every kind of error type, and what Go
//! generates for an error struct.

use std::future::Future;

use r2go::GoError;

#[derive(r2go::R2G, Clone, Debug)]
pub struct NotFound {
    pub key: String,
    pub tries: u32,
}

impl From<r2go::GoError> for NotFound {
    fn from(e: r2go::GoError) -> Self {
        NotFound {
            key: e.to_string(),
            tries: 0,
        }
    }
}

/// A data enum as an error type: every variant is a Go error.
#[derive(r2go::R2G, Clone, Debug)]
pub enum StoreFault {
    Full { used: u64 },
    ReadOnly,
}

impl From<r2go::GoError> for StoreFault {
    fn from(_: r2go::GoError) -> Self {
        StoreFault::ReadOnly
    }
}

/// A unit enum as an error type.
#[derive(r2go::R2G, Clone, Copy, Debug)]
pub enum Busy {
    Retry,
    GiveUp,
}

impl From<r2go::GoError> for Busy {
    fn from(_: r2go::GoError) -> Self {
        Busy::GiveUp
    }
}

#[r2go::r2g]
pub trait Store {
    /// Go: Get(key string) (string, error).
    fn get(key: String) -> Result<String, String>;
    /// Go: Put(key string, value []uint8) error.
    fn put(key: &String, value: Vec<u8>) -> std::result::Result<(), r2go::GoError>;
    /// A scalar result that can fail goes through the slot, not the C return.
    fn count() -> Result<u64, NotFound>;
    async fn fetch(key: String) -> Result<Vec<u8>, NotFound>;
    fn watch(key: String) -> impl Future<Output = core::result::Result<(), GoError>>;
    fn compact() -> Result<u64, StoreFault>;
    async fn lock(key: String) -> Result<(), Busy>;
}
