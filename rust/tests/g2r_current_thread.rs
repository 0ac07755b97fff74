//! Calls from Go to Rust (`#[g2r]`) without an implementation, and with one
//! registered on a current-thread runtime: errors, never hangs. A binary of
//! its own, since registration is process-wide.

use r2go_demo::host::Host;
use r2go_demo::user::{GoSide, GoSideImpl, RustSideImpl};

#[test]
fn unregistered_then_current_thread() {
    // Before registration: an error naming the registration call.
    assert_eq!(
        GoSideImpl::add_via_rust(1, 2),
        Err("r2go: no Rust implementation of RustSide::add is registered: call RustSideImpl::register from Rust first".to_string())
    );
    // Async methods need a runtime: none is current here.
    let err = RustSideImpl::register::<Host>().expect_err("no runtime is current");
    assert!(err.to_string().contains("no runtime is current"), "{err}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        RustSideImpl::register::<Host>().expect("registered on the current runtime");
        // A sync call to Go blocks the runtime's only thread: the handler's
        // async call to Rust cannot run there, and says so.
        assert_eq!(
            GoSideImpl::add_via_rust(1, 2),
            Err("r2go: RustSide::sleep_echo failed: r2go: RustSide::sleep_echo cannot run: it was registered on a current-thread tokio runtime, whose only thread is blocked in a sync call to Go; register it on a multi-thread runtime, or make the method Rust calls in Go async".to_string())
        );
        // An async call to Go leaves the thread free: the same handler works.
        assert_eq!(GoSideImpl::add_via_rust_async(1, 2).await, Ok(3));
    });

    // Once the runtime is gone, sync methods still run (on Go's thread) and
    // an async one that is not ready at once fails instead of waiting.
    drop(rt);
    assert_eq!(
        GoSideImpl::add_via_rust(1, 2),
        Err("r2go: RustSide::sleep_echo failed: r2go: the tokio runtime the implementation was registered on has shut down".to_string())
    );
}
