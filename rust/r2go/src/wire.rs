//! The two representations values take across the boundary.
//!
//! Rust to Go: values are *lent*. A struct becomes a `#[repr(C)]` struct of
//! its fields' borrowed forms; strings and vectors become pointer-length pairs
//! into Rust memory ([`StrRef`], [`ListRef`]). Vectors of scalars lend their
//! own buffer (zero copy); vectors of anything else lend an array of borrowed
//! elements, held alive by a [`Keep`] until the call returns. Go copies what it
//! needs before returning, so nothing here outlives the call.
//!
//! Go to Rust: results arrive as one flat buffer in Go memory (Go may not lend
//! pointers into its own heap), which [`Decode`] turns into owned values while
//! Go waits. Encoding, in native byte order: scalars as their raw bytes (bool
//! as 0 or 1); strings and vectors as a u64 count followed by the elements;
//! structs as their fields in order.

use std::any::Any;
use std::ffi::c_void;
use std::fmt;

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

/// Keeps the arrays of borrowed elements alive until a call returns.
#[derive(Default)]
pub struct Keep {
    held: Vec<Box<dyn Any>>,
}

impl Keep {
    /// An empty keep; it allocates only when a vector of non-scalars is lent.
    pub fn new() -> Self {
        Self::default()
    }

    fn hold<T: 'static>(&mut self, v: Vec<T>) -> ListRef {
        let r = ListRef {
            ptr: v.as_ptr().cast(),
            len: v.len(),
        };
        // Moving the Vec into the box does not move its heap buffer, so `r`
        // stays valid for as long as `self` lives.
        self.held.push(Box::new(v));
        r
    }
}

/// Lends a value to Go: implemented by the generated glue of every
/// `#[derive(R2G)]` struct and here for the built-in types.
pub trait ToRef {
    /// The `#[repr(C)]` borrowed form.
    type Ref: Copy + 'static;

    /// Borrows `self`; the result is valid while `self` and `keep` live.
    fn to_ref(&self, keep: &mut Keep) -> Self::Ref;

    /// Borrows a slice. Scalars lend the slice itself; other types lend an
    /// array of their borrowed forms, held by `keep`.
    fn slice_ref(items: &[Self], keep: &mut Keep) -> ListRef
    where
        Self: Sized,
    {
        let refs: Vec<Self::Ref> = items.iter().map(|x| x.to_ref(keep)).collect();
        keep.hold(refs)
    }
}

macro_rules! scalar_to_ref {
    ($($t:ty),*) => {$(
        impl ToRef for $t {
            type Ref = $t;
            #[inline]
            fn to_ref(&self, _: &mut Keep) -> $t {
                *self
            }
            #[inline]
            fn slice_ref(items: &[$t], _: &mut Keep) -> ListRef {
                ListRef { ptr: items.as_ptr().cast(), len: items.len() }
            }
        }
    )*};
}
scalar_to_ref!(bool, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

impl ToRef for String {
    type Ref = StrRef;
    #[inline]
    fn to_ref(&self, _: &mut Keep) -> StrRef {
        StrRef {
            ptr: self.as_ptr(),
            len: self.len(),
        }
    }
}

impl<T: ToRef> ToRef for Vec<T> {
    type Ref = ListRef;
    #[inline]
    fn to_ref(&self, keep: &mut Keep) -> ListRef {
        T::slice_ref(self, keep)
    }
}

/// Why a result from Go could not be decoded; names the field it was in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    msg: String,
}

impl DecodeError {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        Self { msg: msg.into() }
    }

    fn within(self, field: &str) -> Self {
        Self {
            msg: format!("{field}: {}", self.msg),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for DecodeError {}

/// Reads an encoded result.
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over one encoded value.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf }
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

    /// Decodes one struct field, naming it in any error.
    pub fn field<T: Decode>(&mut self, name: &str) -> Result<T, DecodeError> {
        T::decode(self).map_err(|e| e.within(name))
    }

    /// Decodes a whole buffer as one `T`, rejecting trailing bytes.
    pub fn decode_all<T: Decode>(buf: &'a [u8]) -> Result<T, DecodeError> {
        let mut r = Reader::new(buf);
        let v = T::decode(&mut r)?;
        r.finish()?;
        Ok(v)
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
            v.push(Self::decode(r).map_err(|e| e.within(&format!("[{i}]")))?);
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
        let r = v.to_ref(&mut keep);
        assert_eq!(r.ptr, v.as_ptr().cast());
        assert_eq!(r.len, 3);
        assert!(keep.held.is_empty());

        let words = vec!["a".to_string(), "bc".to_string()];
        let r = words.to_ref(&mut keep);
        assert_eq!(keep.held.len(), 1);
        // SAFETY: r points at the array of StrRef held by keep, of length r.len.
        let refs = unsafe { std::slice::from_raw_parts(r.ptr as *const StrRef, r.len) };
        assert_eq!(refs[1].ptr, words[1].as_ptr());
        assert_eq!(refs[1].len, 2);
    }
}
