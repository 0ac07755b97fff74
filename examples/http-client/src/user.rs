//! The interface between Rust and Go's `net/http` (handlers/client.go) and a
//! loopback test server (handlers/server.go).

use std::collections::BTreeMap;

/// The HTTP methods this client sends; Go spells them in capitals.
#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq, Default)]
pub enum Method {
    #[default]
    Get,
    Head,
    Post,
    Put,
    Delete,
}

/// An HTTP request for Go's `http.Client`.
#[derive(r2go::R2G, Clone, Debug, PartialEq, Default)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// A deadline Go enforces itself, in milliseconds; 0 for none. A Rust
    /// timeout around the call works without it (see main.rs).
    pub timeout_ms: u32,
}

/// A response with a status below 400.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Why a request failed. Go returns these variants as errors; any other
/// failure (a Go panic, a call after shutdown) arrives through `From<GoError>`.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub enum FetchError {
    /// The request could not be built: a bad URL.
    BadRequest { reason: String },
    /// No response: the connection failed.
    Unreachable { message: String },
    /// The server answered with a status of 400 or more.
    Status { code: u16, body: String },
    /// `timeout_ms` passed before the response was read.
    Timeout,
    /// Anything else, such as a panic in the Go handler.
    Bridge(String),
}

impl From<r2go::GoError> for FetchError {
    fn from(e: r2go::GoError) -> Self {
        FetchError::Bridge(e.to_string())
    }
}

/// Go's `net/http` client.
#[r2go::r2g]
pub trait HttpClient {
    /// Sends `req` and reads the whole response. Dropping the future cancels
    /// the request: Go closes the connection.
    async fn fetch(req: Request) -> Result<Response, FetchError>;
}

/// A test server on 127.0.0.1, run by Go inside this process.
#[r2go::r2g]
pub trait TestServer {
    /// Starts the server (once) and returns its base URL, `http://127.0.0.1:<port>`.
    fn start() -> String;
    /// A URL on 127.0.0.1 where nothing listens.
    fn closed_url() -> String;
    /// How many requests to `/slow` ended because the client went away.
    fn abandoned() -> u32;
}
