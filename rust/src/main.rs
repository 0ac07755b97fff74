//! The demo host: calls the Go handlers of every demo trait and prints what
//! Go returned, one section per feature (sync, async, types, errors, panics,
//! timeout, shutdown). Each section names the Go handler that answers; a
//! result that looks surprising says why it is right. With `R2GO_CONNECT`
//! set, the same calls go to the Go server (`go run ./handlers/server`).

use std::time::{Duration, Instant};

use r2go_demo::user::{
    DemoCall, DemoCallImpl, DemoComplicatedRequest, DemoUser, Nested, Outcomes, OutcomesImpl,
    Scalars, Shape, TypesCall, TypesCallImpl,
};

fn section(title: &str) {
    println!("\n== {title}");
}

#[tokio::main]
async fn main() {
    // snippet: connect
    // With R2GO_CONNECT set (unix:///path/to.sock or http://host:port),
    // every call below goes to the Go server at that address instead of
    // the handlers linked into this binary; the call sites stay as they are.
    let remote = r2go::grpc::connect_from_env().expect("R2GO_CONNECT is an address");
    if let Some(server) = r2go::grpc::transport() {
        println!("calls go to the Go server at {}", server.address());
    }
    // end snippet
    let alice = DemoUser {
        name: "Alice".into(),
        age: 30,
    };
    let bob = DemoUser {
        name: "Bob".into(),
        age: 17,
    };

    section("sync calls: Go runs the handler on this thread (handlers/demo/demo.go, type demo)");
    DemoCallImpl::demo_oneway(&alice);
    println!(
        "demo_oneway(Alice), then last_user() = {:?}",
        DemoCallImpl::last_user()
    );
    let req = DemoComplicatedRequest {
        users: vec![alice.clone(), bob.clone()],
        balabala: vec![1, 2, 3],
    };
    println!(
        "demo_check(Alice 30, Bob 17) = {:?}  (fails: Bob is under 18)",
        DemoCallImpl::demo_check(&req)
    );
    println!("add(40, 2) = {}", DemoCallImpl::add(40, 2));
    let s = Scalars {
        flag: false,
        tiny: i8::MAX,
        small: -2,
        medium: 3,
        large: i64::MAX,
        word: -1,
        utiny: u8::MAX,
        usmall: 6,
        umedium: 7,
        ularge: u64::MAX,
        uword: 9,
        single: 1.5,
        double: -0.25,
    };
    println!(
        "bump({s:?}) =\n    {:?}\n    (Go negates flag, adds 1 to every integer, wrapping at the maximum, and doubles the floats)",
        DemoCallImpl::bump(s)
    );
    println!(
        "greet(Alice, \"Grüß dich\") = {:?}",
        DemoCallImpl::greet(&alice, "Grüß dich".into())
    );
    let nested = Nested {
        owner: alice.clone(),
        matrix: vec![vec![1, 2], vec![], vec![3]],
        names: vec!["héllo".into(), "世界".into()],
        groups: vec![vec![alice.clone(), bob.clone()], vec![]],
        samples: vec![s],
        deep: vec![vec![vec!["a".into(), "bc".into()]]],
        values: vec![1.0, -2.5],
    };
    println!(
        "mirror(..).names = {:?}  (Go reverses every vector and string)",
        DemoCallImpl::mirror(&nested).names
    );

    section(
        "async calls: Go runs the handler on a goroutine while the task awaits (handlers/demo/demo.go)",
    );
    let adults = DemoComplicatedRequest {
        users: vec![alice.clone()],
        balabala: vec![7],
    };
    println!(
        "demo_check_async(Alice 30).await = {:?}",
        DemoCallImpl::demo_check_async(adults).await
    );
    println!(
        "mirror_async(..).await.groups = {:?}  (reversed, and every age + 1)",
        DemoCallImpl::mirror_async(nested).await.groups
    );
    // Ten calls that each sleep 100 ms in Go run at the same time.
    let start = Instant::now();
    let calls: Vec<_> = (0..10)
        .map(|i| tokio::spawn(DemoCallImpl::sleep_echo(100, i)))
        .collect();
    let mut tags = Vec::new();
    for c in calls {
        tags.push(c.await.expect("sleep_echo task"));
    }
    println!(
        "10 × sleep_echo(100 ms) at once = {tags:?}, together in under 1 s: {}",
        start.elapsed() < Duration::from_secs(1)
    );

    section("more types: enums with data, Box, &str, slices and tuples (handlers/demo/types.go)");
    let shape = Shape::Group(vec![
        Shape::Circle(1.0),
        Shape::Rect {
            width: 2.0,
            height: 3.0,
        },
    ]);
    println!(
        "area({shape:?}) = {}  (this demo counts a circle as 3 × r²)",
        TypesCallImpl::area(&shape)
    );
    println!(
        "echo_borrowed(\"hé\", [1, 2], ['∂']) = {:?}",
        TypesCallImpl::echo_borrowed("hé", &[1, 2], &['∂'])
    );

    section(
        "errors: Result<T, E> in user.rs is (T, error) in Go (handlers/demo/outcomes.go, type outcomes)",
    );
    println!(
        "divide(7, 2) = {:?}  (integer division)",
        OutcomesImpl::divide(7, 2)
    );
    println!(
        "divide(7, 0) = {:?}  (Go returned an error)",
        OutcomesImpl::divide(7, 0)
    );
    println!(
        "lookup(7) = {:?}  (Go returned a DemoError value)",
        OutcomesImpl::lookup(7)
    );

    section("panics: recovered in Go; the call fails, the process goes on (handlers/demo/demo.go, handlers/demo/outcomes.go)");
    let panicked = OutcomesImpl::check(2).unwrap_err();
    println!(
        "check(2) = Err, is_panic() = {}: {panicked}",
        panicked.is_panic()
    );
    // A method that cannot fail panics in the calling task instead. (The
    // default hook would print the panic too; this demo prints it once.)
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let failed = tokio::spawn(DemoCallImpl::panic_async("boom".into())).await;
    std::panic::set_hook(hook);
    let msg = failed.expect_err("panic_async panics").into_panic();
    let msg = msg
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or("?");
    println!("panic_async(\"boom\") panicked its task: {msg:?}");
    println!(
        "non_negative(5) = {}  (later calls work as before)",
        DemoCallImpl::non_negative(5)
    );

    section("timeout: dropping the future cancels the Go handler's context (handlers/demo/outcomes.go, Hold)");
    let start = Instant::now();
    let timed_out = tokio::time::timeout(Duration::from_millis(20), OutcomesImpl::hold(10_000))
        .await
        .is_err();
    println!(
        "timeout(20 ms, hold(10 s)) timed out: {timed_out}, within 1 s: {}",
        start.elapsed() < Duration::from_secs(1)
    );

    if remote {
        // r2go::shutdown stops the Go side linked in; a Go server stops on
        // SIGTERM, draining its calls the same way.
        return;
    }
    section("shutdown: wait for calls in flight, then refuse new ones (r2go::shutdown)");
    let in_flight = tokio::spawn(DemoCallImpl::sleep_echo(200, 42));
    let result = tokio::task::spawn_blocking(|| r2go::shutdown(Duration::from_secs(1)))
        .await
        .expect("shutdown task");
    println!("shutdown(1 s) with sleep_echo(200 ms) in flight = {result:?}");
    println!(
        "the call in flight finished: sleep_echo returned {}",
        in_flight.await.expect("sleep_echo task")
    );
    println!(
        "after shutdown, divide(1, 1) = {:?}  (refused, as it should be)",
        OutcomesImpl::divide(1, 1)
    );
}
