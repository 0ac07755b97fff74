//! The two representations values take across the boundary.
//!
//! Rust to Go: values are *lent*. A struct becomes a `#[repr(C)]` struct of
//! its fields' borrowed forms; strings and vectors become pointer-length pairs
//! into Rust memory ([`StrRef`], [`ListRef`]). Vectors of scalars lend their
//! own buffer (zero copy); vectors of anything else lend an array of borrowed
//! elements, held alive by a [`Keep`] until the call returns. Go copies what it
//! needs before returning, so nothing here outlives the call. The other forms:
//!
//! | type | borrowed form |
//! |---|---|
//! | `char` | `u32` (a `Vec<char>` or `[char; N]` lends its own buffer) |
//! | `&str`, `&[T]`, `Box<T>` | as `String`, `Vec<T>`, `T` |
//! | `Option<T>` | `*const T::Ref`, null for `None`; a scalar or char points into the `Option` itself |
//! | `[T; N]` | [`ListRef`] of `N` elements, like a slice |
//! | `HashMap`, `BTreeMap` | [`ListRef`] of [`PairRef`] `{key, value}` |
//! | tuple `(A, B, ..)` | [`TupleRef2`]`<A::Ref, B::Ref>` and so on, `#[repr(C)]` |
//! | enum without data | `i32`: the discriminant |
//! | enum with data | [`EnumRef`] `{tag: u32, ptr}`: the variant's index and its payload's `#[repr(C)]` borrowed form (null when it has no fields) |
//!
//! Go to Rust: results arrive as one flat buffer in Go memory (Go may not lend
//! pointers into its own heap), which [`Decode`] turns into owned values while
//! Go waits. Encoding, in native byte order: scalars as their raw bytes (bool
//! as 0 or 1); strings and vectors as a u64 count followed by the elements;
//! structs and tuples as their fields in order; and:
//!
//! - `char`: a `u32`, rejected unless it is a Unicode scalar value;
//! - `Option<T>`: a byte 0 (`None`) or 1 followed by the `T`;
//! - `[T; N]`: the `N` elements, no count;
//! - maps: a u64 count, then each key followed by its value; a repeated key
//!   is rejected;
//! - enums without data: the discriminant as an `i32`; enums with data: the
//!   variant's index as a `u32`, then its fields in order. Unknown values are
//!   rejected.
//!
//! Both directions count how deeply values nest and watch the stack (see
//! [`crate::depth`]): lending and decoding fail past the depth limit with
//! the path to where they stopped.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::ffi::c_void;
use std::fmt;
use std::hash::Hash;

use crate::depth::{on_deep_stack, Deep, Depth};

/// A `&str` lent to Go.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StrRef {
    pub ptr: *const u8,
    pub len: usize,
}

/// A slice lent to Go: `len` elements of the element's borrowed form.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ListRef {
    pub ptr: *const c_void,
    pub len: usize,
}

/// Keeps the arrays of borrowed elements alive until a call returns, and
/// counts how deeply the value being lent nests.
pub struct Keep {
    held: Vec<Held>,
    depth: Depth,
}

/// An array of borrowed forms (or one borrowed form) kept for a call.
struct Held(#[allow(dead_code)] Box<dyn Any>);

// SAFETY: a held value is plain data, integers and raw pointers into values
// the caller lends for the call; nothing in it belongs to a thread. It moves
// only between the caller and the scoped thread that lends a deep argument,
// which ends before the call is made, and is never shared.
unsafe impl Send for Held {}

impl Default for Keep {
    fn default() -> Self {
        Self::new()
    }
}

/// A borrowed form on its way back from the thread that lent a deep argument.
struct SendRef<R>(R);

// SAFETY: borrowed forms are plain data (see `Held`); this one crosses to
// the caller when the scoped thread that made it ends.
unsafe impl<R> Send for SendRef<R> {}

impl Keep {
    /// An empty keep; it allocates only when a vector of non-scalars is lent.
    pub fn new() -> Self {
        Keep {
            held: Vec::new(),
            depth: Depth::shallow(),
        }
    }

    /// Holds one borrowed value (an option's or a variant's) and returns a
    /// pointer to it, valid for as long as `self` lives.
    pub fn hold_one<T: 'static>(&mut self, v: T) -> *const T {
        let b = Box::new(v);
        let p: *const T = &*b;
        // Moving the box into the list does not move its contents.
        self.held.push(Held(b));
        p
    }

    fn hold<T: 'static>(&mut self, v: Vec<T>) -> ListRef {
        let r = ListRef {
            ptr: v.as_ptr().cast(),
            len: v.len(),
        };
        // Moving the Vec into the box does not move its heap buffer, so `r`
        // stays valid for as long as `self` lives.
        self.held.push(Held(Box::new(v)));
        r
    }

    /// Lends one struct or variant field, a level deeper, naming it in any
    /// error.
    pub fn field<T: ToRef + ?Sized>(
        &mut self,
        v: &T,
        name: &'static str,
    ) -> Result<T::Ref, LendError> {
        self.depth
            .enter()
            .map_err(|d| LendError::deep(d).within(Seg::Field(name)))?;
        let r = v.to_ref(self).map_err(|e| e.within(Seg::Field(name)))?;
        self.depth.leave();
        Ok(r)
    }

    /// Lends one argument of a call (named `name`): on this thread, or, when
    /// it nests deeper than this thread's stack should hold, from the start
    /// on a thread of its own.
    pub fn arg<T: ToRef + Sync + ?Sized>(
        &mut self,
        name: &'static str,
        v: &T,
    ) -> Result<T::Ref, LendError> {
        let mark = self.held.len();
        self.depth = Depth::shallow();
        let r = match v.to_ref(self) {
            Err(e) if e.needs_stack().is_some() => {
                let (level, used) = e.needs_stack().expect("checked");
                self.held.truncate(mark);
                let keep = &mut *self;
                on_deep_stack(level, used, move |depth| {
                    keep.depth = depth;
                    SendRef(v.to_ref(keep))
                })
                .map_or_else(|e| Err(LendError::spawn(e)), |r| r.0)
            }
            r => r,
        };
        r.map_err(|e| e.within(Seg::Field(name)))
    }
}

/// Lends a value to Go: implemented by the generated glue of every
/// `#[derive(R2G)]` struct and here for the built-in types.
pub trait ToRef {
    /// The `#[repr(C)]` borrowed form.
    type Ref: Copy + 'static;

    /// Whether the borrowed form points at nothing (scalars, `char`, `()`),
    /// so that it may be copied away from `self` and the `Keep`.
    const SELF_CONTAINED: bool = false;

    /// Borrows `self`; the result is valid while `self` and `keep` live.
    /// Fails when the value nests deeper than the depth limit.
    fn to_ref(&self, keep: &mut Keep) -> Result<Self::Ref, LendError>;

    /// Borrows a slice. Scalars lend the slice itself; other types lend an
    /// array of their borrowed forms, held by `keep`.
    fn slice_ref(items: &[Self], keep: &mut Keep) -> Result<ListRef, LendError>
    where
        Self: Sized,
    {
        let mut refs = Vec::with_capacity(items.len());
        for (i, x) in items.iter().enumerate() {
            refs.push(x.to_ref(keep).map_err(|e| e.within(Seg::Index(i)))?);
        }
        Ok(keep.hold(refs))
    }

    /// Borrows `self` as the value of a `Some`: a pointer to its borrowed
    /// form. Scalars point at themselves; other types at a borrowed form held
    /// by `keep`.
    fn opt_ref(&self, keep: &mut Keep) -> Result<*const Self::Ref, LendError> {
        let r = self.to_ref(keep)?;
        Ok(keep.hold_one(r))
    }
}

macro_rules! scalar_to_ref {
    ($($t:ty),*) => {$(
        impl ToRef for $t {
            type Ref = $t;
            const SELF_CONTAINED: bool = true;
            #[inline]
            fn to_ref(&self, _: &mut Keep) -> Result<$t, LendError> {
                Ok(*self)
            }
            #[inline]
            fn slice_ref(items: &[$t], _: &mut Keep) -> Result<ListRef, LendError> {
                Ok(ListRef { ptr: items.as_ptr().cast(), len: items.len() })
            }
            #[inline]
            fn opt_ref(&self, _: &mut Keep) -> Result<*const $t, LendError> {
                Ok(self)
            }
        }
    )*};
}
scalar_to_ref!(bool, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

/// The result of a `#[g2r]` method that returns nothing: Go reads nothing.
impl ToRef for () {
    type Ref = u8;
    const SELF_CONTAINED: bool = true;

    fn to_ref(&self, _: &mut Keep) -> Result<u8, LendError> {
        Ok(0)
    }
}

// A char is a u32 holding a Unicode scalar value, with the same size and
// alignment, so slices and options of chars lend in place.
impl ToRef for char {
    type Ref = u32;
    const SELF_CONTAINED: bool = true;
    #[inline]
    fn to_ref(&self, _: &mut Keep) -> Result<u32, LendError> {
        Ok(u32::from(*self))
    }
    #[inline]
    fn slice_ref(items: &[char], _: &mut Keep) -> Result<ListRef, LendError> {
        Ok(ListRef {
            ptr: items.as_ptr().cast(),
            len: items.len(),
        })
    }
    #[inline]
    fn opt_ref(&self, _: &mut Keep) -> Result<*const u32, LendError> {
        Ok((self as *const char).cast())
    }
}

impl ToRef for str {
    type Ref = StrRef;
    #[inline]
    fn to_ref(&self, _: &mut Keep) -> Result<StrRef, LendError> {
        Ok(StrRef {
            ptr: self.as_ptr(),
            len: self.len(),
        })
    }
}

impl ToRef for String {
    type Ref = StrRef;
    #[inline]
    fn to_ref(&self, keep: &mut Keep) -> Result<StrRef, LendError> {
        self.as_str().to_ref(keep)
    }
}

impl<T: ToRef> ToRef for [T] {
    type Ref = ListRef;
    #[inline]
    fn to_ref(&self, keep: &mut Keep) -> Result<ListRef, LendError> {
        T::slice_ref(self, keep)
    }
}

impl<T: ToRef> ToRef for Vec<T> {
    type Ref = ListRef;
    #[inline]
    fn to_ref(&self, keep: &mut Keep) -> Result<ListRef, LendError> {
        T::slice_ref(self, keep)
    }
}

impl<T: ToRef, const N: usize> ToRef for [T; N] {
    type Ref = ListRef;
    #[inline]
    fn to_ref(&self, keep: &mut Keep) -> Result<ListRef, LendError> {
        T::slice_ref(self, keep)
    }
}

impl<T: ToRef + ?Sized> ToRef for Box<T> {
    type Ref = T::Ref;
    #[inline]
    fn to_ref(&self, keep: &mut Keep) -> Result<T::Ref, LendError> {
        (**self).to_ref(keep)
    }
    #[inline]
    fn opt_ref(&self, keep: &mut Keep) -> Result<*const T::Ref, LendError> {
        (**self).opt_ref(keep)
    }
}

impl<T: ToRef> ToRef for Option<T> {
    type Ref = *const T::Ref;
    #[inline]
    fn to_ref(&self, keep: &mut Keep) -> Result<*const T::Ref, LendError> {
        match self {
            None => Ok(std::ptr::null()),
            Some(v) => v.opt_ref(keep),
        }
    }
}

/// One entry of a map lent to Go.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PairRef<K, V> {
    pub key: K,
    pub value: V,
}

fn map_ref<'a, K: ToRef + 'a, V: ToRef + 'a>(
    entries: impl ExactSizeIterator<Item = (&'a K, &'a V)>,
    keep: &mut Keep,
) -> Result<ListRef, LendError> {
    let mut pairs = Vec::with_capacity(entries.len());
    for (i, (k, v)) in entries.enumerate() {
        pairs.push(PairRef {
            key: k.to_ref(keep).map_err(|e| e.within(Seg::Key(i)))?,
            value: v.to_ref(keep).map_err(|e| e.within(Seg::Value(i)))?,
        });
    }
    Ok(keep.hold(pairs))
}

impl<K: ToRef, V: ToRef> ToRef for HashMap<K, V> {
    type Ref = ListRef;
    fn to_ref(&self, keep: &mut Keep) -> Result<ListRef, LendError> {
        map_ref(self.iter(), keep)
    }
}

impl<K: ToRef, V: ToRef> ToRef for BTreeMap<K, V> {
    type Ref = ListRef;
    fn to_ref(&self, keep: &mut Keep) -> Result<ListRef, LendError> {
        map_ref(self.iter(), keep)
    }
}

/// A data enum lent to Go: the index of its variant and a pointer to the
/// variant's borrowed payload, held by the call's [`Keep`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EnumRef {
    pub tag: u32,
    pub ptr: *const c_void,
}

impl EnumRef {
    /// A variant with a payload.
    pub fn new<T>(tag: u32, payload: *const T) -> Self {
        Self {
            tag,
            ptr: payload.cast(),
        }
    }

    /// A variant without fields.
    pub const fn without_data(tag: u32) -> Self {
        Self {
            tag,
            ptr: std::ptr::null(),
        }
    }
}

macro_rules! tuples {
    ($($name:ident { $($t:ident $f:ident $i:tt),+ })+) => {$(
        /// A tuple lent to Go: its elements' borrowed forms in a C struct.
        #[repr(C)]
        #[derive(Clone, Copy, Debug)]
        pub struct $name<$($t),+> {
            $(pub $f: $t),+
        }

        impl<$($t: ToRef),+> ToRef for ($($t,)+) {
            type Ref = $name<$($t::Ref),+>;
            fn to_ref(&self, keep: &mut Keep) -> Result<Self::Ref, LendError> {
                Ok($name { $($f: keep.field(&self.$i, stringify!($i))?),+ })
            }
        }

        impl<$($t: Decode),+> Decode for ($($t,)+) {
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(($(r.field::<$t>(stringify!($i))?,)+))
            }
        }
    )+};
}

tuples! {
    TupleRef1 { A f0 0 }
    TupleRef2 { A f0 0, B f1 1 }
    TupleRef3 { A f0 0, B f1 1, C f2 2 }
    TupleRef4 { A f0 0, B f1 1, C f2 2, D f3 3 }
    TupleRef5 { A f0 0, B f1 1, C f2 2, D f3 3, E f4 4 }
    TupleRef6 { A f0 0, B f1 1, C f2 2, D f3 3, E f4 4, F f5 5 }
    TupleRef7 { A f0 0, B f1 1, C f2 2, D f3 3, E f4 4, F f5 5, G f6 6 }
    TupleRef8 { A f0 0, B f1 1, C f2 2, D f3 3, E f4 4, F f5 5, G f6 6, H f7 7 }
    TupleRef9 { A f0 0, B f1 1, C f2 2, D f3 3, E f4 4, F f5 5, G f6 6, H f7 7, I f8 8 }
    TupleRef10 { A f0 0, B f1 1, C f2 2, D f3 3, E f4 4, F f5 5, G f6 6, H f7 7, I f8 8, J f9 9 }
    TupleRef11 { A f0 0, B f1 1, C f2 2, D f3 3, E f4 4, F f5 5, G f6 6, H f7 7, I f8 8, J f9 9, K f10 10 }
    TupleRef12 { A f0 0, B f1 1, C f2 2, D f3 3, E f4 4, F f5 5, G f6 6, H f7 7, I f8 8, J f9 9, K f10 10, L f11 11 }
}

/// One step of the path to where lending or decoding failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A struct or variant field (`Type.field`), or an argument.
    Field(&'static str),
    /// An element of a vector or array.
    Index(usize),
    /// The key of a map's entry.
    Key(usize),
    /// The value of a map's entry.
    Value(usize),
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Field(name) => f.write_str(name),
            Seg::Index(i) => write!(f, "[{i}]"),
            Seg::Key(i) => write!(f, "key [{i}]"),
            Seg::Value(i) => write!(f, "value [{i}]"),
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Invalid(String),
    Deep(Deep),
    Spawn(String),
}

/// A failure and the path to it, innermost step first.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fault {
    kind: Kind,
    path: Vec<Seg>,
}

/// A path this long is shown by its ends.
const PATH_SHOWN: usize = 16;

impl Fault {
    fn new(kind: Kind) -> Self {
        Fault {
            kind,
            path: Vec::new(),
        }
    }

    fn within(&mut self, seg: Seg) {
        // A value that starts again on a deeper stack needs no path.
        if !matches!(self.kind, Kind::Deep(Deep::Stack { .. })) {
            self.path.push(seg);
        }
    }
}

impl Fault {
    fn needs_stack(&self) -> Option<(u32, usize)> {
        match self.kind {
            Kind::Deep(Deep::Stack { level, used }) => Some((level, used)),
            _ => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.path.len();
        for (i, seg) in self.path.iter().rev().enumerate() {
            if n > PATH_SHOWN && i >= PATH_SHOWN / 2 && i < n - PATH_SHOWN / 2 {
                if i == PATH_SHOWN / 2 {
                    write!(f, "… {} more …: ", n - PATH_SHOWN)?;
                }
                continue;
            }
            write!(f, "{seg}: ")?;
        }
        match &self.kind {
            Kind::Invalid(msg) => f.write_str(msg),
            Kind::Deep(Deep::Limit(limit)) => {
                write!(f, "nested deeper than the depth limit of {limit} levels")
            }
            Kind::Deep(Deep::Exhausted(size)) => write!(
                f,
                "nested so that its recursion needs more than the {size} bytes of stack r2go gave it"
            ),
            Kind::Deep(Deep::Stack { level, .. }) => {
                write!(f, "nested deeper than this thread's stack holds at level {level}")
            }
            Kind::Spawn(e) => write!(f, "cannot start a thread to handle its depth: {e}"),
        }
    }
}

/// Why a result from Go could not be decoded; names the path to where.
/// (Boxed: results of decoding stay small, and so do the stack frames that
/// hold them.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<Fault>);

impl DecodeError {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        Self(Box::new(Fault::new(Kind::Invalid(msg.into()))))
    }

    pub(crate) fn of(kind: Kind) -> Self {
        Self(Box::new(Fault::new(kind)))
    }

    /// The error of an enum value that no variant has (Go sent a tag or
    /// discriminant the Rust enum does not know).
    pub fn unknown_variant(enum_name: &str, value: i64) -> Self {
        Self::new(format!("{value} is not a variant of {enum_name}"))
    }

    pub(crate) fn within(mut self, seg: Seg) -> Self {
        self.0.within(seg);
        self
    }

    /// Where to start again on a deeper stack, if that is what it takes.
    pub(crate) fn needs_stack(&self) -> Option<(u32, usize)> {
        self.0.needs_stack()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DecodeError {}

/// Why an argument could not be lent to Go (it nests deeper than the depth
/// limit); names the path to where. (Boxed, like [`DecodeError`].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LendError(Box<Fault>);

impl LendError {
    pub(crate) fn deep(d: Deep) -> Self {
        Self(Box::new(Fault::new(Kind::Deep(d))))
    }

    pub(crate) fn spawn(e: std::io::Error) -> Self {
        Self(Box::new(Fault::new(Kind::Spawn(e.to_string()))))
    }

    /// Where to start again on a deeper stack, if that is what it takes.
    pub(crate) fn needs_stack(&self) -> Option<(u32, usize)> {
        self.0.needs_stack()
    }

    pub(crate) fn within(mut self, seg: Seg) -> Self {
        self.0.within(seg);
        self
    }
}

impl fmt::Display for LendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for LendError {}

/// Reads an encoded result, counting how deeply it nests.
pub struct Reader<'a> {
    buf: &'a [u8],
    depth: Depth,
}

impl<'a> Reader<'a> {
    /// A reader over one encoded value.
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            depth: Depth::shallow(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return Err(DecodeError::new(format!(
                "result truncated: need {n} more bytes, have {}",
                self.buf.len()
            )));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn count(&mut self) -> Result<usize, DecodeError> {
        let n = u64::decode(self)?;
        usize::try_from(n).map_err(|_| DecodeError::new(format!("count {n} does not fit in usize")))
    }

    /// Decodes one struct or variant field, a level deeper, naming it in any
    /// error.
    pub fn field<T: Decode>(&mut self, name: &'static str) -> Result<T, DecodeError> {
        self.depth
            .enter()
            .map_err(|d| DecodeError::of(Kind::Deep(d)).within(Seg::Field(name)))?;
        let v = T::decode(self).map_err(|e| e.within(Seg::Field(name)))?;
        self.depth.leave();
        Ok(v)
    }

    /// Decodes a whole buffer as one `T`, rejecting trailing bytes.
    pub fn decode_all<T: Decode + Send>(buf: &'a [u8]) -> Result<T, DecodeError> {
        decode_buffer(buf, T::decode)
    }

    /// How many bytes are left to decode.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Whether every byte was decoded: a batch of stream items is read until then.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Checks that every byte was decoded.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        Err(DecodeError::new(format!(
            "{} unexpected bytes after the result",
            self.buf.len()
        )))
    }
}

/// Decodes all of `buf` with `decode`, rejecting trailing bytes: on this
/// thread, or, when the value nests deeper than this thread's stack should
/// hold, from the start on a thread of its own.
pub(crate) fn decode_buffer<T: Send>(
    buf: &[u8],
    decode: impl Fn(&mut Reader<'_>) -> Result<T, DecodeError> + Sync,
) -> Result<T, DecodeError> {
    let attempt = |depth: Depth| -> Result<T, DecodeError> {
        let mut r = Reader { buf, depth };
        let v = decode(&mut r)?;
        r.finish()?;
        Ok(v)
    };
    match attempt(Depth::shallow()) {
        Err(e) => match e.needs_stack() {
            Some((level, used)) => on_deep_stack(level, used, attempt)
                .unwrap_or_else(|e| Err(DecodeError::of(Kind::Spawn(e.to_string())))),
            None => Err(e),
        },
        ok => ok,
    }
}

/// Builds an owned value from an encoded result: implemented by the generated
/// glue of every `#[derive(R2G)]` struct and here for the built-in types.
pub trait Decode: Sized {
    /// Decodes one value.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Decodes `n` values; scalars override this with a bulk copy.
    fn decode_vec(r: &mut Reader<'_>, n: usize) -> Result<Vec<Self>, DecodeError> {
        // Every element takes at least one byte, so a corrupt count cannot
        // make us reserve more than the buffer could hold.
        let mut v = Vec::with_capacity(n.min(r.buf.len()));
        for i in 0..n {
            v.push(Self::decode(r).map_err(|e| e.within(Seg::Index(i)))?);
        }
        Ok(v)
    }
}

impl Decode for () {
    fn decode(_: &mut Reader<'_>) -> Result<(), DecodeError> {
        Ok(())
    }
}

macro_rules! number_decode {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            #[inline]
            fn decode(r: &mut Reader<'_>) -> Result<$t, DecodeError> {
                let b = r.take(size_of::<$t>())?;
                Ok(<$t>::from_ne_bytes(b.try_into().expect("take returned the requested length")))
            }
            fn decode_vec(r: &mut Reader<'_>, n: usize) -> Result<Vec<$t>, DecodeError> {
                let bytes = n.checked_mul(size_of::<$t>()).ok_or_else(|| DecodeError::new("vector too long"))?;
                let b = r.take(bytes)?;
                Ok(b.chunks_exact(size_of::<$t>())
                    .map(|c| <$t>::from_ne_bytes(c.try_into().expect("chunks_exact yields whole elements")))
                    .collect())
            }
        }
    )*};
}
number_decode!(i8, i16, i32, i64, u16, u32, u64, f32, f64);

impl Decode for u8 {
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<u8, DecodeError> {
        Ok(r.take(1)?[0])
    }
    fn decode_vec(r: &mut Reader<'_>, n: usize) -> Result<Vec<u8>, DecodeError> {
        Ok(r.take(n)?.to_vec())
    }
}

// Go's int and uint are 64-bit on every target r2go supports; the layout
// assertions in generated code stop a build anywhere else.
impl Decode for isize {
    fn decode(r: &mut Reader<'_>) -> Result<isize, DecodeError> {
        let v = i64::decode(r)?;
        isize::try_from(v).map_err(|_| DecodeError::new(format!("{v} does not fit in isize")))
    }
}

impl Decode for usize {
    fn decode(r: &mut Reader<'_>) -> Result<usize, DecodeError> {
        let v = u64::decode(r)?;
        usize::try_from(v).map_err(|_| DecodeError::new(format!("{v} does not fit in usize")))
    }
}

impl Decode for bool {
    fn decode(r: &mut Reader<'_>) -> Result<bool, DecodeError> {
        match r.take(1)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(DecodeError::new(format!("invalid bool byte {b}"))),
        }
    }
}

impl Decode for String {
    fn decode(r: &mut Reader<'_>) -> Result<String, DecodeError> {
        let n = r.count()?;
        let b = r.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|e| {
            DecodeError::new(format!(
                "Go string is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Vec<T>, DecodeError> {
        let n = r.count()?;
        T::decode_vec(r, n)
    }
}

impl Decode for char {
    fn decode(r: &mut Reader<'_>) -> Result<char, DecodeError> {
        let v = u32::decode(r)?;
        char::from_u32(v).ok_or_else(|| {
            DecodeError::new(format!(
                "{v:#x} is not a Unicode scalar value (a surrogate, or above 0x10ffff)"
            ))
        })
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Box<T>, DecodeError> {
        T::decode(r).map(Box::new)
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Option<T>, DecodeError> {
        match r.take(1)?[0] {
            0 => Ok(None),
            1 => T::decode(r).map(Some),
            b => Err(DecodeError::new(format!("invalid Option tag {b}"))),
        }
    }
}

impl<T: Decode, const N: usize> Decode for [T; N] {
    fn decode(r: &mut Reader<'_>) -> Result<[T; N], DecodeError> {
        let v = T::decode_vec(r, N)?;
        v.try_into()
            .map_err(|_| DecodeError::new(format!("expected {N} array elements")))
    }
}

/// Decodes a map's entries, handing each to `insert`, which reports whether
/// the key was new.
fn decode_entries<K: Decode, V: Decode>(
    r: &mut Reader<'_>,
    mut insert: impl FnMut(K, V) -> bool,
) -> Result<(), DecodeError> {
    let n = r.count()?;
    for i in 0..n {
        let k = K::decode(r).map_err(|e| e.within(Seg::Key(i)))?;
        let v = V::decode(r).map_err(|e| e.within(Seg::Value(i)))?;
        if !insert(k, v) {
            return Err(DecodeError::new(format!("key [{i}] is repeated")));
        }
    }
    Ok(())
}

impl<K: Decode + Eq + Hash, V: Decode> Decode for HashMap<K, V> {
    fn decode(r: &mut Reader<'_>) -> Result<HashMap<K, V>, DecodeError> {
        let mut m = HashMap::new();
        decode_entries(r, |k, v| m.insert(k, v).is_none())?;
        Ok(m)
    }
}

impl<K: Decode + Ord, V: Decode> Decode for BTreeMap<K, V> {
    fn decode(r: &mut Reader<'_>) -> Result<BTreeMap<K, V>, DecodeError> {
        let mut m = BTreeMap::new();
        decode_entries(r, |k, v| m.insert(k, v).is_none())?;
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc_len(b: &mut Vec<u8>, n: u64) {
        b.extend_from_slice(&n.to_ne_bytes());
    }

    #[test]
    fn decodes_strings_vectors_and_scalars() {
        let mut b = Vec::new();
        enc_len(&mut b, 3);
        b.extend_from_slice("añ".as_bytes());
        enc_len(&mut b, 2);
        b.extend_from_slice(&(-5i64).to_ne_bytes());
        b.extend_from_slice(&i64::MAX.to_ne_bytes());
        b.push(1);
        let mut r = Reader::new(&b);
        assert_eq!(String::decode(&mut r).unwrap(), "añ");
        assert_eq!(Vec::<i64>::decode(&mut r).unwrap(), vec![-5, i64::MAX]);
        assert!(bool::decode(&mut r).unwrap());
        assert!(r.buf.is_empty());
    }

    #[test]
    fn rejects_bad_input_with_field_names() {
        let mut b = Vec::new();
        enc_len(&mut b, 2);
        b.extend_from_slice(&[0xff, 0xfe]);
        let err = Reader::new(&b).field::<String>("User.name").unwrap_err();
        assert_eq!(
            err.to_string(),
            "User.name: Go string is not valid UTF-8 (invalid byte at offset 0)"
        );

        let err = Reader::decode_all::<bool>(&[2]).unwrap_err();
        assert_eq!(err.to_string(), "invalid bool byte 2");

        let mut b = Vec::new();
        enc_len(&mut b, u64::MAX);
        let err = Reader::decode_all::<Vec<String>>(&b).unwrap_err();
        assert_eq!(
            err.to_string(),
            "[0]: result truncated: need 8 more bytes, have 0"
        );

        let err = Reader::decode_all::<u8>(&[1, 2]).unwrap_err();
        assert_eq!(err.to_string(), "1 unexpected bytes after the result");
    }

    #[test]
    fn lends_scalar_vectors_in_place_and_holds_element_arrays() {
        let mut keep = Keep::new();
        let v: Vec<u32> = vec![1, 2, 3];
        let r = v.to_ref(&mut keep).unwrap();
        assert_eq!(r.ptr, v.as_ptr().cast());
        assert_eq!(r.len, 3);
        assert!(keep.held.is_empty());

        let words = vec!["a".to_string(), "bc".to_string()];
        let r = words.to_ref(&mut keep).unwrap();
        assert_eq!(keep.held.len(), 1);
        // SAFETY: r points at the array of StrRef held by keep, of length r.len.
        let refs = unsafe { std::slice::from_raw_parts(r.ptr as *const StrRef, r.len) };
        assert_eq!(refs[1].ptr, words[1].as_ptr());
        assert_eq!(refs[1].len, 2);
    }

    #[test]
    fn lends_options_of_scalars_in_place_and_others_through_keep() {
        let mut keep = Keep::new();
        let none: Option<u64> = None;
        assert!(none.to_ref(&mut keep).unwrap().is_null());
        let some = Some(7u64);
        let r = some.to_ref(&mut keep).unwrap();
        assert_eq!(r, some.as_ref().unwrap() as *const u64);
        let c = Some('é');
        assert_eq!(
            c.to_ref(&mut keep).unwrap(),
            c.as_ref().unwrap() as *const char as *const u32
        );
        assert!(keep.held.is_empty());

        let name = Some("go".to_string());
        let r = name.to_ref(&mut keep).unwrap();
        assert_eq!(keep.held.len(), 1);
        // SAFETY: r points at the StrRef held by keep.
        let sr = unsafe { *r };
        assert_eq!((sr.ptr, sr.len), (name.as_ref().unwrap().as_ptr(), 2));

        let chars = ['a', '\u{10FFFF}'];
        let r = chars.to_ref(&mut keep).unwrap();
        assert_eq!((r.ptr, r.len), (chars.as_ptr().cast(), 2));
    }

    #[test]
    fn decodes_the_new_encodings() {
        let mut b = vec![1u8];
        b.extend_from_slice(&0x1F980u32.to_ne_bytes());
        b.push(0);
        b.extend_from_slice(&[1, 2]);
        enc_len(&mut b, 2);
        for (k, v) in [(3u16, true), (1u16, false)] {
            b.extend_from_slice(&k.to_ne_bytes());
            b.push(v as u8);
        }
        b.push(9);
        type All = (
            Option<char>,
            Option<u8>,
            [u8; 2],
            BTreeMap<u16, bool>,
            (u8,),
        );
        let (c, none, arr, map, one): All = Reader::decode_all(&b).unwrap();
        assert_eq!(c, Some('🦀'));
        assert_eq!(none, None);
        assert_eq!(arr, [1, 2]);
        assert_eq!(
            map.into_iter().collect::<Vec<_>>(),
            vec![(1, false), (3, true)]
        );
        assert_eq!(one, (9,));
    }

    #[test]
    fn rejects_invalid_chars_tags_and_repeated_keys() {
        for v in [0xD800u32, 0xDFFF, 0x110000, u32::MAX] {
            let err = Reader::decode_all::<char>(&v.to_ne_bytes()).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("{v:#x} is not a Unicode scalar value (a surrogate, or above 0x10ffff)")
            );
        }
        let err = Reader::decode_all::<Option<u8>>(&[2]).unwrap_err();
        assert_eq!(err.to_string(), "invalid Option tag 2");

        let mut b = Vec::new();
        enc_len(&mut b, 2);
        b.extend_from_slice(&[5, 1, 5, 2]);
        let err = Reader::decode_all::<HashMap<u8, u8>>(&b).unwrap_err();
        assert_eq!(err.to_string(), "key [1] is repeated");

        let err = Reader::decode_all::<[u16; 2]>(&[0, 0, 0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "result truncated: need 4 more bytes, have 3"
        );
    }

    /// A recursive type with the impls the generator writes for it.
    #[derive(Debug, Default)]
    struct Node {
        next: Option<Box<Node>>,
    }

    #[repr(C)]
    #[derive(Clone, Copy)]
    struct NodeRef {
        next: *const NodeRef,
    }

    impl ToRef for Node {
        type Ref = NodeRef;
        fn to_ref(&self, keep: &mut Keep) -> Result<NodeRef, LendError> {
            Ok(NodeRef {
                next: keep.field(&self.next, "Node.next")?,
            })
        }
    }

    impl Decode for Node {
        fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
            Ok(Node {
                next: r.field("Node.next")?,
            })
        }
    }

    fn chain(nodes: usize) -> Node {
        let mut n = Node::default();
        for _ in 1..nodes {
            n = Node {
                next: Some(Box::new(n)),
            };
        }
        n
    }

    /// Counts and frees a chain without recursing.
    fn unchain(n: Node) -> usize {
        let (mut count, mut next) = (1, n.next);
        while let Some(b) = next {
            next = b.next;
            count += 1;
        }
        count
    }

    fn encoded_chain(nodes: usize) -> Vec<u8> {
        let mut b = vec![1u8; nodes - 1];
        b.push(0);
        b
    }

    /// The message of a chain that failed at its depth limit: 10,001 fields
    /// after `root`, of which the 8 outermost and 8 innermost steps show.
    fn path_past_the_limit(root: &str) -> String {
        let shown = if root.is_empty() { 8 } else { 7 };
        let mut want = root.to_string();
        want += &"Node.next: ".repeat(shown);
        want += &format!("… {} more …: ", 10_001 - shown - 8);
        want += &"Node.next: ".repeat(8);
        want + "nested deeper than the depth limit of 10000 levels"
    }

    /// Runs f on a thread with a 256 KiB stack, far less than a chain of
    /// 10,000 nodes takes to lend or decode.
    fn on_small_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn_scoped(s, f)
                .unwrap()
                .join()
                .unwrap()
        })
    }

    #[test]
    fn decodes_values_up_to_the_depth_limit_on_a_small_stack() {
        assert_eq!(crate::depth::max_depth(), 10_000);
        on_small_stack(|| {
            let n: Node = Reader::decode_all(&encoded_chain(10_000)).unwrap();
            assert_eq!(unchain(n), 10_000);
            let err = Reader::decode_all::<Node>(&encoded_chain(10_001)).unwrap_err();
            assert_eq!(err.to_string(), path_past_the_limit(""));
            // Shallow values never leave the caller's thread.
            let n: Node = Reader::decode_all(&encoded_chain(3)).unwrap();
            assert_eq!(unchain(n), 3);
        });
    }

    #[test]
    fn lends_values_up_to_the_depth_limit_on_a_small_stack() {
        let deep = chain(10_000);
        let deeper = chain(10_001);
        on_small_stack(|| {
            let mut keep = Keep::new();
            let r = keep.arg("t", &deep).unwrap();
            // Follow the borrowed chain: every node was lent.
            let (mut count, mut next) = (1, r.next);
            while !next.is_null() {
                // SAFETY: every pointer points at a NodeRef held by keep.
                next = unsafe { (*next).next };
                count += 1;
            }
            assert_eq!(count, 10_000);
            let err = Keep::new().arg("t", &deeper).err().expect("too deep");
            assert_eq!(err.to_string(), path_past_the_limit("t: "));
        });
        assert_eq!(unchain(deep), 10_000);
        assert_eq!(unchain(deeper), 10_001);
    }
}
