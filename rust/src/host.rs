//! The Rust implementation of [`RustSide`], which Go calls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::user::{AllTypes, DemoError, DemoFault, DemoUser, Fragile, RustSide, TreeNode};

/// The demo's implementation of [`RustSide`].
pub struct Host;

static NOTED: AtomicU64 = AtomicU64::new(0);
static PENDING_DROPPED: AtomicU64 = AtomicU64::new(0);

/// The sum of the `n` Go passed to `note`.
pub fn noted() -> u64 {
    NOTED.load(Ordering::SeqCst)
}

/// How many futures of `pending` were dropped.
pub fn pending_dropped() -> u64 {
    PENDING_DROPPED.load(Ordering::SeqCst)
}

struct CountDrop;

impl Drop for CountDrop {
    fn drop(&mut self) {
        PENDING_DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

fn lookup(id: u32) -> Result<DemoUser, DemoError> {
    if id < 100 {
        return Ok(DemoUser {
            name: format!("user{id}"),
            age: id as u8,
        });
    }
    Err(DemoError {
        code: 404,
        message: format!("no user {id}"),
        typed: true,
    })
}

impl RustSide for Host {
    fn add(a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }

    fn echo_all(v: AllTypes) -> AllTypes {
        v
    }

    async fn echo_all_async(ms: u32, v: AllTypes) -> AllTypes {
        tokio::time::sleep(Duration::from_millis(ms.into())).await;
        v
    }

    fn greet(user: &DemoUser, greeting: &str) -> String {
        format!("{greeting}, {} ({})", user.name, user.age)
    }

    fn divide(n: i64, d: i64) -> Result<i64, String> {
        if d == 0 {
            return Err("division by zero".into());
        }
        Ok(n / d)
    }

    fn lookup(id: u32) -> Result<DemoUser, DemoError> {
        lookup(id)
    }

    async fn lookup_async(id: u32) -> Result<DemoUser, DemoError> {
        tokio::task::yield_now().await;
        lookup(id)
    }

    fn fault(kind: u8) -> Result<u8, DemoFault> {
        match kind {
            0 => Ok(7),
            1 => Err(DemoFault::Denied {
                reason: "no".into(),
            }),
            _ => Err(DemoFault::Timeout),
        }
    }

    fn boom(message: String) -> u8 {
        panic!("{message}")
    }

    async fn boom_async(message: String) -> u8 {
        panic!("{message}")
    }

    fn note(n: u64) {
        NOTED.fetch_add(n, Ordering::SeqCst);
    }

    async fn sleep_echo(ms: u32, tag: u64) -> u64 {
        if ms > 0 {
            tokio::time::sleep(Duration::from_millis(ms.into())).await;
        } else {
            // Not ready at the first poll, so the future runs as a task.
            tokio::task::yield_now().await;
        }
        tag
    }

    async fn pending(tag: u64) -> u64 {
        let _count = CountDrop;
        std::future::pending::<()>().await;
        tag
    }

    fn fragile(id: u64) -> Fragile {
        Fragile { id }
    }

    async fn fragile_async(id: u64) -> Fragile {
        Fragile { id }
    }

    fn echo_tree(t: TreeNode) -> TreeNode {
        t
    }

    async fn echo_tree_async(t: TreeNode) -> TreeNode {
        tokio::task::yield_now().await;
        t
    }
}
