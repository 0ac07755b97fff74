//! Every type beyond scalars, strings, vectors and structs: options, enums,
//! maps, tuples, arrays, char, Box and borrowed parameter forms.

use std::collections::{BTreeMap, HashMap};

/// Primary colours, with explicit discriminants.
#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Color {
    /// The first.
    Red = 1,
    Green,
    Blue = -7,
}

/// A shape: every kind of variant.
#[derive(r2go::R2G, Clone, Debug)]
pub enum Shape {
    Circle(f64),
    Rect { width: f32, height: f32 },
    Poly(Vec<(i32, i32)>, Option<Box<Shape>>),
    Empty,
    NoFields {},
    NoElems(),
}

/// A tree: recursion through Vec and Option<Box<Self>>.
#[derive(r2go::R2G, Clone, Debug)]
pub struct Tree {
    pub value: i64,
    pub children: Vec<Self>,
    pub next: Option<Box<Tree>>,
}

/// One field of every new type.
#[derive(r2go::R2G, Clone, Debug)]
pub struct Everything {
    pub maybe: Option<u32>,
    pub maybe_name: Option<String>,
    pub maybe_tree: Option<Tree>,
    pub letter: char,
    pub letters: Vec<char>,
    pub color: Color,
    pub colors: Vec<Color>,
    pub shape: Shape,
    pub by_name: HashMap<String, u64>,
    pub ordered: BTreeMap<i32, Vec<String>>,
    pub pair: (u8, String),
    pub nested_pair: ((u8, String), Option<char>),
    pub digest: [u8; 4],
    pub words: [String; 2],
    pub boxed: Box<Tree>,
    pub grid: [[i32; 3]; 2],
    pub deep: Option<Option<Vec<Option<char>>>>,
    pub flags: std::collections::HashMap<char, bool>,
    pub by_color: BTreeMap<Color, Option<Shape>>,
    pub empty_array: [String; 0],
    pub single: (u8,),
}

#[r2go::r2g]
pub trait Types {
    fn echo(v: &Everything) -> Everything;
    fn color_name(c: Color) -> String;
    fn next_color(c: Color) -> Color;
    fn area(s: &Shape) -> f64;
    fn len_str(s: &str, b: &[u8], t: &[Tree]) -> u64;
    fn upper(c: char) -> char;
    fn maybe(v: Option<u16>) -> Option<u16>;
    fn swap(p: (u8, String)) -> (String, u8);
    fn reverse(a: [u16; 3]) -> [u16; 3];
    fn invert(m: HashMap<String, u32>) -> BTreeMap<u32, String>;
    fn boxed(t: Box<Tree>) -> Box<Tree>;
    async fn shape_async(s: Shape) -> Option<Shape>;
    fn unit(c: Color) -> ();
    fn boxed_scalar(n: Box<u32>) -> Box<u32>;
}
