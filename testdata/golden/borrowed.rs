//! Parameters Go borrows as views of Rust's memory instead of copies.

#[r2go::r2g]
pub trait Store {
    /// Stores a blob; Go reads it in place.
    #[borrow(data)]
    fn put(key: &str, data: &[u8]) -> u64;
    /// Both kinds, and a vector, by reference.
    #[borrow(name, body)]
    fn check(name: &str, body: &Vec<u8>, tags: &[u8]) -> bool;
    /// No result: the view still ends with the handler.
    #[borrow(line)]
    fn log(line: &String);
}
