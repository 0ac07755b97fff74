//! Every construct the generator supports, for the golden files.

use std::future::Future;

/// A record with every scalar kind.
///
/// Second paragraph of the doc.
#[derive(r2go::R2G, Clone)]
pub struct AllScalars {
    /// A flag.
    pub flag: bool,
    pub a: i8,
    pub b: i16,
    pub c: i32,
    pub d: i64,
    pub e: isize,
    pub f: u8,
    pub g: u16,
    pub h: u32,
    pub i: u64,
    pub j: usize,
    pub k: f32,
    pub l: std::primitive::f64,
}

/// Names that Go spells differently.
#[derive(r2go::R2G)]
pub struct HttpRequest {
    pub user_id: u64,
    pub http_url: String,
    pub r#type: std::string::String,
    pub json_body: Vec<u8>,
}

/// A tree: recursion through Vec is fine.
#[derive(r2go::R2G)]
pub struct Node {
    pub label: String,
    pub children: Vec<Node>,
    pub scalars: Vec<AllScalars>,
    pub grid: Vec<Vec<i32>>,
    pub words: Vec<Vec<String>>,
}

/// Not derived and not used: not part of the interface.
pub struct Helper {
    pub x: Option<u8>,
}

type Count = u32;

#[r2go::r2g]
pub trait Service {
    /// Oneway: no result.
    fn notify(req: &HttpRequest);
    fn count(words: &Vec<String>, n: Count) -> Count;
    fn sum(a: f64, b: f32) -> f64;
    fn tree(root: Node, depth: u8) -> Node;
    fn fetch(req: HttpRequest) -> impl Future<Output = HttpRequest> + Send;
    async fn ping(ctx: u64);
    async fn r#match(r#type: String) -> Vec<Node>;
    fn flip(flag: bool) -> bool;
}

#[r2go::r2g]
pub trait Empty {}
