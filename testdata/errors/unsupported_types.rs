#[derive(r2go::R2G)]
pub struct Profile {
    pub name: &'static str,
    pub raw: [u8],
    pub text: str,
    pub nothing: (),
    pub shared: std::rc::Rc<u8>,
    pub hashed: std::collections::HashMap<u8, u8, MyHasher>,
    pub result: Result<u8, String>,
}

#[r2go::r2g]
pub trait Api {
    fn myself(v: Self) -> u8;
}
