pub enum NotDerived {
    A,
}

#[derive(r2go::R2G)]
pub enum Never {}

#[derive(r2go::R2G)]
pub enum Mixed {
    A = 1,
    B(u8),
}

#[derive(r2go::R2G)]
pub enum Bad {
    Big = 3_000_000_000,
    Expr = 1 << 2,
    Fine = -0x10,
    A,
    A,
}

#[derive(r2go::R2G)]
pub enum Overflow {
    Last = 2147483647,
    Next,
}

#[derive(r2go::R2G)]
pub enum Payload {
    Wide(u128),
    Named { id: i128, other: NotDerived },
}
