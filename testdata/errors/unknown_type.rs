#[derive(r2go::R2G)]
pub struct User {
    pub name: String,
    pub team: Team,
}
