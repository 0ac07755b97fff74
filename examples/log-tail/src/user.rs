//! The interface between Rust and a log file kept by Go (handlers/log.go).

use r2go::Stream;

/// One line of the log and its number, counted from 1.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct Line {
    pub number: u64,
    pub text: String,
}

/// A log file that Go writes, read back as streams of lines. Registered with
/// `rt.StreamBuffer(256)`: each stream runs at most 256 lines ahead of its
/// Rust consumer.
#[r2go::r2g]
pub trait Log {
    /// Creates (or empties) the log file at `path`; the other methods use it.
    fn open(path: &str) -> Result<(), String>;
    /// Appends `text` as one line to the log file.
    fn append(text: &str) -> Result<(), String>;
    /// Appends every line of the stream and returns how many it wrote; an
    /// `Err` item stops it, and Go returns that error.
    async fn append_all(lines: impl Stream<Item = Result<String, String>>) -> Result<u64, String>;
    /// Every line matching the RE2 `pattern`, from the start of the file to
    /// its end when the scan reaches it; a bad pattern is one `Err` item.
    fn scan(pattern: String) -> impl Stream<Item = Result<Line, String>>;
    /// Every line from line `from` on, then each line as it is appended,
    /// until the stream is dropped.
    fn follow(from: u64) -> impl Stream<Item = Result<Line, String>>;
    /// How many `follow` handlers are running in Go.
    fn followers() -> u32;
    /// Why the last `follow` handler returned ("" while none has).
    fn last_follow_end() -> String;
}
