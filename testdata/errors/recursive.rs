#[derive(r2go::R2G)]
pub struct A {
    pub b: B,
}

#[derive(r2go::R2G)]
pub struct B {
    pub a: A,
}
