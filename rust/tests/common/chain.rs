//! Deep values for the tests of the depth limit: a `TreeNode` chain linked
//! through `next`, built and freed without recursion (Rust's own drop
//! recurses once a node, which a deep chain's test thread cannot afford).
//! A test binary that uses it includes it with `#[path]`; each uses part.
#![allow(dead_code)]

use r2go_demo::user::TreeNode;

/// A chain of nodes valued 0, 1, ... from the head, freed without recursion
/// however the test ends, even by a failed assertion.
pub struct Chain(Option<TreeNode>);

impl Chain {
    pub fn new(n: usize) -> Self {
        let mut node = TreeNode {
            value: n as i64 - 1,
            ..TreeNode::default()
        };
        for v in (0..n as i64 - 1).rev() {
            node = TreeNode {
                value: v,
                children: vec![],
                next: Some(Box::new(node)),
            };
        }
        Chain(Some(node))
    }

    pub fn get(&self) -> &TreeNode {
        self.0.as_ref().expect("a chain")
    }

    pub fn take(mut self) -> TreeNode {
        self.0.take().expect("a chain")
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        if let Some(n) = self.0.take() {
            unchain(n);
        }
    }
}

/// Counts the nodes of a chain and frees it without recursing.
pub fn unchain(node: TreeNode) -> usize {
    let (mut n, mut next) = (1, node.next);
    while let Some(b) = next {
        let b = *b;
        next = b.next;
        n += 1;
    }
    n
}
