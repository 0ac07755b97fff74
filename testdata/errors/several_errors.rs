#[derive(r2go::R2G)]
pub struct One {
    pub a: u128,
}

pub enum Color {
    Red,
    Green,
}

#[derive(r2go::R2G)]
pub struct Two {
    pub b: Missing,
}

pub trait Api {
    fn get() -> u8;
}

#[derive(r2go::R2G)]
pub struct Loop {
    pub me: Loop,
    pub user_id: u8,
    pub userId: u8,
}
