//! What several test binaries share; each uses part of it.
#![allow(dead_code)]

/// A small deterministic generator (xorshift64*), so randomised tests need
/// no dependency and every failure names a seed that reproduces it.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// The message of a panic caught by `catch_unwind` or a task: its `String`
/// or `&str` payload, else "".
pub fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    match p.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}
