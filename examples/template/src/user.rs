//! The interface between Rust and Go's text/template and regexp
//! (handlers/render.go).

/// The data a template renders.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct Page {
    pub title: String,
    pub items: Vec<String>,
}

/// Templates and regular expressions, run by Go's standard library. Every
/// method is sync: the work is short and CPU-bound, so it runs on the
/// calling thread without a goroutine hop.
#[r2go::r2g]
pub trait Render {
    /// Parses `source` as a text/template and keeps it as `name`.
    fn define(name: &str, source: &str) -> Result<(), String>;
    /// Renders `page` with the template `name`.
    fn render(name: &str, page: &Page) -> Result<String, String>;
    /// Renders every page with the template `name`: one call for the batch.
    fn render_all(name: &str, pages: &[Page]) -> Result<Vec<String>, String>;
    /// Every match of the RE2 `pattern` in `text`.
    fn find_all(pattern: &str, text: &str) -> Result<Vec<String>, String>;
    /// Does nothing: the cost of a call itself.
    fn nothing(page: &Page);
}
