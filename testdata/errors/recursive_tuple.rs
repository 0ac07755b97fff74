#[derive(r2go::R2G)]
pub struct List {
    pub head: (u8, List),
}

#[derive(r2go::R2G)]
pub struct Fine {
    pub children: Vec<Fine>,
    pub next: Option<Box<Fine>>,
    pub pair: (u8, Option<Box<Fine>>),
}

#[derive(r2go::R2G)]
pub struct Boxed {
    pub inner: Box<Boxed>,
}
