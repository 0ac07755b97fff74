// A user.rs written for Rust2Go's bidirectional example: a trait Rust calls
// in Go, and a `#[g2r]` trait Go calls in Rust, implemented in this file for
// the `...Impl` type the attribute provides. r2go generates both sides:
// Go calls `PeerCallback` once Rust runs `PeerCallbackImpl::register::<PeerCallbackImpl>()`.
pub mod binding {
    #![allow(warnings)]
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone)]
pub struct PeerUser {
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone, Copy)]
pub struct PeerResponse {
    pub pass: bool,
}

#[rust2go::r2g(binding)]
pub trait PeerCall {
    fn peer_oneway(user: &PeerUser);
    fn peer_call(user: &PeerUser) -> PeerResponse;
}

#[rust2go::g2r]
pub trait PeerCallback {
    fn peer_log(name: String, age: u8);
    fn peer_rename(user: PeerUser) -> String;
}

impl PeerCallback for PeerCallbackImpl {
    fn peer_log(name: String, age: u8) {
        println!("{name} is {age}");
    }

    fn peer_rename(user: PeerUser) -> String {
        user.name.to_ascii_uppercase()
    }
}
