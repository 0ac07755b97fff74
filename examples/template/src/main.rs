//! CPU-bound Go standard library work called from Rust in a hot loop: the
//! cost of one call, and what batching with `Vec` saves.

use std::time::Instant;

use template::user::{Page, Render, RenderImpl};

const PAGES: usize = 20_000;
const BATCH: usize = 1_000;

fn page(i: usize) -> Page {
    Page {
        title: format!("Page {i}"),
        items: vec!["apple".into(), "banana".into(), format!("item {i}")],
    }
}

#[tokio::main]
async fn main() {
    // R2GO_CONNECT=unix:///tmp/template.sock sends every call to the Go
    // server (`go run ./server`) instead of the handler linked in.
    r2go::grpc::connect_from_env().expect("R2GO_CONNECT is an address");
    let list = "{{.Title}}:{{range $i, $e := .Items}}{{if $i}},{{end}} {{$e}}{{end}}";
    RenderImpl::define("list", list).expect("a valid template");
    println!(
        "render(list, page 7) = {:?}",
        RenderImpl::render("list", &page(7))
    );

    // Go's errors arrive as Err(String): its parse and execution messages.
    println!(
        "define(bad, \"{{{{.Title\") = {:?}",
        RenderImpl::define("bad", "{{.Title")
    );
    RenderImpl::define("typo", "{{.Tilte}}").expect("parses; fails when run");
    println!(
        "render(typo, page 7) = {:?}",
        RenderImpl::render("typo", &page(7))
    );
    println!(
        "find_all(\"[0-9]+\", \"r2go 1.0, tokio 1\") = {:?}",
        RenderImpl::find_all("[0-9]+", "r2go 1.0, tokio 1")
    );
    println!("find_all(\"(\", ..) = {:?}", RenderImpl::find_all("(", "x"));

    // snippet: hot-loop
    let pages: Vec<Page> = (0..PAGES).map(page).collect();

    let start = Instant::now();
    for p in &pages {
        RenderImpl::nothing(p);
    }
    let call = start.elapsed().as_nanos() / PAGES as u128;

    let start = Instant::now();
    let one_by_one: Vec<String> = pages
        .iter()
        .map(|p| RenderImpl::render("list", p).expect("render"))
        .collect();
    let single = start.elapsed().as_nanos() / PAGES as u128;

    let start = Instant::now();
    let mut batched = Vec::with_capacity(PAGES);
    for chunk in pages.chunks(BATCH) {
        batched.extend(RenderImpl::render_all("list", chunk).expect("render_all"));
    }
    let batch = start.elapsed().as_nanos() / PAGES as u128;
    // end snippet

    println!("{PAGES} calls of nothing(page): {call} ns per call (the call, and the page copied into Go)");
    println!("{PAGES} calls of render(page): {single} ns per page");
    println!(
        "{} calls of render_all({BATCH} pages): {batch} ns per page",
        PAGES / BATCH
    );
    println!(
        "batched output equals one-by-one output: {}",
        batched == one_by_one
    );
}
