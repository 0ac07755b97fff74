//! Values of every type: the empty and the largest `AllTypes`.

use std::collections::{BTreeMap, HashMap};

use r2go_demo::user::{AllTypes, Color, DemoUser, Shape, TreeNode};

/// An `AllTypes` whose every field is empty, zero or the first variant.
pub fn empty() -> AllTypes {
    AllTypes {
        maybe_small: None,
        maybe_big: None,
        maybe_name: None,
        maybe_user: None,
        maybe_maybe: None,
        maybe_letters: None,
        letter: '\0',
        word: vec![],
        color: Color::Red,
        palette: vec![],
        shape: Shape::Nothing,
        shapes: vec![],
        scores: HashMap::new(),
        ordered: BTreeMap::new(),
        by_color: BTreeMap::new(),
        by_letter: HashMap::new(),
        pair: (0, String::new()),
        nested: ((0, Color::Red), None),
        digest: [0; 16],
        grid: [[0; 3]; 2],
        names: [String::new(), String::new(), String::new()],
        tree: Box::default(),
    }
}

/// An `AllTypes` whose every field holds the largest or most varied value.
pub fn maximal() -> AllTypes {
    AllTypes {
        maybe_small: Some(u8::MAX),
        maybe_big: Some(u64::MAX),
        maybe_name: Some("名前 with ünïcödé and \u{10FFFF}".into()),
        maybe_user: Some(DemoUser {
            name: "max".into(),
            age: u8::MAX,
        }),
        maybe_maybe: Some(Some(i32::MIN)),
        maybe_letters: Some(vec![Some('a'), None, Some('\u{10FFFF}'), Some('\u{D7FF}')]),
        letter: char::MAX,
        word: "🦀 and Go: ✓".chars().collect(),
        color: Color::Blue,
        palette: vec![Color::Blue, Color::Red, Color::Green, Color::Blue],
        shape: Shape::Labeled {
            label: "outer".into(),
            inner: Box::new(Shape::Group(vec![
                Shape::Circle(f64::MAX),
                Shape::Rect {
                    width: f64::MIN_POSITIVE,
                    height: -0.0,
                },
                Shape::Nothing,
            ])),
        },
        shapes: vec![Shape::Circle(1.5), Shape::Nothing, Shape::Group(vec![])],
        scores: (0..100)
            .map(|i| (format!("key{i}"), i64::MAX - i))
            .collect(),
        ordered: [
            (u32::MAX, vec!["z".into()]),
            (0, vec![]),
            (7, vec!["a".into(), String::new()]),
        ]
        .into_iter()
        .collect(),
        by_color: [
            (Color::Red, None),
            (Color::Blue, Some(Shape::Circle(-1.0))),
            (Color::Green, Some(Shape::Nothing)),
        ]
        .into_iter()
        .collect(),
        by_letter: [('x', true), ('\u{10FFFF}', false)].into_iter().collect(),
        pair: (u8::MAX, "x".repeat(10_000)),
        nested: ((i16::MIN, Color::Green), Some(('é', f32::MAX))),
        digest: [0xff; 16],
        grid: [[i32::MIN, 0, i32::MAX], [1, -1, 2]],
        names: ["a".into(), "".into(), "ccc".into()],
        tree: Box::new(TreeNode {
            value: i64::MIN,
            children: vec![TreeNode::default(), TreeNode::default()],
            next: Some(Box::new(TreeNode {
                value: i64::MAX,
                ..TreeNode::default()
            })),
        }),
    }
}
