#[derive(r2go::R2G)]
pub struct Key {
    pub id: u8,
}

#[derive(r2go::R2G)]
pub enum Shape {
    Dot(u8),
}

#[derive(r2go::R2G)]
pub struct Containers {
    pub by_float: std::collections::HashMap<f64, u8>,
    pub by_key: std::collections::BTreeMap<Key, u8>,
    pub by_shape: std::collections::HashMap<Shape, u8>,
    pub by_vec: std::collections::HashMap<Vec<u8>, u8>,
    pub long: (u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8),
    pub sized: [u8; N],
    pub wide: Option<[u128; 2]>,
}
