//! Calls every demo method in Go and prints what Go returned.

use std::time::Duration;

use r2go_demo::user::{
    DemoCall, DemoCallImpl, DemoComplicatedRequest, DemoUser, Nested, Outcomes, OutcomesImpl,
    Scalars, Shape, TypesCall, TypesCallImpl,
};

#[tokio::main]
async fn main() {
    let alice = DemoUser {
        name: "Alice".into(),
        age: 30,
    };
    let bob = DemoUser {
        name: "Bob".into(),
        age: 17,
    };

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
        "demo_check(Alice 30, Bob 17) = {:?}",
        DemoCallImpl::demo_check(&req)
    );
    let adults = DemoComplicatedRequest {
        users: vec![alice.clone()],
        balabala: vec![7],
    };
    println!(
        "demo_check_async(Alice 30).await = {:?}",
        DemoCallImpl::demo_check_async(adults).await
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
    println!("bump({s:?}) =\n    {:?}", DemoCallImpl::bump(s));
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
        "mirror(..).names = {:?}",
        DemoCallImpl::mirror(&nested).names
    );
    println!(
        "mirror_async(..).await.groups = {:?}",
        DemoCallImpl::mirror_async(nested).await.groups
    );

    // Ten calls that each sleep 100 ms in Go run at the same time.
    let start = std::time::Instant::now();
    let calls: Vec<_> = (0..10)
        .map(|i| tokio::spawn(DemoCallImpl::sleep_echo(100, i)))
        .collect();
    let mut tags = Vec::new();
    for c in calls {
        tags.push(c.await.expect("sleep_echo task"));
    }
    println!(
        "10 × sleep_echo(100 ms) = {tags:?} in {:?}",
        start.elapsed()
    );

    // A Go panic becomes a panic of the calling task; the process goes on.
    // (The default hook would print it twice; this demo prints it once.)
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let failed = tokio::spawn(DemoCallImpl::panic_async("boom".into())).await;
    std::panic::set_hook(hook);
    let msg = failed.expect_err("panic_async panics").into_panic();
    let msg = msg
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or("?");
    println!("panic_async(\"boom\") panicked: {msg:?}");
    println!("non_negative(5) = {}", DemoCallImpl::non_negative(5));

    // Enums with data, Box, &str and tuples.
    let shape = Shape::Group(vec![
        Shape::Circle(1.0),
        Shape::Rect {
            width: 2.0,
            height: 3.0,
        },
    ]);
    println!("area({shape:?}) = {}", TypesCallImpl::area(&shape));
    println!(
        "echo_borrowed(\"hé\", [1, 2], ['∂']) = {:?}",
        TypesCallImpl::echo_borrowed("hé", &[1, 2], &['∂'])
    );

    // Result<T, E> in user.rs is (T, error) in Go.
    println!("divide(7, 2) = {:?}", OutcomesImpl::divide(7, 2));
    println!("divide(7, 0) = {:?}", OutcomesImpl::divide(7, 0));
    println!("lookup(7) = {:?}", OutcomesImpl::lookup(7));
    let panicked = OutcomesImpl::check(2).unwrap_err();
    println!("check(2): is_panic() = {}, {panicked}", panicked.is_panic());

    // A timeout drops the future, which cancels the Go handler's context.
    let start = std::time::Instant::now();
    let timed_out = tokio::time::timeout(Duration::from_millis(20), OutcomesImpl::hold(10_000))
        .await
        .is_err();
    println!(
        "timeout(20 ms, hold(10 s)) timed out: {timed_out}, after {:?}",
        start.elapsed()
    );

    // Graceful shutdown: wait for calls in flight, then refuse new ones.
    let result = tokio::task::spawn_blocking(|| r2go::shutdown(Duration::from_secs(1)))
        .await
        .expect("shutdown task");
    println!("shutdown(1 s) = {result:?}");
    println!(
        "after shutdown, divide(1, 1) = {:?}",
        OutcomesImpl::divide(1, 1)
    );
}
