//! A stock-keeping interface written the way Rust2Go's examples write theirs:
//! `rust2go::` paths, a `binding` module, `#[drop_safe]` and `#[drop_safe_ret]`
//! on async methods. It compiles unchanged with r2go; the build prints a
//! warning for each Rust2Go attribute that r2go does not need. `StockPrices`
//! goes the other way, as in Rust2Go's bidirectional example: Go calls it,
//! and it is implemented here for the `StockPricesImpl` type `#[g2r]` gives.

pub mod binding {
    #![allow(warnings)]
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct StockItem {
    pub sku: String,
    pub quantity: u32,
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct StockOrder {
    pub customer: String,
    pub lines: Vec<StockItem>,
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct StockReply {
    pub accepted: bool,
    pub note: String,
}

#[rust2go::r2g]
pub trait StockCall {
    fn restock(item: &StockItem);
    fn check_order(order: &StockOrder) -> StockReply;
    #[drop_safe]
    async fn place_order(order: StockOrder) -> StockReply;
    #[drop_safe_ret]
    async fn quantity_of(sku: String) -> u32;
}

#[rust2go::g2r]
pub trait StockPrices {
    fn price_of(sku: String) -> u32;
    async fn courier(customer: String) -> String;
}

// snippet: g2r-impl
impl StockPrices for StockPricesImpl {
    fn price_of(sku: String) -> u32 {
        match sku.as_str() {
            "apple" => 120,
            _ => 100,
        }
    }

    async fn courier(customer: String) -> String {
        // Runs on the tokio runtime the implementation was registered on.
        tokio::task::yield_now().await;
        format!("van {} for {customer}", customer.len())
    }
}
// end snippet
