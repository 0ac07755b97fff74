#[derive(r2go::R2G)]
pub struct Id {
    pub value: u128,
}
