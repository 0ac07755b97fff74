//! Tests of the protobuf codec: exact bytes, prost in both directions, the
//! errors' paths, the depth limit, and random bytes.

use std::collections::{BTreeMap, HashMap};

use super::*;

/// Encodes `v` as field 1 of a message.
fn enc<T: Encode + Sync + ?Sized>(v: &T) -> Vec<u8> {
    encode_value(v).unwrap()
}

fn dec<T: Decode + Send>(b: &[u8]) -> Result<T, String> {
    decode_value::<T>(b).map_err(|e| e.to_string())
}

#[test]
fn scalars_have_their_exact_bytes() {
    assert_eq!(enc(&150u32), [0x08, 0x96, 0x01]);
    assert_eq!(enc(&0u32), [] as [u8; 0]);
    assert_eq!(enc(&-1i32), [0x08, 0x01]);
    assert_eq!(enc(&1i8), [0x08, 0x02]);
    assert_eq!(
        enc(&i64::MIN),
        [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
    assert_eq!(
        enc(&u64::MAX),
        [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
    assert_eq!(enc(&true), [0x08, 0x01]);
    assert_eq!(enc(&false), [] as [u8; 0]);
    assert_eq!(enc(&'é'), [0x08, 0xe9, 0x01]);
    assert_eq!(enc(&1.0f32), [0x0d, 0, 0, 0x80, 0x3f]);
    assert_eq!(enc(&1.0f64), [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    // -0.0 is not the default, so it survives the round trip.
    assert_eq!(enc(&-0.0f64), [0x09, 0, 0, 0, 0, 0, 0, 0, 0x80]);
    assert_eq!(enc("hi"), [0x0a, 0x02, b'h', b'i']);
    assert_eq!(enc(&String::new()), [] as [u8; 0]);
    for (v, b) in [(300u32, &[0x08, 0xac, 0x02][..]), (0, &[][..])] {
        assert_eq!(dec::<u32>(b), Ok(v));
    }
    assert_eq!(dec::<i16>(&[0x08, 0x03]), Ok(-2));
    assert_eq!(
        dec::<f64>(&enc(&-0.0f64)).map(f64::to_bits),
        Ok((-0.0f64).to_bits())
    );
    assert_eq!(dec::<String>(&[]), Ok(String::new()));
}

#[test]
fn sequences_options_and_maps_have_their_exact_bytes() {
    // Packed numbers; bytes for u8.
    assert_eq!(enc(&vec![1u32, 2, 300]), [0x0a, 0x04, 1, 2, 0xac, 0x02]);
    assert_eq!(enc(&vec![0u8, 7]), [0x0a, 0x02, 0, 7]);
    assert_eq!(enc(&[9u8; 2]), [0x0a, 0x02, 9, 9]);
    assert_eq!(enc(&Vec::<u32>::new()), [] as [u8; 0]);
    // One record per string, the empty one too.
    assert_eq!(
        enc(&vec!["a".to_string(), String::new()]),
        [0x0a, 1, b'a', 0x0a, 0]
    );
    // Optional scalars are written at their default.
    assert_eq!(enc(&Some(0u32)), [0x08, 0]);
    assert_eq!(enc(&None::<u32>), [] as [u8; 0]);
    // A Vec inside an Option is wrapped: { repeated value = 1 }.
    assert_eq!(enc(&Some(vec![5u32])), [0x0a, 0x03, 0x0a, 0x01, 5]);
    assert_eq!(enc(&Some(Vec::<u32>::new())), [0x0a, 0x00]);
    // Option<Option<i32>>: Some(None) is an empty wrapper.
    assert_eq!(enc(&Some(None::<i32>)), [0x0a, 0x00]);
    assert_eq!(enc(&Some(Some(0i32))), [0x0a, 0x02, 0x08, 0x00]);
    assert_eq!(dec::<Option<Option<i32>>>(&[0x0a, 0x00]), Ok(Some(None)));
    assert_eq!(dec::<Option<Option<i32>>>(&[]), Ok(None));
    assert_eq!(
        dec::<Option<Option<i32>>>(&[0x0a, 0x02, 0x08, 0x00]),
        Ok(Some(Some(0)))
    );
    // Vec<Option<char>>: each element a wrapper.
    assert_eq!(
        enc(&vec![Some('a'), None]),
        [0x0a, 0x02, 0x08, b'a', 0x0a, 0x00]
    );
    // Vec<Vec<String>>: each element a wrapper.
    assert_eq!(
        enc(&vec![vec!["x".to_string()]]),
        [0x0a, 0x03, 0x0a, 0x01, b'x']
    );
    // Maps: one entry message per key, defaults omitted inside.
    let m: BTreeMap<u32, String> = [(1, "a".to_string()), (0, String::new())].into();
    assert_eq!(
        enc(&m),
        [0x0a, 0x00, 0x0a, 0x05, 0x08, 0x01, 0x12, 0x01, b'a']
    );
    assert_eq!(dec::<BTreeMap<u32, String>>(&enc(&m)), Ok(m));
    // Tuples are messages with fields 1, 2, …
    assert_eq!(
        enc(&(7u8, "b".to_string())),
        [0x0a, 0x05, 0x08, 7, 0x12, 1, b'b']
    );
    assert_eq!(
        dec::<(u8, String)>(&[0x0a, 0x05, 0x08, 7, 0x12, 1, b'b']),
        Ok((7, "b".into()))
    );
    assert_eq!(dec::<(u8, String)>(&[]), Ok((0, String::new())));
}

#[test]
fn decoders_accept_unpacked_numbers_any_order_and_unknown_fields() {
    // Unpacked and packed records of one repeated field append.
    assert_eq!(
        dec::<Vec<u32>>(&[0x08, 1, 0x0a, 0x02, 2, 3, 0x08, 4]),
        Ok(vec![1, 2, 3, 4])
    );
    assert_eq!(dec::<[u16; 2]>(&[0x08, 1, 0x08, 2]), Ok([1, 2]));
    // The last record of a singular field wins.
    assert_eq!(dec::<u32>(&[0x08, 1, 0x08, 2]), Ok(2));
    // Unknown fields of every wire type, a group with a nested group among them.
    let mut b = vec![
        0x10, 0x96, 0x01, // 2: varint
        0x19, 1, 2, 3, 4, 5, 6, 7, 8, // 3: fixed64
        0x22, 0x02, 0xff, 0xfe, // 4: len
        0x2b, // 5: start group
        0x33, 0x08, 0x01, 0x34, // 6: a nested group holding a varint
        0x2c, // 5: end group
        0x3d, 1, 2, 3, 4, // 7: fixed32
    ];
    b.extend_from_slice(&[0x08, 42]);
    assert_eq!(dec::<u64>(&b), Ok(42));
    assert_eq!(dec::<()>(&b), Ok(()));
    // A map entry without key or value is the default of both.
    assert_eq!(
        dec::<HashMap<String, u8>>(&[0x0a, 0x00]),
        Ok([(String::new(), 0)].into())
    );
    // A repeated key takes the last value.
    assert_eq!(
        dec::<HashMap<u8, u8>>(&[0x0a, 0x04, 0x08, 1, 0x10, 1, 0x0a, 0x04, 0x08, 1, 0x10, 2]),
        Ok([(1, 2)].into())
    );
}

#[test]
fn decoders_reject_invalid_values_naming_them() {
    assert_eq!(
        dec::<u8>(&[0x08, 0x80, 0x02]),
        Err("256 does not fit in u8".into())
    );
    assert_eq!(
        dec::<i8>(&[0x08, 0x80, 0x02]),
        Err("128 does not fit in i8".into())
    );
    assert_eq!(
        dec::<char>(&[0x08, 0x80, 0xb0, 0x03]),
        Err("0xd800 is not a Unicode scalar value (a surrogate, or above 0x10ffff)".into())
    );
    assert_eq!(
        dec::<String>(&[0x0a, 0x02, b'o', 0xff]),
        Err("string is not valid UTF-8 (invalid byte at offset 1)".into())
    );
    assert_eq!(
        dec::<u32>(&[0x0a, 0x00]),
        Err("wire type 2 where 0 was expected".into())
    );
    assert_eq!(
        dec::<[u16; 2]>(&[0x08, 1]),
        Err("expected 2 array elements, got 1".into())
    );
    assert_eq!(
        dec::<[u8; 2]>(&[]),
        Err("expected 2 array elements, got 0".into())
    );
    assert_eq!(dec::<u32>(&[0x08]), Err("truncated varint".into()));
    assert_eq!(
        dec::<u32>(&[0x00, 0x00]),
        Err("invalid field number 0".into())
    );
    assert_eq!(
        dec::<u32>(&[0x0f]),
        Err("invalid wire type 7 of field 1".into())
    );
    assert_eq!(dec::<u32>(&[0x13]), Err("truncated group".into()));
    assert_eq!(
        dec::<u32>(&[0x14]),
        Err("end of a group that was not started".into())
    );
    assert_eq!(
        dec::<String>(&[0x0a, 0x05, b'a']),
        Err("truncated: need 5 more bytes, have 1".into())
    );
    // Paths: the element of a repeated field, a map's value, a struct field.
    assert_eq!(
        dec::<Vec<u8>>(&[0x0a, 0x01]),
        Err("truncated: need 1 more bytes, have 0".into())
    );
    assert_eq!(
        dec::<Vec<u16>>(&[0x08, 1, 0x08, 0x80, 0x80, 0x04]),
        Err("[1]: 65536 does not fit in u16".into())
    );
    assert_eq!(
        dec::<BTreeMap<u8, char>>(&[0x0a, 0x06, 0x08, 1, 0x10, 0x80, 0xb0, 0x03]),
        Err(
            "value [0]: 0xd800 is not a Unicode scalar value (a surrogate, or above 0x10ffff)"
                .into()
        )
    );
    assert_eq!(
        dec::<User>(&[0x0a, 0x03, 0x10, 0x80, 0x02]),
        Err("User.age: 256 does not fit in u8".into())
    );
    assert_eq!(
        dec::<(u8, (String,))>(&[0x0a, 0x05, 0x12, 0x03, 0x0a, 0x01, 0xff]),
        Err("1: 0: string is not valid UTF-8 (invalid byte at offset 0)".into())
    );
}

// What the generator writes for a struct, by hand.

#[derive(Debug, Clone, PartialEq, Default)]
struct User {
    name: String,
    age: u8,
}

impl Encode for User {
    const SHAPE: Shape = Shape::Message;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        w.nested(|w| {
            w.field(1, &self.name, "User.name")?;
            w.field(2, &self.age, "User.age")?;
            Ok(())
        })
    }
}

impl Decode for User {
    const SHAPE: Shape = Shape::Message;
    type Slot = Option<Self>;
    fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.message(|r| {
            let mut f0 = slot::<String>();
            let mut f1 = slot::<u8>();
            r.each_field(|r, tag, wt| match tag {
                1 => r.field::<String>(&mut f0, wt, "User.name"),
                2 => r.field::<u8>(&mut f1, wt, "User.age"),
                _ => r.skip(wt),
            })?;
            Ok(User {
                name: Reader::finish(f0, "User.name")?,
                age: Reader::finish(f1, "User.age")?,
            })
        })
    }
    fn absent() -> Result<Self, DecodeError> {
        absent()
    }
    fn merge(slot: &mut Option<Self>, wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        merge_last(slot, wt, r)
    }
    fn finish(slot: Option<Self>) -> Result<Self, DecodeError> {
        finish_last(slot)
    }
}

/// Many kinds of field in one message.
#[derive(Debug, Clone, PartialEq, Default)]
struct All {
    a: i32,
    b: i64,
    c: u64,
    f: f32,
    d: f64,
    t: bool,
    bytes: Vec<u8>,
    nums: Vec<u32>,
    users: Vec<User>,
    scores: BTreeMap<String, i64>,
    maybe: Option<u32>,
    owner: Option<User>,
    names: Vec<String>,
    deltas: Vec<i16>,
}

macro_rules! all_fields {
    ($m:ident) => {
        $m! {
            1 a i32, 2 b i64, 3 c u64, 4 f f32, 5 d f64, 6 t bool, 7 bytes Vec<u8>,
            8 nums Vec<u32>, 9 users Vec<User>, 10 scores BTreeMap<String, i64>,
            11 maybe Option<u32>, 12 owner Option<User>, 13 names Vec<String>, 14 deltas Vec<i16>
        }
    };
}

macro_rules! impl_all {
    ($($tag:literal $f:ident $t:ty),+) => {
        impl Encode for All {
            const SHAPE: Shape = Shape::Message;
            fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
                w.nested(|w| {
                    $(w.field($tag, &self.$f, stringify!($f))?;)+
                    Ok(())
                })
            }
        }
        impl Decode for All {
            const SHAPE: Shape = Shape::Message;
            type Slot = Option<Self>;
            fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                r.message(|r| {
                    $(let mut $f = slot::<$t>();)+
                    r.each_field(|r, tag, wt| match tag {
                        $($tag => r.field::<$t>(&mut $f, wt, stringify!($f)),)+
                        _ => r.skip(wt),
                    })?;
                    Ok(All { $($f: Reader::finish($f, stringify!($f))?,)+ })
                })
            }
            fn absent() -> Result<Self, DecodeError> {
                absent()
            }
            fn merge(slot: &mut Option<Self>, wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
                merge_last(slot, wt, r)
            }
            fn finish(slot: Option<Self>) -> Result<Self, DecodeError> {
                finish_last(slot)
            }
        }
    };
}
all_fields!(impl_all);

mod peer {
    //! The same messages for prost.
    use std::collections::BTreeMap;

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct User {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(uint32, tag = "2")]
        pub age: u32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct All {
        #[prost(sint32, tag = "1")]
        pub a: i32,
        #[prost(sint64, tag = "2")]
        pub b: i64,
        #[prost(uint64, tag = "3")]
        pub c: u64,
        #[prost(float, tag = "4")]
        pub f: f32,
        #[prost(double, tag = "5")]
        pub d: f64,
        #[prost(bool, tag = "6")]
        pub t: bool,
        #[prost(bytes = "vec", tag = "7")]
        pub bytes: Vec<u8>,
        #[prost(uint32, repeated, tag = "8")]
        pub nums: Vec<u32>,
        #[prost(message, repeated, tag = "9")]
        pub users: Vec<User>,
        #[prost(btree_map = "string, sint64", tag = "10")]
        pub scores: BTreeMap<String, i64>,
        #[prost(uint32, optional, tag = "11")]
        pub maybe: Option<u32>,
        #[prost(message, optional, tag = "12")]
        pub owner: Option<User>,
        #[prost(string, repeated, tag = "13")]
        pub names: Vec<String>,
        #[prost(sint32, repeated, tag = "14")]
        pub deltas: Vec<i32>,
    }

    /// `{ All value = 1; }`
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Value {
        #[prost(message, optional, tag = "1")]
        pub value: Option<All>,
    }
}

fn user(name: &str, age: u8) -> User {
    User {
        name: name.into(),
        age,
    }
}

fn samples() -> Vec<All> {
    vec![
        All::default(),
        All {
            a: -5,
            b: i64::MIN,
            c: u64::MAX,
            f: -1.5,
            d: 1e300,
            t: true,
            bytes: vec![0, 1, 255],
            nums: vec![0, 1, 300, u32::MAX],
            users: vec![user("ann", 30), User::default()],
            scores: [("x".to_string(), -1), (String::new(), i64::MAX)].into(),
            maybe: Some(0),
            owner: Some(User::default()),
            names: vec![String::new(), "é".into()],
            deltas: vec![-32768, 32767, 0],
        },
        All {
            maybe: Some(7),
            owner: Some(user(&"long ".repeat(40), 1)),
            ..All::default()
        },
    ]
}

fn to_peer(v: &All) -> peer::All {
    let u = |u: &User| peer::User {
        name: u.name.clone(),
        age: u32::from(u.age),
    };
    peer::All {
        a: v.a,
        b: v.b,
        c: v.c,
        f: v.f,
        d: v.d,
        t: v.t,
        bytes: v.bytes.clone(),
        nums: v.nums.clone(),
        users: v.users.iter().map(u).collect(),
        scores: v.scores.clone(),
        maybe: v.maybe,
        owner: v.owner.as_ref().map(u),
        names: v.names.clone(),
        deltas: v.deltas.iter().map(|&d| i32::from(d)).collect(),
    }
}

#[test]
fn prost_reads_what_pb_writes_byte_for_byte() {
    use prost::Message;
    for v in samples() {
        let ours = encode_value(&v).unwrap();
        let theirs = peer::Value {
            value: Some(to_peer(&v)),
        }
        .encode_to_vec();
        assert_eq!(ours, theirs, "{v:?}");
        let back = peer::Value::decode(ours.as_slice()).unwrap();
        assert_eq!(back.value, Some(to_peer(&v)));
    }
}

#[test]
fn pb_reads_what_prost_writes() {
    use prost::Message;
    for v in samples() {
        let theirs = peer::Value {
            value: Some(to_peer(&v)),
        }
        .encode_to_vec();
        assert_eq!(decode_value::<All>(&theirs), Ok(v.clone()));
        // Unpacked repeated numbers, as older encoders write them.
        let mut unpacked = Vec::new();
        let mut w = Writer::with_depth(Depth::shallow());
        for n in &v.nums {
            w.tag(8, WireType::Varint);
            w.varint(u64::from(*n));
        }
        unpacked.extend_from_slice(&w.buf);
        let body = [
            to_peer(&All {
                nums: Vec::new(),
                ..v.clone()
            })
            .encode_to_vec(),
            unpacked,
        ]
        .concat();
        assert_eq!(decode(&body, All::decode_raw_body), Ok(v));
    }
    // No value at all: the default message.
    assert_eq!(decode_value::<All>(&[]), Ok(All::default()));
}

impl All {
    /// Reads a message body without its length, as the top of a request is.
    fn decode_raw_body(r: &mut Reader<'_>) -> Result<All, DecodeError> {
        let mut prefixed = Writer::with_depth(Depth::shallow());
        prefixed.bytes(r.buf);
        r.buf = &[];
        <All as Decode>::decode_raw(&mut Reader::new(&prefixed.buf))
    }
}

// A recursive type, as the generator writes it.
#[derive(Debug, Default)]
struct Node {
    next: Option<Box<Node>>,
}

impl Encode for Node {
    const SHAPE: Shape = Shape::Message;
    fn encode_raw(&self, w: &mut Writer) -> Result<(), LendError> {
        w.nested(|w| w.field(1, &self.next, "Node.next"))
    }
}

impl Decode for Node {
    const SHAPE: Shape = Shape::Message;
    type Slot = Option<Self>;
    fn decode_raw(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.message(|r| {
            let mut next = slot::<Option<Box<Node>>>();
            r.each_field(|r, tag, wt| match tag {
                1 => r.field::<Option<Box<Node>>>(&mut next, wt, "Node.next"),
                _ => r.skip(wt),
            })?;
            Ok(Node {
                next: Reader::finish(next, "Node.next")?,
            })
        })
    }
    fn absent() -> Result<Self, DecodeError> {
        absent()
    }
    fn merge(slot: &mut Option<Self>, wt: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        merge_last(slot, wt, r)
    }
    fn finish(slot: Option<Self>) -> Result<Self, DecodeError> {
        finish_last(slot)
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

fn unchain(n: Node) -> usize {
    let (mut count, mut next) = (1, n.next);
    while let Some(b) = next {
        next = b.next;
        count += 1;
    }
    count
}

/// The bytes of `{ Node value = 1; }` for a chain of `nodes`, built
/// without recursion.
fn encoded_chain(nodes: usize) -> Vec<u8> {
    let mut body: Vec<u8> = Vec::new();
    for _ in 1..nodes {
        let mut w = Writer::with_depth(Depth::shallow());
        w.tag(1, WireType::Len);
        w.bytes(&body);
        body = w.buf;
    }
    let mut w = Writer::with_depth(Depth::shallow());
    w.tag(1, WireType::Len);
    w.bytes(&body);
    w.buf
}

/// The error of a value that must be too deep (not printed when it is not:
/// its Debug would recurse as deep as the value).
fn too_deep<T>(r: Result<T, String>) -> String {
    match r {
        Ok(_) => panic!("a value past the depth limit crossed"),
        Err(e) => e,
    }
}

#[test]
fn values_up_to_the_depth_limit_cross_on_a_small_stack() {
    assert_eq!(crate::depth::max_depth(), 10_000);
    let deep = chain(10_000);
    let deeper = chain(10_001);
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn_scoped(s, || {
                let b = encode_value(&deep).unwrap();
                assert_eq!(b, encoded_chain(10_000));
                let n: Node = decode_value(&b).unwrap();
                assert_eq!(unchain(n), 10_000);
                let e = too_deep(encode_value(&deeper).map(drop).map_err(|e| e.to_string()));
                assert!(
                    e.ends_with("nested deeper than the depth limit of 10000 levels"),
                    "{e}"
                );
                assert!(e.starts_with("Node.next: Node.next: "), "{e}");
                let e = too_deep(
                    decode_value::<Node>(&encoded_chain(10_001))
                        .map(unchain)
                        .map_err(|e| e.to_string()),
                );
                assert!(
                    e.ends_with("nested deeper than the depth limit of 10000 levels"),
                    "{e}"
                );
            })
            .unwrap()
            .join()
            .unwrap()
    });
    assert_eq!(unchain(deep), 10_000);
    assert_eq!(unchain(deeper), 10_001);
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn hostile_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let valid: Vec<Vec<u8>> = samples().iter().map(|v| encode_value(v).unwrap()).collect();
    let (mut ok, mut failed) = (0, 0);
    for i in 0..50_000 {
        let b: Vec<u8> = if i % 2 == 0 {
            // Random bytes of random length.
            let n = (rng.next() % 64) as usize;
            (0..n).map(|_| rng.next() as u8).collect()
        } else {
            // A valid message with a few bytes changed, cut or repeated.
            let mut b = valid[i % valid.len()].clone();
            for _ in 0..1 + rng.next() % 3 {
                if b.is_empty() {
                    break;
                }
                let at = (rng.next() as usize) % b.len();
                match rng.next() % 3 {
                    0 => b[at] = rng.next() as u8,
                    1 => b.truncate(at),
                    _ => b.insert(at, rng.next() as u8),
                }
            }
            b
        };
        match decode_value::<All>(&b) {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
        let _ = decode_value::<Vec<Option<Vec<(char, HashMap<u8, String>)>>>>(&b);
        let _ = decode_value::<Node>(&b);
        let _ = decode_value::<[i8; 3]>(&b);
    }
    // Both outcomes happen: the test exercises more than the error paths.
    assert!(ok > 1_000 && failed > 1_000, "ok {ok}, failed {failed}");
}
