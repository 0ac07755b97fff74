// Traits Go calls in Rust (`#[g2r]`): sync, oneway and async methods, every
// kind of error type, borrowed parameters, and a Rust→Go trait beside them.
use std::collections::HashMap;

#[derive(r2go::R2G, Clone, Debug)]
pub struct CacheError {
    pub code: u16,
    pub reason: String,
}

impl From<r2go::GoError> for CacheError {
    fn from(e: r2go::GoError) -> Self {
        CacheError { code: 0, reason: e.to_string() }
    }
}

#[derive(r2go::R2G, Clone, Copy, Debug)]
pub enum Level {
    Low,
    High,
}

#[derive(r2go::R2G, Clone, Debug)]
pub enum Denied {
    Expired { at: u64 },
    Unknown(String),
}

/// The Rust host's cache, which Go handlers use.
#[r2go::g2r]
pub trait Cache {
    /// The cached value of `key`, if any.
    fn get(key: String) -> Option<Vec<u8>>;
    fn put(key: &str, value: &[u8], ttl: Option<u32>);
    async fn fetch(key: String) -> Result<Vec<u8>, CacheError>;
    fn stats() -> HashMap<String, u64>;
    fn level(ctx: u8) -> Result<Level, String>;
    fn token(user: (u32, char)) -> Result<[u8; 4], Denied>;
    fn ping() -> Result<(), r2go::GoError>;
    fn later(ms: u32) -> impl std::future::Future<Output = Result<Level, Level>> + Send;
    async fn flush();
}

#[r2go::r2g]
pub trait Server {
    async fn load(key: String) -> Result<Vec<u8>, CacheError>;
}
