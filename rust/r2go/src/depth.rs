//! How deeply values may nest, and the stack their recursion needs.
//!
//! Lending ([`ToRef`](crate::wire::ToRef)) and decoding
//! ([`Decode`](crate::wire::Decode)) recurse once per level of struct or
//! variant fields: a chain of `n` nodes linked through `Option<Box<Self>>` is
//! `n` levels deep. Both count the levels and fail past the depth limit
//! ([`set_max_depth`]), naming the path, and both watch the stack: a value
//! whose recursion would take more than [`SHALLOW_STACK`] bytes of the
//! caller's stack is lent or decoded again from the start on a new thread,
//! whose stack is sized for the limit from what the first attempt used per
//! level. So values up to the limit work on any thread, and the caller's
//! stack never holds more than a few frames of them.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::abi;

static MAX_DEPTH: AtomicUsize = AtomicUsize::new(abi::DEFAULT_MAX_DEPTH);

/// Sets how deeply values passed between Rust and Go may nest, in levels of
/// struct and variant fields, for the whole process and both sides; returns
/// the limit set, `levels` clamped to 1..=100,000. The default is 10,000.
///
/// A value nested deeper fails its call, naming where: a method returning
/// `Result` gets an `Err` whose kind is
/// [`Invalid`](crate::GoErrorKind::Invalid), other methods panic on the
/// calling thread or task. Go applies the same limit to the results it
/// encodes, which also stops cyclic Go values.
pub fn set_max_depth(levels: usize) -> usize {
    let levels = levels.clamp(1, abi::MAX_MAX_DEPTH);
    MAX_DEPTH.store(levels, Ordering::Relaxed);
    // SAFETY: the Go runtime's export takes a plain integer.
    unsafe { abi::r2go1_rt_set_max_depth(levels as i64) };
    levels
}

/// The depth limit set by [`set_max_depth`].
pub fn max_depth() -> usize {
    MAX_DEPTH.load(Ordering::Relaxed)
}

/// How much of the caller's stack lending or decoding one value may use
/// before it starts again on a thread of its own.
pub(crate) const SHALLOW_STACK: usize = 64 << 10;

/// Levels below this are not checked against the stack: they cannot use
/// much of it, and flat values then pay for a counter only.
const UNCHECKED_LEVELS: u32 = 16;

/// The most stack a deep value's thread gets.
const MAX_STACK: usize = 1 << 30;

/// The nesting of the value being lent or decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Depth {
    level: u32,
    limit: u32,
    /// The stack pointer where the value started.
    top: usize,
    /// How far below `top` the recursion may go on this thread.
    budget: usize,
}

/// Why a value could not go one level deeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deep {
    /// Past the depth limit.
    Limit(u32),
    /// Past this thread's budget: start again on a thread of its own, at
    /// `level`, having used `used` bytes of stack.
    Stack { level: u32, used: usize },
    /// Past the stack of a deep value's own thread, although within the
    /// limit (each level took far more than at the start).
    Exhausted(usize),
}

/// An approximation of the stack pointer: the address of a local.
#[inline(always)]
fn stack_pointer() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

impl Depth {
    /// The nesting of a value that starts here, on the caller's stack.
    pub(crate) fn shallow() -> Self {
        Depth {
            level: 0,
            limit: u32::try_from(max_depth()).unwrap_or(u32::MAX),
            top: stack_pointer(),
            budget: SHALLOW_STACK,
        }
    }

    /// Enters one more level.
    #[inline]
    pub(crate) fn enter(&mut self) -> Result<(), Deep> {
        self.level += 1;
        if self.level > self.limit {
            return Err(Deep::Limit(self.limit));
        }
        if self.level >= UNCHECKED_LEVELS {
            // Stacks grow down on every target r2go supports.
            let used = self.top.saturating_sub(stack_pointer());
            if used > self.budget {
                return Err(if self.budget == SHALLOW_STACK {
                    Deep::Stack {
                        level: self.level,
                        used,
                    }
                } else {
                    Deep::Exhausted(self.budget)
                });
            }
        }
        Ok(())
    }

    /// Leaves the level entered last.
    #[inline]
    pub(crate) fn leave(&mut self) {
        self.level -= 1;
    }
}

/// Runs `f` again on a new thread whose stack holds the depth limit, given
/// that the first attempt reached `level` with `used` bytes of stack; `f`
/// gets the nesting to use there. A panic in `f` resumes on the caller.
pub(crate) fn on_deep_stack<R: Send>(
    level: u32,
    used: usize,
    f: impl FnOnce(Depth) -> R + Send,
) -> std::io::Result<R> {
    let limit = u32::try_from(max_depth()).unwrap_or(u32::MAX);
    let per_level = used / level.max(1) as usize + 1;
    // Twice what the limit takes at the first attempt's rate, and room for
    // the frames above the first level.
    let budget = per_level
        .saturating_mul(limit as usize)
        .saturating_mul(2)
        .min(MAX_STACK);
    let size = (budget + (256 << 10)).next_multiple_of(64 << 10);
    std::thread::scope(|s| {
        let thread = std::thread::Builder::new()
            .name("r2go deep value".into())
            .stack_size(size)
            .spawn_scoped(s, move || {
                f(Depth {
                    level: 0,
                    limit,
                    top: stack_pointer(),
                    budget,
                })
            })?;
        match thread.join() {
            Ok(r) => Ok(r),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_levels_up_to_the_limit() {
        let mut d = Depth::shallow();
        d.limit = 3;
        for _ in 0..3 {
            assert_eq!(d.enter(), Ok(()));
        }
        assert_eq!(d.enter(), Err(Deep::Limit(3)));
        d.leave();
        d.leave();
        assert_eq!(d.enter(), Ok(()));
    }

    fn recurse(d: &mut Depth, n: u32) -> Result<(), Deep> {
        // A frame of about 1 KiB, so the budget is reached quickly.
        let pad = std::hint::black_box([0u8; 1024]);
        if n == 0 {
            return Ok(());
        }
        d.enter()?;
        recurse(d, n - 1)?;
        d.leave();
        std::hint::black_box(pad);
        Ok(())
    }

    #[test]
    fn asks_for_a_deep_stack_past_the_shallow_budget() {
        let mut d = Depth::shallow();
        match recurse(&mut d, 1_000) {
            Err(Deep::Stack { level, used }) => {
                assert!(used > SHALLOW_STACK, "used {used}");
                assert!((UNCHECKED_LEVELS..200).contains(&level), "level {level}");
                let got = on_deep_stack(level, used, |mut d| recurse(&mut d, 9_000)).unwrap();
                assert_eq!(got, Ok(()));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(recurse(&mut Depth::shallow(), 10), Ok(()));
    }

    #[test]
    fn a_panic_on_the_deep_stack_resumes_on_the_caller() {
        let p =
            std::panic::catch_unwind(|| on_deep_stack(10, 10_000, |_| panic!("deep"))).unwrap_err();
        assert_eq!(p.downcast_ref::<&str>(), Some(&"deep"));
    }
}
