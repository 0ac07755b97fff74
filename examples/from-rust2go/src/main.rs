//! Rust2Go's example style, running on r2go: the same calls, no `unsafe`.

mod user;

use user::{StockCall, StockCallImpl, StockItem, StockOrder, StockPricesImpl};

fn order(customer: &str, sku: &str, quantity: u32) -> StockOrder {
    StockOrder {
        customer: customer.into(),
        lines: vec![StockItem {
            sku: sku.into(),
            quantity,
        }],
    }
}

#[tokio::main]
async fn main() {
    // snippet: g2r-register
    // Go's handlers call StockPrices; its async methods run on this runtime.
    StockPricesImpl::register::<StockPricesImpl>().expect("a tokio runtime is current");
    // end snippet

    StockCallImpl::restock(&StockItem {
        sku: "apple".into(),
        quantity: 5,
    });
    println!("restock(apple × 5)");

    // A sync call, as in Rust2Go.
    println!(
        "check_order(ann: apple × 3) = {:?}",
        StockCallImpl::check_order(&order("ann", "apple", 3))
    );
    println!(
        "check_order(bob: apple × 9) = {:?}",
        StockCallImpl::check_order(&order("bob", "apple", 9))
    );

    // Async calls: every r2go future is Send, 'static and safe to drop, so
    // #[drop_safe] and #[drop_safe_ret] change nothing and no unsafe is needed.
    println!(
        "place_order(ann: apple × 3).await = {:?}",
        StockCallImpl::place_order(order("ann", "apple", 3)).await
    );
    let left = tokio::spawn(StockCallImpl::quantity_of("apple".into()))
        .await
        .expect("quantity_of task");
    println!("quantity_of(apple), awaited on another task = {left}");
}
