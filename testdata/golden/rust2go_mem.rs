// A user.rs written for Rust2Go's shared-memory examples: a binding module
// with a file name, binding and queue size arguments, and every per-method
// switch, alone and stacked. r2go accepts and ignores all of them.
pub mod binding {
    #![allow(warnings)]
    rust2go::r2g_include_binding!("_go_bindings.rs");
}

#[derive(rust2go::R2G, Clone)]
pub struct MemUser {
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone)]
pub struct MemBatch {
    pub users: Vec<MemUser>,
    pub blob: Vec<u8>,
}

#[derive(rust2go::R2G, Clone, Copy)]
pub struct MemVerdict {
    pub pass: bool,
}

#[rust2go::r2g(binding = binding, queue_size = 4096)]
pub trait MemCall {
    #[mem]
    fn mem_oneway(req: &MemUser);
    #[mem]
    fn mem_check_async(req: &MemBatch) -> impl std::future::Future<Output = MemVerdict>;
    #[drop_safe_ret]
    #[mem]
    fn mem_check_async_safe(req: MemBatch) -> impl std::future::Future<Output = MemVerdict>;
    #[send]
    #[shm]
    fn shm_check(req: MemBatch) -> impl std::future::Future<Output = MemVerdict> + Send;
    #[go_pass_struct]
    fn pass_struct(req: &MemUser) -> MemVerdict;
    #[cgo_callback]
    async fn callback(req: MemUser) -> MemVerdict;
}
