#[derive(r2go::R2G)]
pub struct Account {
    pub user_id: u64,
    pub userId: u64,
}
