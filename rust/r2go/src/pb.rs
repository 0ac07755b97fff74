//! Protobuf (proto3) encoding of the values a bridge passes, for calls to a
//! Go side served over gRPC (ADR 0016).
//!
//! Each Rust type has one protobuf form, so the traits are implemented per
//! Rust type: here for the built-in types, by the generated glue for every
//! `#[derive(R2G)]` struct and enum. [`Encode`] writes a value as a field;
//! [`Decode`] merges the records of a field into a [`Decode::Slot`] and
//! builds the value from it once the message ends (a field without records
//! has its proto3 default).
//!
//! | Rust | protobuf |
//! |---|---|
//! | `bool` | `bool` |
//! | `i8`, `i16`, `i32` / `i64`, `isize` | `sint32` / `sint64` (zigzag) |
//! | `u8`, `u16`, `u32`, `char` / `u64`, `usize` | `uint32` / `uint64` |
//! | `f32` / `f64` | `float` / `double` |
//! | `String`, `&str` | `string` |
//! | `Vec<u8>`, `[u8; N]`, `&[u8]` | `bytes` |
//! | `Vec<T>`, `[T; N]` | `repeated`, numbers and enums packed |
//! | `Option<T>` | `optional` for scalars, the message for messages, else a wrapper `{ value = 1; }` |
//! | maps | `repeated` entries `{ key = 1; value = 2; }` (the bytes of a `map`) |
//! | `Box<T>` | `T` |
//! | tuples, structs | messages, fields numbered from 1 |
//! | enums without data / with data | `enum` / a message with a `oneof` |
//!
//! A `Vec` or `Option` inside a `Vec` or `Option`, and a map there, is
//! wrapped in a message whose field 1 is the inner value. Encoders omit
//! fields at their default, except `optional` ones and messages; decoders
//! take fields in any order, skip unknown ones of every wire type, accept
//! packed and unpacked numbers, take the last record of a singular field,
//! and fail with the path to the value on anything else. Values nest at most
//! as deep as [`set_max_depth`](crate::set_max_depth) allows, counted and
//! moved to a deeper stack as in process.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use crate::depth::{on_deep_stack, Depth};
use crate::wire::{DecodeError, Kind, LendError, Seg};

/// How the bytes of a record follow its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireType {
    Varint = 0,
    Fixed64 = 1,
    Len = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// What kind of protobuf value a Rust type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A varint: bools, integers, chars, enums.
    Varint,
    /// Four bytes: `float`.
    Fixed32,
    /// Eight bytes: `double`.
    Fixed64,
    /// Length-delimited scalar: `string`, `bytes`.
    Len,
    /// A message: structs, tuples, enums with data.
    Message,
    /// Repeated or optional values that need a wrapper message to be an
    /// element or an option themselves: `Vec`, `Option`, maps.
    Wrapped,
}

impl Shape {
    /// The wire type of one record of this shape.
    pub const fn wire(self) -> WireType {
        match self {
            Shape::Varint => WireType::Varint,
            Shape::Fixed32 => WireType::Fixed32,
            Shape::Fixed64 => WireType::Fixed64,
            Shape::Len | Shape::Message | Shape::Wrapped => WireType::Len,
        }
    }

    /// Whether repeated values of this shape are packed.
    pub const fn packed(self) -> bool {
        matches!(self, Shape::Varint | Shape::Fixed32 | Shape::Fixed64)
    }
}

/// The largest field number protobuf allows.
const MAX_FIELD: u64 = (1 << 29) - 1;

// ---------------------------------------------------------------- encoding

/// Writes a message, counting how deeply the value nests.
pub struct Writer {
    buf: Vec<u8>,
    depth: Depth,
}

impl Writer {
    fn with_depth(depth: Depth) -> Self {
        Writer {
            buf: Vec::new(),
            depth,
        }
    }

    /// Writes a record's tag.
    #[inline]
    pub fn tag(&mut self, field: u32, wt: WireType) {
        self.varint((u64::from(field) << 3) | wt as u64);
    }

    /// Writes a varint.
    #[inline]
    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    /// Writes an `int32` (an enum's value): negative values take ten bytes.
    #[inline]
    pub fn int32(&mut self, v: i32) {
        self.varint(i64::from(v) as u64);
    }

    /// Writes a length and the bytes.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    /// Writes what `body` writes, preceded by its length.
    pub fn nested(
        &mut self,
        body: impl FnOnce(&mut Self) -> Result<(), LendError>,
    ) -> Result<(), LendError> {
        // Most bodies are shorter than 128 bytes: one byte is kept for the
        // length, and longer bodies move up to make room for theirs.
        let start = self.buf.len();
        self.buf.push(0);
        body(self)?;
        let len = self.buf.len() - start - 1;
        if len < 0x80 {
            self.buf[start] = len as u8;
            return Ok(());
        }
        let mut prefix = [0u8; 10];
        let (mut n, mut v) = (0, len as u64);
        while v >= 0x80 {
            prefix[n] = (v as u8) | 0x80;
            v >>= 7;
            n += 1;
        }
        prefix[n] = v as u8;
        n += 1;
        self.buf
            .splice(start..start + 1, prefix[..n].iter().copied());
        Ok(())
    }

    /// Writes a struct's or variant's field `name`, a level deeper, naming it
    /// in any error; nothing when it has its default.
    pub fn field<T: Encode + ?Sized>(
        &mut self,
        tag: u32,
        v: &T,
        name: &'static str,
    ) -> Result<(), LendError> {
        self.depth
            .enter()
            .map_err(|d| LendError::deep(d).within(Seg::Field(name)))?;
        v.encode_field(tag, self)
            .map_err(|e| e.within(Seg::Field(name)))?;
        self.depth.leave();
        Ok(())
    }

    /// Writes the member `tag` of a `oneof`: a message whose body `body` writes.
    pub fn variant(
        &mut self,
        tag: u32,
        body: impl FnOnce(&mut Self) -> Result<(), LendError>,
    ) -> Result<(), LendError> {
        self.tag(tag, WireType::Len);
        self.nested(body)
    }
}

/// Encodes a message whose fields `body` writes: on this thread, or, when
/// the value nests deeper than this thread's stack should hold, from the
/// start on a thread of its own.
pub fn encode(
    body: impl Fn(&mut Writer) -> Result<(), LendError> + Sync,
) -> Result<Vec<u8>, LendError> {
    let attempt = |depth: Depth| {
        let mut w = Writer::with_depth(depth);
        body(&mut w).map(|()| w.buf)
    };
    match attempt(Depth::shallow()) {
        Err(e) => match e.needs_stack() {
            Some((level, used)) => {
                on_deep_stack(level, used, attempt).unwrap_or_else(|e| Err(LendError::spawn(e)))
            }
            None => Err(e),
        },
        ok => ok,
    }
}

/// Encodes the message `{ value = 1; }` holding `v`: a response, a stream
/// item, a typed error.
pub fn encode_value<T: Encode + Sync + ?Sized>(v: &T) -> Result<Vec<u8>, LendError> {
    encode(|w| v.encode_field(1, w))
}

/// Writes a value as a protobuf field: implemented by the generated glue of
/// every `#[derive(R2G)]` type and here for the built-in ones.
pub trait Encode {
    /// What kind of protobuf value this is.
    const SHAPE: Shape;

    /// Whether this is `u8`, whose vectors and arrays are `bytes`.
    const BYTE: bool = false;

    /// Writes the value's bytes after its tag (for messages and wrappers,
    /// the length and the body).
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError>;

    /// Whether proto3 omits this value as a field: zero, empty or false.
    /// Messages are always written.
    fn is_default(&self) -> bool {
        false
    }

    /// Writes the value as field `tag`: nothing at its default.
    fn encode_field(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
        if self.is_default() {
            return Ok(());
        }
        self.encode_present(tag, w)
    }

    /// Writes the value as field `tag` even at its default: as an element, an
    /// `optional` field, or (for `Vec`, `Option` and maps) a wrapper message.
    fn encode_present(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
        w.tag(tag, Self::SHAPE.wire());
        self.encode_raw(w)
    }

    /// Writes a repeated field: packed numbers, or one record per element.
    fn encode_repeated(items: &[Self], tag: u32, w: &mut Writer) -> Result<(), LendError>
    where
        Self: Sized,
    {
        if Self::SHAPE.packed() {
            if items.is_empty() {
                return Ok(());
            }
            w.tag(tag, WireType::Len);
            return w.nested(|w| items.iter().try_for_each(|x| x.encode_raw(w)));
        }
        for (i, x) in items.iter().enumerate() {
            x.encode_present(tag, w)
                .map_err(|e| e.within(Seg::Index(i)))?;
        }
        Ok(())
    }

    /// The elements as bytes, when they are `u8`.
    fn byte_slice(_items: &[Self]) -> Option<&[u8]>
    where
        Self: Sized,
    {
        None
    }
}

// ---------------------------------------------------------------- decoding

/// Reads a message, counting how deeply the value nests.
pub struct Reader<'a> {
    buf: &'a [u8],
    depth: Depth,
}

fn invalid(msg: impl Into<String>) -> DecodeError {
    DecodeError::new(msg)
}

impl<'a> Reader<'a> {
    /// A reader over one message's bytes.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            depth: Depth::shallow(),
        }
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Reads a varint.
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for i in 0..10 {
            let Some((&b, rest)) = self.buf.split_first() else {
                return Err(invalid("truncated varint"));
            };
            self.buf = rest;
            if i == 9 && b > 1 {
                return Err(invalid("varint longer than 64 bits"));
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(invalid("varint longer than 64 bits"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return Err(invalid(format!(
                "truncated: need {n} more bytes, have {}",
                self.buf.len()
            )));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// Reads four little-endian bytes.
    pub fn fixed32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes(b.try_into().expect("took 4 bytes")))
    }

    /// Reads eight little-endian bytes.
    pub fn fixed64(&mut self) -> Result<u64, DecodeError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("took 8 bytes")))
    }

    /// Reads a length and that many bytes.
    pub fn len_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| invalid(format!("length {n} too large")))?;
        self.take(n)
    }

    /// Reads an `int32` (an enum's value).
    pub fn int32(&mut self) -> Result<i32, DecodeError> {
        let v = self.varint()? as i64;
        i32::try_from(v).map_err(|_| invalid(format!("{v} does not fit in an enum's int32")))
    }

    /// The next record's field number and wire type; `None` at the end of
    /// the message.
    pub fn next_field(&mut self) -> Result<Option<(u32, WireType)>, DecodeError> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 || field > MAX_FIELD {
            return Err(invalid(format!("invalid field number {field}")));
        }
        let wt = match key & 7 {
            0 => WireType::Varint,
            1 => WireType::Fixed64,
            2 => WireType::Len,
            3 => WireType::StartGroup,
            4 => WireType::EndGroup,
            5 => WireType::Fixed32,
            w => return Err(invalid(format!("invalid wire type {w} of field {field}"))),
        };
        Ok(Some((field as u32, wt)))
    }

    /// Skips the value of a record of an unknown field. Groups (deprecated,
    /// but valid protobuf) are skipped to their end without recursion.
    pub fn skip(&mut self, wt: WireType) -> Result<(), DecodeError> {
        let mut groups = 0usize;
        let mut wt = wt;
        loop {
            match wt {
                WireType::Varint => {
                    self.varint()?;
                }
                WireType::Fixed64 => {
                    self.take(8)?;
                }
                WireType::Fixed32 => {
                    self.take(4)?;
                }
                WireType::Len => {
                    self.len_bytes()?;
                }
                WireType::StartGroup => groups += 1,
                WireType::EndGroup => {
                    if groups == 0 {
                        return Err(invalid("end of a group that was not started"));
                    }
                    groups -= 1;
                }
            }
            if groups == 0 {
                return Ok(());
            }
            match self.next_field()? {
                Some((_, next)) => wt = next,
                None => return Err(invalid("truncated group")),
            }
        }
    }

    /// Fails unless a record has the wire type `want`.
    pub fn expect(&self, got: WireType, want: WireType) -> Result<(), DecodeError> {
        if got == want {
            return Ok(());
        }
        Err(invalid(format!(
            "wire type {} where {} was expected",
            got as u8, want as u8
        )))
    }

    /// Reads a length-delimited body with `body`, which must read all of it.
    pub fn message<T>(
        &mut self,
        body: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        let bytes = self.len_bytes()?;
        let mut sub = Reader {
            buf: bytes,
            depth: self.depth,
        };
        // Each message is a level, as each struct field is when encoding:
        // a chain of n nodes is n levels both ways.
        sub.depth
            .enter()
            .map_err(|d| DecodeError::of(Kind::Deep(d)))?;
        let v = body(&mut sub)?;
        if !sub.buf.is_empty() {
            return Err(invalid(format!(
                "{} unexpected bytes after a message",
                sub.buf.len()
            )));
        }
        Ok(v)
    }

    /// Calls `each` with every record's field number and wire type until
    /// the end of the message; `each` reads or skips the record's value.
    pub fn each_field(
        &mut self,
        mut each: impl FnMut(&mut Self, u32, WireType) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        while let Some((tag, wt)) = self.next_field()? {
            each(self, tag, wt)?;
        }
        Ok(())
    }

    /// Merges a record of a struct's or variant's field `name` into its
    /// slot, naming it in any error.
    pub fn field<T: Decode>(
        &mut self,
        slot: &mut T::Slot,
        wt: WireType,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        T::merge(slot, wt, self).map_err(|e| e.within(Seg::Field(name)))
    }

    /// The value of the field `name` from its slot, once the message ended.
    pub fn finish<T: Decode>(slot: T::Slot, name: &'static str) -> Result<T, DecodeError> {
        T::finish(slot).map_err(|e| e.within(Seg::Field(name)))
    }
}

/// An empty slot for a field of type `T`.
pub fn slot<T: Decode>() -> T::Slot {
    T::Slot::default()
}

/// The error of a message of an enum with data in which no variant is set.
pub fn no_variant(enum_name: &str) -> DecodeError {
    invalid(format!("no variant of {enum_name} is set"))
}

/// Merges a record of a singular field: the last one wins.
pub fn merge_last<T: Decode>(
    slot: &mut Option<T>,
    wt: WireType,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    *slot = Some(T::decode_one(wt, r)?);
    Ok(())
}

/// The value of a singular field: its last record, or its default.
pub fn finish_last<T: Decode>(slot: Option<T>) -> Result<T, DecodeError> {
    match slot {
        Some(v) => Ok(v),
        None => T::absent(),
    }
}

/// The value of a field without records: what a zero varint or an empty
/// message decodes as (both are the byte 0). An enum without a zero
/// variant, or with data, has none: an error.
pub fn absent<T: Decode>() -> Result<T, DecodeError> {
    T::decode_raw(&mut Reader::new(&[0]))
}

/// Decodes all of `buf` with `body`: on this thread, or, when the value
/// nests deeper than this thread's stack should hold, from the start on a
/// thread of its own.
pub fn decode<T: Send>(
    buf: &[u8],
    body: impl Fn(&mut Reader<'_>) -> Result<T, DecodeError> + Sync,
) -> Result<T, DecodeError> {
    let attempt = |depth: Depth| body(&mut Reader { buf, depth });
    match attempt(Depth::shallow()) {
        Err(e) => match e.needs_stack() {
            Some((level, used)) => on_deep_stack(level, used, attempt)
                .unwrap_or_else(|e| Err(DecodeError::of(Kind::Spawn(e.to_string())))),
            None => Err(e),
        },
        ok => ok,
    }
}

/// Decodes the message `{ value = 1; }`: a response, a stream item, a typed
/// error.
pub fn decode_value<T: Decode + Send>(buf: &[u8]) -> Result<T, DecodeError> {
    decode(buf, |r| {
        let mut slot = slot::<T>();
        r.each_field(|r, tag, wt| match tag {
            1 => T::merge(&mut slot, wt, r),
            _ => r.skip(wt),
        })?;
        T::finish(slot)
    })
}

/// Builds a value from protobuf records: implemented by the generated glue
/// of every `#[derive(R2G)]` type and here for the built-in ones.
pub trait Decode: Sized {
    /// What kind of protobuf value this is.
    const SHAPE: Shape;

    /// What the records of a field of this type are merged into.
    type Slot: Default;

    /// Reads the value's bytes after its tag (for messages and wrappers, the
    /// length and the body).
    fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// The value of a field without records.
    fn absent() -> Result<Self, DecodeError>;

    /// Merges one record of a field of this type.
    fn merge(slot: &mut Self::Slot, wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError>;

    /// The field's value once every record was merged.
    fn finish(slot: Self::Slot) -> Result<Self, DecodeError>;

    /// Reads one record's value as an element or an option's value (the
    /// form [`Encode::encode_present`] writes).
    fn decode_one(wt: WireType, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.expect(wt, Self::SHAPE.wire())?;
        Self::decode_raw(r)
    }

    /// Appends one record of a repeated field: numbers may come packed.
    fn merge_repeated(
        v: &mut Vec<Self>,
        wt: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError> {
        if Self::SHAPE.packed() && wt == WireType::Len {
            let mut packed = Reader {
                buf: r.len_bytes()?,
                depth: r.depth,
            };
            while !packed.is_empty() {
                let x = Self::decode_raw(&mut packed).map_err(|e| e.within(Seg::Index(v.len())))?;
                v.push(x);
            }
            return Ok(());
        }
        let x = Self::decode_one(wt, r).map_err(|e| e.within(Seg::Index(v.len())))?;
        v.push(x);
        Ok(())
    }

    /// The bytes of a `bytes` record as elements, when they are `u8`.
    fn from_bytes(_b: &[u8]) -> Option<Vec<Self>> {
        None
    }
}

// ---------------------------------------------------------------- scalars

macro_rules! singular_decode {
    () => {
        type Slot = Option<Self>;
        fn merge(
            slot: &mut Option<Self>,
            wt: WireType,
            r: &mut Reader<'_>,
        ) -> Result<(), DecodeError> {
            merge_last(slot, wt, r)
        }
        fn finish(slot: Option<Self>) -> Result<Self, DecodeError> {
            finish_last(slot)
        }
    };
}

/// Integers carried as varints: `$t` widened to `$wide` to encode,
/// narrowed back with a range check to decode.
macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            const SHAPE: Shape = Shape::Varint;
            #[inline]
            fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
                w.varint(*self as u64);
                Ok(())
            }
            #[inline]
            fn is_default(&self) -> bool {
                *self == 0
            }
        }
        impl Decode for $t {
            const SHAPE: Shape = Shape::Varint;
            singular_decode!();
            #[inline]
            fn decode_raw(r: &mut Reader<'_>) -> Result<$t, DecodeError> {
                let v = r.varint()?;
                <$t>::try_from(v).map_err(|_| invalid(format!("{v} does not fit in {}", stringify!($t))))
            }
            fn absent() -> Result<$t, DecodeError> {
                Ok(0)
            }
        }
    )*};
}
unsigned!(u16, u32, u64, usize);

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            const SHAPE: Shape = Shape::Varint;
            #[inline]
            fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
                let v = *self as i64;
                w.varint(((v << 1) ^ (v >> 63)) as u64);
                Ok(())
            }
            #[inline]
            fn is_default(&self) -> bool {
                *self == 0
            }
        }
        impl Decode for $t {
            const SHAPE: Shape = Shape::Varint;
            singular_decode!();
            #[inline]
            fn decode_raw(r: &mut Reader<'_>) -> Result<$t, DecodeError> {
                let z = r.varint()?;
                let v = ((z >> 1) as i64) ^ -((z & 1) as i64);
                <$t>::try_from(v).map_err(|_| invalid(format!("{v} does not fit in {}", stringify!($t))))
            }
            fn absent() -> Result<$t, DecodeError> {
                Ok(0)
            }
        }
    )*};
}
// sint32 values are zigzag encodings of 32-bit numbers, which equal those of
// the same 64-bit numbers, so one encoding serves both widths.
signed!(i8, i16, i32, i64, isize);

impl Encode for u8 {
    const SHAPE: Shape = Shape::Varint;
    const BYTE: bool = true;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        w.varint(u64::from(*self));
        Ok(())
    }
    fn is_default(&self) -> bool {
        *self == 0
    }
    fn byte_slice(items: &[u8]) -> Option<&[u8]> {
        Some(items)
    }
}

impl Decode for u8 {
    const SHAPE: Shape = Shape::Varint;
    singular_decode!();
    fn decode_raw(r: &mut Reader<'_>) -> Result<u8, DecodeError> {
        let v = r.varint()?;
        u8::try_from(v).map_err(|_| invalid(format!("{v} does not fit in u8")))
    }
    fn absent() -> Result<u8, DecodeError> {
        Ok(0)
    }
    fn from_bytes(b: &[u8]) -> Option<Vec<u8>> {
        Some(b.to_vec())
    }
}

impl Encode for bool {
    const SHAPE: Shape = Shape::Varint;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        w.varint(u64::from(*self));
        Ok(())
    }
    fn is_default(&self) -> bool {
        !*self
    }
}

impl Decode for bool {
    const SHAPE: Shape = Shape::Varint;
    singular_decode!();
    fn decode_raw(r: &mut Reader<'_>) -> Result<bool, DecodeError> {
        // Protobuf reads any non-zero varint as true.
        Ok(r.varint()? != 0)
    }
    fn absent() -> Result<bool, DecodeError> {
        Ok(false)
    }
}

impl Encode for char {
    const SHAPE: Shape = Shape::Varint;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        w.varint(u64::from(u32::from(*self)));
        Ok(())
    }
    fn is_default(&self) -> bool {
        *self == '\0'
    }
}

impl Decode for char {
    const SHAPE: Shape = Shape::Varint;
    singular_decode!();
    fn decode_raw(r: &mut Reader<'_>) -> Result<char, DecodeError> {
        let v = r.varint()?;
        u32::try_from(v)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| {
                invalid(format!(
                    "{v:#x} is not a Unicode scalar value (a surrogate, or above 0x10ffff)"
                ))
            })
    }
    fn absent() -> Result<char, DecodeError> {
        Ok('\0')
    }
}

macro_rules! float {
    ($t:ty, $shape:ident, $read:ident) => {
        impl Encode for $t {
            const SHAPE: Shape = Shape::$shape;
            fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
                w.buf.extend_from_slice(&self.to_le_bytes());
                Ok(())
            }
            // -0.0 is written, so that it comes back as -0.0.
            fn is_default(&self) -> bool {
                self.to_bits() == 0
            }
        }
        impl Decode for $t {
            const SHAPE: Shape = Shape::$shape;
            singular_decode!();
            fn decode_raw(r: &mut Reader<'_>) -> Result<$t, DecodeError> {
                Ok(<$t>::from_bits(r.$read()?))
            }
            fn absent() -> Result<$t, DecodeError> {
                Ok(0.0)
            }
        }
    };
}
float!(f32, Fixed32, fixed32);
float!(f64, Fixed64, fixed64);

impl Encode for str {
    const SHAPE: Shape = Shape::Len;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        w.bytes(self.as_bytes());
        Ok(())
    }
    fn is_default(&self) -> bool {
        self.is_empty()
    }
}

impl Encode for String {
    const SHAPE: Shape = Shape::Len;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        self.as_str().encode_raw(w)
    }
    fn is_default(&self) -> bool {
        self.is_empty()
    }
}

impl Decode for String {
    const SHAPE: Shape = Shape::Len;
    singular_decode!();
    fn decode_raw(r: &mut Reader<'_>) -> Result<String, DecodeError> {
        let b = r.len_bytes()?;
        std::str::from_utf8(b).map(str::to_owned).map_err(|e| {
            invalid(format!(
                "string is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ))
        })
    }
    fn absent() -> Result<String, DecodeError> {
        Ok(String::new())
    }
}

impl Encode for () {
    const SHAPE: Shape = Shape::Message;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        w.nested(|_| Ok(()))
    }
    fn encode_field(&self, _: u32, _: &mut Writer) -> Result<(), LendError> {
        Ok(())
    }
}

/// What a method that returns nothing answers: an empty message, whose
/// fields are ignored.
impl Decode for () {
    const SHAPE: Shape = Shape::Message;
    type Slot = ();
    fn merge(_: &mut (), wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.skip(wt)
    }
    fn finish(_: ()) -> Result<(), DecodeError> {
        Ok(())
    }
    fn decode_raw(r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.message(|r| r.each_field(|r, _, wt| r.skip(wt)))
    }
    fn absent() -> Result<(), DecodeError> {
        Ok(())
    }
}

// ---------------------------------------------------------------- containers

impl<T: Encode + ?Sized> Encode for Box<T> {
    const SHAPE: Shape = T::SHAPE;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        (**self).encode_raw(w)
    }
    fn is_default(&self) -> bool {
        (**self).is_default()
    }
    fn encode_field(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
        (**self).encode_field(tag, w)
    }
    fn encode_present(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
        (**self).encode_present(tag, w)
    }
}

impl<T: Decode> Decode for Box<T> {
    const SHAPE: Shape = T::SHAPE;
    type Slot = T::Slot;
    fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        T::decode_raw(r).map(Box::new)
    }
    fn absent() -> Result<Self, DecodeError> {
        T::absent().map(Box::new)
    }
    fn merge(slot: &mut T::Slot, wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        T::merge(slot, wt, r)
    }
    fn finish(slot: T::Slot) -> Result<Self, DecodeError> {
        T::finish(slot).map(Box::new)
    }
    fn decode_one(wt: WireType, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        T::decode_one(wt, r).map(Box::new)
    }
}

/// The shape of a sequence of `T`: `bytes` for `u8`, else repeated.
const fn seq_shape(byte: bool) -> Shape {
    if byte {
        Shape::Len
    } else {
        Shape::Wrapped
    }
}

impl<T: Encode> Encode for [T] {
    const SHAPE: Shape = seq_shape(T::BYTE);
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        match T::byte_slice(self) {
            Some(b) => {
                w.bytes(b);
                Ok(())
            }
            None => w.nested(|w| T::encode_repeated(self, 1, w)),
        }
    }
    fn is_default(&self) -> bool {
        self.is_empty()
    }
    fn encode_field(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
        match T::byte_slice(self) {
            Some([]) => Ok(()),
            Some(b) => {
                w.tag(tag, WireType::Len);
                w.bytes(b);
                Ok(())
            }
            None => T::encode_repeated(self, tag, w),
        }
    }
}

impl<T: Encode> Encode for Vec<T> {
    const SHAPE: Shape = seq_shape(T::BYTE);
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        self.as_slice().encode_raw(w)
    }
    fn is_default(&self) -> bool {
        self.is_empty()
    }
    fn encode_field(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
        self.as_slice().encode_field(tag, w)
    }
}

impl<T: Encode, const N: usize> Encode for [T; N] {
    const SHAPE: Shape = seq_shape(T::BYTE);
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        self.as_slice().encode_raw(w)
    }
    fn is_default(&self) -> bool {
        N == 0
    }
    fn encode_field(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
        self.as_slice().encode_field(tag, w)
    }
}

/// Merges one record of a field of type `Vec<T>`.
fn merge_seq<T: Decode>(
    v: &mut Vec<T>,
    wt: WireType,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    if T::from_bytes(&[]).is_some() {
        // bytes: one record holds the whole vector; the last one wins.
        r.expect(wt, WireType::Len)?;
        *v = T::from_bytes(r.len_bytes()?).expect("checked: T is u8");
        return Ok(());
    }
    T::merge_repeated(v, wt, r)
}

/// Reads a sequence as an element or option: `bytes`, or a wrapper whose
/// field 1 holds the elements.
fn decode_seq<T: Decode>(r: &mut Reader<'_>) -> Result<Vec<T>, DecodeError> {
    if T::from_bytes(&[]).is_some() {
        return Ok(T::from_bytes(r.len_bytes()?).expect("checked: T is u8"));
    }
    r.message(|r| {
        let mut v = Vec::new();
        r.each_field(|r, tag, wt| match tag {
            1 => T::merge_repeated(&mut v, wt, r),
            _ => r.skip(wt),
        })?;
        Ok(v)
    })
}

impl<T: Decode> Decode for Vec<T> {
    const SHAPE: Shape = Shape::Wrapped;
    type Slot = Vec<T>;
    fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        decode_seq(r)
    }
    fn absent() -> Result<Self, DecodeError> {
        Ok(Vec::new())
    }
    fn merge(slot: &mut Vec<T>, wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        merge_seq(slot, wt, r)
    }
    fn finish(slot: Vec<T>) -> Result<Self, DecodeError> {
        Ok(slot)
    }
    // Both bytes and wrappers are length-delimited.
    fn decode_one(wt: WireType, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.expect(wt, WireType::Len)?;
        decode_seq(r)
    }
}

fn array<T, const N: usize>(v: Vec<T>) -> Result<[T; N], DecodeError> {
    let n = v.len();
    v.try_into()
        .map_err(|_| invalid(format!("expected {N} array elements, got {n}")))
}

impl<T: Decode, const N: usize> Decode for [T; N] {
    const SHAPE: Shape = Shape::Wrapped;
    type Slot = Vec<T>;
    fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        array(decode_seq(r)?)
    }
    fn absent() -> Result<Self, DecodeError> {
        array(Vec::new())
    }
    fn merge(slot: &mut Vec<T>, wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        merge_seq(slot, wt, r)
    }
    fn finish(slot: Vec<T>) -> Result<Self, DecodeError> {
        array(slot)
    }
    fn decode_one(wt: WireType, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.expect(wt, WireType::Len)?;
        array(decode_seq(r)?)
    }
}

impl<T: Encode> Encode for Option<T> {
    const SHAPE: Shape = Shape::Wrapped;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        w.nested(|w| self.encode_field(1, w))
    }
    fn is_default(&self) -> bool {
        self.is_none()
    }
    fn encode_field(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
        match self {
            None => Ok(()),
            Some(v) => v.encode_present(tag, w),
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    const SHAPE: Shape = Shape::Wrapped;
    type Slot = Option<Option<T>>;
    /// A wrapper message: field 1 absent is `None`.
    fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.message(|r| {
            let mut slot = None;
            r.each_field(|r, tag, wt| match tag {
                1 => Self::merge(&mut slot, wt, r),
                _ => r.skip(wt),
            })?;
            Self::finish(slot)
        })
    }
    fn absent() -> Result<Self, DecodeError> {
        Ok(None)
    }
    fn merge(
        slot: &mut Option<Option<T>>,
        wt: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError> {
        *slot = Some(Some(T::decode_one(wt, r)?));
        Ok(())
    }
    fn finish(slot: Option<Option<T>>) -> Result<Self, DecodeError> {
        Ok(slot.flatten())
    }
}

/// Writes each entry of a map as a message `{ key = 1; value = 2; }`.
fn encode_entries<'a, K: Encode + 'a, V: Encode + 'a>(
    entries: impl Iterator<Item = (&'a K, &'a V)>,
    tag: u32,
    w: &mut Writer,
) -> Result<(), LendError> {
    for (i, (k, v)) in entries.enumerate() {
        w.tag(tag, WireType::Len);
        w.nested(|w| {
            k.encode_field(1, w).map_err(|e| e.within(Seg::Key(i)))?;
            v.encode_field(2, w).map_err(|e| e.within(Seg::Value(i)))
        })?;
    }
    Ok(())
}

/// Reads one entry of a map; an absent key or value is its default.
fn decode_entry<K: Decode, V: Decode>(
    wt: WireType,
    r: &mut Reader<'_>,
    i: usize,
) -> Result<(K, V), DecodeError> {
    r.expect(wt, WireType::Len)?;
    r.message(|r| {
        let (mut k, mut v) = (slot::<K>(), slot::<V>());
        r.each_field(|r, tag, wt| match tag {
            1 => K::merge(&mut k, wt, r).map_err(|e| e.within(Seg::Key(i))),
            2 => V::merge(&mut v, wt, r).map_err(|e| e.within(Seg::Value(i))),
            _ => r.skip(wt),
        })?;
        Ok((
            K::finish(k).map_err(|e| e.within(Seg::Key(i)))?,
            V::finish(v).map_err(|e| e.within(Seg::Value(i)))?,
        ))
    })
}

/// Reads a map as an element or option: a wrapper whose field 1 holds the
/// entries.
fn decode_map<M: Default>(
    r: &mut Reader<'_>,
    merge: fn(&mut M, WireType, &mut Reader<'_>) -> Result<(), DecodeError>,
) -> Result<M, DecodeError> {
    r.message(|r| {
        let mut m = M::default();
        r.each_field(|r, tag, wt| match tag {
            1 => merge(&mut m, wt, r),
            _ => r.skip(wt),
        })?;
        Ok(m)
    })
}

macro_rules! map {
    ($map:ident, $($bound:tt)+) => {
        impl<K: Encode, V: Encode> Encode for $map<K, V> {
            const SHAPE: Shape = Shape::Wrapped;
            fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
                w.nested(|w| self.encode_field(1, w))
            }
            fn is_default(&self) -> bool {
                self.is_empty()
            }
            fn encode_field(&self, tag: u32, w: &mut Writer) -> Result<(), LendError> {
                encode_entries(self.iter(), tag, w)
            }
        }

        /// A repeated key takes the last value, as protobuf's maps do.
        impl<K: Decode + $($bound)+, V: Decode> Decode for $map<K, V> {
            const SHAPE: Shape = Shape::Wrapped;
            type Slot = Self;
            fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                decode_map(r, <Self as Decode>::merge)
            }
            fn absent() -> Result<Self, DecodeError> {
                Ok(Self::new())
            }
            fn merge(slot: &mut Self, wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
                let (k, v) = decode_entry(wt, r, slot.len())?;
                slot.insert(k, v);
                Ok(())
            }
            fn finish(slot: Self) -> Result<Self, DecodeError> {
                Ok(slot)
            }
            fn decode_one(wt: WireType, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.expect(wt, WireType::Len)?;
                decode_map(r, <Self as Decode>::merge)
            }
        }
    };
}
map!(HashMap, Eq + Hash);
map!(BTreeMap, Ord);

macro_rules! tuples {
    ($(($($t:ident $v:ident $i:tt $tag:literal),+))+) => {$(
        /// A tuple is a message with fields `f0`, `f1`, … numbered from 1.
        impl<$($t: Encode),+> Encode for ($($t,)+) {
            const SHAPE: Shape = Shape::Message;
            fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
                w.nested(|w| {
                    $(w.field($tag, &self.$i, stringify!($i))?;)+
                    Ok(())
                })
            }
        }

        impl<$($t: Decode),+> Decode for ($($t,)+) {
            const SHAPE: Shape = Shape::Message;
            singular_decode!();
            fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.message(|r| {
                    $(let mut $v = slot::<$t>();)+
                    r.each_field(|r, tag, wt| match tag {
                        $($tag => r.field::<$t>(&mut $v, wt, stringify!($i)),)+
                        _ => r.skip(wt),
                    })?;
                    Ok(($(Reader::finish::<$t>($v, stringify!($i))?,)+))
                })
            }
            fn absent() -> Result<Self, DecodeError> {
                absent()
            }
        }
    )+};
}

tuples! {
    (A a 0 1)
    (A a 0 1, B b 1 2)
    (A a 0 1, B b 1 2, C c 2 3)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4, E e 4 5)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4, E e 4 5, F f 5 6)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4, E e 4 5, F f 5 6, G g 6 7)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4, E e 4 5, F f 5 6, G g 6 7, H h 7 8)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4, E e 4 5, F f 5 6, G g 6 7, H h 7 8, I i 8 9)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4, E e 4 5, F f 5 6, G g 6 7, H h 7 8, I i 8 9, J j 9 10)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4, E e 4 5, F f 5 6, G g 6 7, H h 7 8, I i 8 9, J j 9 10, K k 10 11)
    (A a 0 1, B b 1 2, C c 2 3, D d 3 4, E e 4 5, F f 5 6, G g 6 7, H h 7 8, I i 8 9, J j 9 10, K k 10 11, L l 11 12)
}

#[cfg(test)]
#[path = "pb_tests.rs"]
mod tests;
