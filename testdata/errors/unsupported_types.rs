#[derive(r2go::R2G)]
pub struct Profile {
    pub nick: Option<String>,
    pub tags: std::collections::HashMap<String, u8>,
    pub pair: (u8, u8),
    pub key: [u8; 16],
    pub name: &'static str,
}
