#[derive(r2go::R2G)]
pub enum Color {
    Red,
    red,
}

#[derive(r2go::R2G)]
pub struct ColorRed {
    pub x: u8,
}

#[derive(r2go::R2G)]
pub enum Shape {
    Circle(f64),
    Rect { user_id: u8, userId: u8 },
}

#[derive(r2go::R2G)]
pub struct ShapeCircle {
    pub r: f64,
}

#[derive(r2go::R2G)]
pub struct TupleU8U8 {
    pub pair: (u8, u8),
}

#[derive(r2go::R2G)]
pub struct ShapeRectR2goRef {
    pub x: u8,
}
