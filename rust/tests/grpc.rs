//! The demo interface out of process: the same calls, in process and against
//! the Go server (handlers/server) over a Unix socket and over loopback TCP,
//! give the same results, errors and panics; cancellation, deadlines,
//! backpressure, a server restart and 10,000 concurrent calls behave as
//! ADR 0016 says.
//!
//! The switch (r2go::grpc::connect) is global: every test holds SWITCH while
//! it runs. Each server is a child process killed when its handle drops;
//! every wait is bounded and ends the test with a message.

mod common;
#[path = "common/values.rs"]
mod values;
#[path = "common/wait.rs"]
mod wait;

use std::io::BufRead;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use common::panic_text;
use r2go::grpc;
use r2go::GoErrorKind;
use r2go_demo::user::{
    Color, DemoCall, DemoCallImpl, DemoComplicatedRequest, DemoUser, Limited, LimitedImpl, Nested,
    Outcomes, OutcomesImpl, Scalars, Shape, Streams, StreamsImpl, TreeNode, TypesCall,
    TypesCallImpl, Uploads, UploadsImpl,
};
use tokio_stream::StreamExt;

/// A bound on building the server, its start and every wait below.
const LIMIT: Duration = Duration::from_secs(300);

static SWITCH: Mutex<()> = Mutex::new(());

/// Holds the switch for one test, and leaves it in process at the end.
struct Switched(#[allow(dead_code)] MutexGuard<'static, ()>);

fn switch() -> Switched {
    let guard = SWITCH.lock().unwrap_or_else(|e| e.into_inner());
    grpc::disconnect();
    Switched(guard)
}

impl Drop for Switched {
    fn drop(&mut self) {
        grpc::disconnect();
    }
}

/// Runs `cmd` to its end within LIMIT, or fails naming `what`.
fn run_bounded(what: &str, cmd: &mut Command) {
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            assert!(status.success(), "{what} failed ({status})");
            return;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: not done within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The demo server, built once per test run with the Go toolchain on PATH
/// (as r2go's build helper finds it).
fn server_binary() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let bin = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("r2go-demo-server");
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        run_bounded(
            "go build ./handlers/server",
            Command::new("go")
                .current_dir(&root)
                .args(["build", "-o"])
                .arg(&bin)
                .arg("./handlers/server"),
        );
        bin
    })
}

/// A fresh directory for Unix sockets, removed with its server.
fn socket_dir() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("r2go-grpc-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the socket directory");
    dir
}

/// A running demo server; killed when dropped.
struct Server {
    child: Child,
    /// The address for r2go::grpc::connect.
    address: String,
}

impl Server {
    /// Starts the server on `listen` (`unix:///path` or `127.0.0.1:0`) and
    /// waits for the address it prints first.
    fn start(listen: &str) -> Server {
        let mut child = Command::new(server_binary())
            .args(["-listen", listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the demo server");
        let stdout = child.stdout.take().expect("the server's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            // Keep reading, so that the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = match rx.recv_timeout(LIMIT) {
            Ok(Some(Ok(line))) => line,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the demo server on {listen} printed no address within {LIMIT:?}: {other:?}"
                );
            }
        };
        let address = if line.starts_with("unix://") {
            line
        } else {
            format!("http://{line}")
        };
        Server { child, address }
    }

    fn unix() -> Server {
        let path = socket_dir().join("demo.sock");
        Server::start(&format!("unix://{}", path.display()))
    }

    fn tcp() -> Server {
        Server::start("127.0.0.1:0")
    }

    fn connect(&self) {
        grpc::connect(&self.address).expect("connect to the demo server");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(path) = self.address.strip_prefix("unix://") {
            let _ = std::fs::remove_file(path);
            // The directory socket_dir made for it, if it is empty now.
            if let Some(dir) = std::path::Path::new(path).parent() {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
}

/// The result of `f` as text: its value's Debug, or the panic's message.
fn outcome<T: std::fmt::Debug>(f: impl FnOnce() -> T) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => format!("{v:?}"),
        Err(p) => format!("panic: {}", panic_text(p)),
    }
}

fn user(name: &str, age: u8) -> DemoUser {
    DemoUser {
        name: name.into(),
        age,
    }
}

fn scalars(flag: bool, n: i64) -> Scalars {
    Scalars {
        flag,
        tiny: n as i8,
        small: n as i16,
        medium: n as i32,
        large: n,
        word: n as isize,
        utiny: n as u8,
        usmall: n as u16,
        umedium: n as u32,
        ularge: n as u64,
        uword: n as usize,
        single: n as f32 / 3.0,
        double: n as f64 / 7.0,
    }
}

fn nested() -> Nested {
    Nested {
        owner: user("owner", 255),
        matrix: vec![vec![1, 2], vec![], vec![255]],
        names: vec!["a".into(), String::new(), "名前".into()],
        groups: vec![vec![user("x", 1)], vec![]],
        samples: vec![scalars(true, -1), scalars(false, i64::MAX)],
        deep: vec![vec![vec!["d".into()], vec![]], vec![]],
        values: vec![0.5, -0.0, f64::MAX],
    }
}

fn tree() -> TreeNode {
    TreeNode {
        value: -3,
        children: vec![
            TreeNode::default(),
            TreeNode {
                value: 7,
                ..TreeNode::default()
            },
        ],
        next: Some(Box::new(TreeNode {
            value: 4,
            next: Some(Box::new(TreeNode::default())),
            ..TreeNode::default()
        })),
    }
}

/// Calls every method of the demo interface that answers the same however
/// often it is called, and describes each result. The async methods run on
/// a single-threaded runtime, inside which the sync ones block too.
fn demo_results() -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut r = Vec::new();
    let req = |users: Vec<DemoUser>, bytes: Vec<u8>| DemoComplicatedRequest {
        users,
        balabala: bytes,
    };
    // DemoCall
    r.push(outcome(|| DemoCallImpl::demo_oneway(&user("ann", 30))));
    r.push(outcome(DemoCallImpl::last_user));
    r.push(outcome(|| {
        DemoCallImpl::demo_check(&req(vec![user("a", 18)], vec![1]))
    }));
    r.push(outcome(|| {
        DemoCallImpl::demo_check(&req(vec![user("a", 17)], vec![1]))
    }));
    r.push(outcome(|| DemoCallImpl::demo_check(&req(vec![], vec![]))));
    r.push(outcome(|| {
        rt.block_on(DemoCallImpl::demo_check_async(req(
            vec![user("b", 40)],
            vec![0],
        )))
    }));
    r.push(outcome(|| DemoCallImpl::add(i64::MAX, 1)));
    r.push(outcome(|| DemoCallImpl::add(-5, 3)));
    r.push(outcome(|| DemoCallImpl::bump(scalars(true, i64::MAX))));
    r.push(outcome(|| DemoCallImpl::bump(scalars(false, -1))));
    r.push(outcome(|| {
        DemoCallImpl::greet(&user("名前", 1), "Hello".into())
    }));
    r.push(outcome(|| DemoCallImpl::greet(&user("", 0), String::new())));
    r.push(outcome(|| DemoCallImpl::mirror(&nested())));
    r.push(outcome(|| {
        rt.block_on(DemoCallImpl::mirror_async(nested()))
    }));
    r.push(outcome(|| rt.block_on(DemoCallImpl::sleep_echo(1, 42))));
    r.push(outcome(|| DemoCallImpl::non_negative(5)));
    r.push(outcome(|| DemoCallImpl::non_negative(-1)));
    r.push(outcome(|| {
        rt.block_on(DemoCallImpl::panic_async("boom".into()))
    }));
    r.push(outcome(|| rt.block_on(DemoCallImpl::wait_for_cancel(1))));
    // TypesCall
    for v in [values::empty(), values::maximal()] {
        r.push(outcome(|| TypesCallImpl::echo_all(&v) == v));
        r.push(outcome(|| {
            rt.block_on(TypesCallImpl::echo_all_async(v.clone())) == v
        }));
    }
    r.push(outcome(|| TypesCallImpl::echo_tree(Box::new(tree()))));
    r.push(outcome(|| {
        TypesCallImpl::echo_borrowed("añ", &[0, 255], &['a', '🦀'])
    }));
    r.push(outcome(|| TypesCallImpl::clone_views("view", &[1, 2])));
    let shape = Shape::Group(vec![
        Shape::Circle(1.0),
        Shape::Rect {
            width: 2.0,
            height: 3.0,
        },
        Shape::Labeled {
            label: "l".into(),
            inner: Box::new(Shape::Circle(2.0)),
        },
        Shape::Nothing,
    ]);
    r.push(outcome(|| TypesCallImpl::area(&shape)));
    r.push(outcome(|| TypesCallImpl::next_color(Color::Blue)));
    r.push(outcome(|| TypesCallImpl::color_name(Color::Green)));
    r.push(outcome(|| TypesCallImpl::color_of(2)));
    r.push(outcome(|| TypesCallImpl::color_of(7)));
    r.push(outcome(|| TypesCallImpl::upper('ß')));
    r.push(outcome(|| TypesCallImpl::upper('é')));
    r.push(outcome(|| TypesCallImpl::rune(0x1F980)));
    r.push(outcome(|| TypesCallImpl::rune(0xD800)));
    r.push(outcome(|| TypesCallImpl::double(Some(u32::MAX))));
    r.push(outcome(|| TypesCallImpl::double(Some(0))));
    r.push(outcome(|| TypesCallImpl::double(None)));
    r.push(outcome(|| TypesCallImpl::swap((7, "x".into()))));
    r.push(outcome(|| TypesCallImpl::reverse([1, 2, 3, u16::MAX])));
    let map = [("one".to_string(), 1u32), ("zero".to_string(), 0)].into();
    r.push(outcome(|| TypesCallImpl::invert(&map)));
    r.push(outcome(|| {
        let before = TypesCallImpl::colors_seen();
        TypesCallImpl::note_color(Color::Red);
        TypesCallImpl::colors_seen() - before
    }));
    r.push(outcome(|| TypesCallImpl::circle_by_pointer(2.5)));
    r.push(outcome(TypesCallImpl::nil_shape));
    // Outcomes
    for (n, d) in [(7, 2), (1, 0), (13, 1)] {
        r.push(outcome(|| OutcomesImpl::divide(n, d)));
    }
    for id in [0, 5, 105, 200, 13] {
        r.push(outcome(|| OutcomesImpl::lookup(id)));
        r.push(outcome(|| rt.block_on(OutcomesImpl::lookup_async(id))));
    }
    for mode in 0..=2 {
        r.push(outcome(|| OutcomesImpl::check(mode)));
    }
    for op in 0..=3 {
        r.push(outcome(|| rt.block_on(OutcomesImpl::work(op, 10))));
    }
    r.push(outcome(|| OutcomesImpl::hold_sync(1)));
    r.push(outcome(|| rt.block_on(OutcomesImpl::hold(1))));
    for kind in 0..=4 {
        r.push(outcome(|| OutcomesImpl::guard(kind)));
    }
    for kind in 0..=3 {
        r.push(outcome(|| rt.block_on(OutcomesImpl::status(kind))));
    }
    // Limited
    r.push(outcome(|| rt.block_on(LimitedImpl::busy(1))));
    // A handler that calls runtime.Goexit panics the caller with a text
    // that says so.
    r.push(outcome(|| rt.block_on(LimitedImpl::busy_goexit(1))));
    // Streams
    let collect = |s| rt.block_on(async move { StreamExt::collect::<Vec<_>>(s).await });
    r.push(outcome(|| collect(StreamsImpl::count(5))));
    for mode in 0..=3 {
        r.push(outcome(|| {
            rt.block_on(StreamsImpl::users(3, mode).collect::<Vec<_>>())
        }));
    }
    for mode in 0..=2 {
        r.push(outcome(|| {
            rt.block_on(StreamsImpl::numbers(3, mode).collect::<Vec<_>>())
        }));
    }
    r.push(outcome(|| {
        rt.block_on(StreamsImpl::walk(&tree()).collect::<Vec<_>>())
    }));
    r.push(outcome(|| {
        rt.block_on(async {
            let mut s = StreamsImpl::hold_open();
            s.next().await
        })
    }));
    // Uploads
    r.push(outcome(|| {
        rt.block_on(UploadsImpl::sum(tokio_stream::iter(0..1000u64)))
    }));
    r.push(outcome(|| {
        rt.block_on(UploadsImpl::sum(tokio_stream::iter([0, 1, 5u64])))
    }));
    r.push(outcome(|| {
        rt.block_on(UploadsImpl::sum(tokio_stream::iter(Vec::<u64>::new())))
    }));
    r.push(outcome(|| {
        rt.block_on(UploadsImpl::take(7, tokio_stream::iter(0..100u64), 10, 0))
    }));
    let users = |fail: bool| {
        let mut v: Vec<Result<DemoUser, String>> = (0..3).map(|i| Ok(user("u", i))).collect();
        if fail {
            v.insert(2, Err("bad row".into()));
        }
        tokio_stream::iter(v)
    };
    r.push(outcome(|| rt.block_on(UploadsImpl::names(users(false)))));
    r.push(outcome(|| rt.block_on(UploadsImpl::names(users(true)))));
    r.push(outcome(|| {
        rt.block_on(UploadsImpl::trees(tokio_stream::iter([
            tree(),
            TreeNode::default(),
        ])))
    }));
    r
}

/// Asserts that `got` (over `how`) equals `want` (in process), line by line.
fn assert_same(how: &str, want: &[String], got: &[String]) {
    let diffs: Vec<String> = want
        .iter()
        .zip(got)
        .enumerate()
        .filter(|(_, (w, g))| w != g)
        .map(|(i, (w, g))| format!("call {i}:\n  in process: {w}\n  {how}: {g}"))
        .collect();
    assert!(
        diffs.is_empty(),
        "{} of {} differ:\n{}",
        diffs.len(),
        want.len(),
        diffs.join("\n")
    );
    assert_eq!(want.len(), got.len());
}

#[test]
fn every_demo_method_answers_the_same_in_process_and_over_both_transports() {
    let _s = switch();
    let want = demo_results();
    for server in [Server::unix(), Server::tcp()] {
        server.connect();
        let got = demo_results();
        grpc::disconnect();
        assert_same(&server.address, &want, &got);
    }
    // Spot checks that the lists hold what they should.
    assert_eq!(want[1], r#"DemoUser { name: "ann", age: 30 }"#);
    assert!(
        want.iter()
            .any(|w| w.starts_with("panic: Go handler of DemoCall::non_negative panicked")),
        "{want:?}"
    );
    assert!(want.iter().any(|w| w.contains("typed: true")), "{want:?}");
}

/// Runs `f` on a multi-threaded runtime, against each transport in turn.
fn on_each_transport(f: impl Fn(&str) + Copy) {
    let _s = switch();
    for server in [Server::unix(), Server::tcp()] {
        server.connect();
        f(&server.address);
        grpc::disconnect();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn every_type_crosses_both_ways() {
    on_each_transport(|_| {
        for v in [values::empty(), values::maximal()] {
            assert_eq!(TypesCallImpl::echo_all(&v), v);
        }
        let t = Box::new(tree());
        assert_eq!(TypesCallImpl::echo_tree(t.clone()), t);
    });
}

#[test]
fn typed_errors_plain_errors_and_panics_keep_their_kinds_and_texts() {
    on_each_transport(|_| {
        let e = OutcomesImpl::lookup(7).unwrap_err();
        assert!(e.typed && e.code == 7, "{e:?}");
        assert_eq!(
            OutcomesImpl::guard(1),
            Err(r2go_demo::user::DemoFault::Timeout)
        );
        let rt = runtime();
        assert_eq!(
            rt.block_on(OutcomesImpl::status(1)),
            Err(r2go_demo::user::DemoCode::Busy)
        );
        let plain = OutcomesImpl::check(1).unwrap_err();
        assert_eq!(plain.kind(), GoErrorKind::Returned);
        let panic = OutcomesImpl::check(2).unwrap_err();
        assert_eq!(panic.kind(), GoErrorKind::Panicked);
        assert!(panic.is_panic());
        // The server goes on after a panic.
        assert_eq!(OutcomesImpl::check(0), Ok(()));
    });
}

#[test]
fn dropping_a_future_cancels_the_go_context() {
    on_each_transport(|address| {
        let rt = runtime();
        let before = DemoCallImpl::cancellations();
        rt.block_on(async {
            let waited = tokio::time::timeout(
                Duration::from_millis(50),
                DemoCallImpl::wait_for_cancel(60_000),
            )
            .await;
            assert!(waited.is_err(), "wait_for_cancel ended by itself");
            wait::until(
                &format!("the cancellation reaching Go at {address}"),
                || DemoCallImpl::cancellations() > before,
            )
            .await;
        });
        assert_eq!(DemoCallImpl::cancellations(), before + 1);
    });
}

#[test]
fn a_deadline_reaches_the_handler_and_fails_the_call_as_transport() {
    let _s = switch();
    let server = Server::unix();
    grpc::connect_with(
        &server.address,
        grpc::Options::default().timeout(Duration::from_millis(100)),
    )
    .unwrap();
    let rt = runtime();
    let start = Instant::now();
    let e = rt.block_on(OutcomesImpl::hold(60_000)).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(e.kind(), GoErrorKind::Transport, "{e}");
    assert!(e.message().contains(&server.address), "{e}");
    // Calls within the deadline are not affected.
    assert_eq!(OutcomesImpl::divide(9, 3), Ok(3));
}

#[test]
fn a_slow_consumer_bounds_what_the_go_stream_produced() {
    on_each_transport(|_| {
        let rt = runtime();
        let tag = 0x5100 + std::process::id() as u64;
        let cancelled = StreamsImpl::stream_cancellations();
        rt.block_on(async {
            let mut s = StreamsImpl::endless(tag);
            for want in 0..20u64 {
                assert_eq!(s.next().await.map(|r| r.unwrap()), Some(want));
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            // Let the producer run as far ahead as it can.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let sent = StreamsImpl::sent(tag);
            eprintln!("Go sent {sent} items while Rust read 20");
            // What is in flight is bounded in bytes: grpc-go's write quota
            // and HTTP/2's stream window (64 KiB each) hold about 16,000
            // items this small; an unbounded producer would send millions
            // in 300 ms.
            assert!((20..50_000).contains(&sent), "Go sent {sent} items");
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(StreamsImpl::sent(tag) <= sent + 64, "the producer went on");
            drop(s);
            wait::until("the stream's cancellation reaching Go", || {
                StreamsImpl::stream_cancellations() > cancelled
            })
            .await;
        });
    });
}

#[test]
fn calls_fail_while_the_server_is_down_and_succeed_after_it_restarts() {
    let _s = switch();
    let dir = socket_dir();
    let listen = format!("unix://{}", dir.join("restart.sock").display());
    let server = Server::start(&listen);
    server.connect();
    assert_eq!(OutcomesImpl::divide(8, 2), Ok(4));
    drop(server);
    let e = OutcomesImpl::check(0).unwrap_err();
    assert_eq!(e.kind(), GoErrorKind::Transport, "{e}");
    assert!(e.message().contains(&listen), "{e}");
    assert!(e.message().contains("is the Go server running?"), "{e}");
    let panic = outcome(|| DemoCallImpl::add(1, 2));
    assert!(
        panic.starts_with("panic: r2go: DemoCall::add failed: cannot reach the Go side at"),
        "{panic}"
    );
    // The first server took its socket's directory with it.
    std::fs::create_dir_all(&dir).expect("create the socket directory");
    let _server = Server::start(&listen);
    // tonic reconnects on the next call after a failed one.
    let start = Instant::now();
    let mut failed = 0;
    loop {
        match OutcomesImpl::divide(9, 3) {
            Ok(v) => {
                assert_eq!(v, 3);
                break;
            }
            Err(e) => {
                assert!(e.contains("cannot reach the Go side"), "{e}");
                failed += 1;
                assert!(
                    start.elapsed() < LIMIT,
                    "no call succeeded after the restart: {e}"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    assert!(failed <= 3, "{failed} calls failed after the restart");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ten_thousand_concurrent_calls() {
    on_each_transport(|_| {
        let rt = runtime();
        let got = rt.block_on(async {
            let calls: Vec<_> = (0..10_000u64)
                .map(|n| tokio::spawn(OutcomesImpl::work(0, n)))
                .collect();
            let mut got = Vec::with_capacity(calls.len());
            for c in calls {
                got.push(c.await.unwrap());
            }
            got
        });
        for (n, r) in got.into_iter().enumerate() {
            assert_eq!(r, Ok(n as u64 * 2 + 1));
        }
    });
}

#[test]
fn dropping_an_upload_cancels_the_handler_and_drops_the_stream() {
    on_each_transport(|address| {
        let rt = runtime();
        let tag = 0x4000;
        eprintln!("an upload dropped over {address}");
        rt.block_on(async {
            // Three items, then a stream that has nothing more for now.
            let items = tokio_stream::iter(0..3u64).chain(tokio_stream::pending());
            let mut call = Box::pin(UploadsImpl::hold(tag, items));
            tokio::select! {
                r = &mut call => panic!("hold ended by itself: {r:?}"),
                () = wait::until("Go reads the items", || UploadsImpl::consumed(tag) == 3) => {}
            }
            assert_eq!(UploadsImpl::ended(tag), "");
            drop(call);
            wait::until("the handler ends", || !UploadsImpl::ended(tag).is_empty()).await;
            let ended = UploadsImpl::ended(tag);
            assert!(ended.ends_with("(cancelled)"), "{ended}");
        });
    });
}

#[test]
fn a_connection_on_the_callers_runtime_serves_sync_async_and_stream_calls() {
    let _s = switch();
    let server = Server::tcp();
    let rt = runtime();
    grpc::connect_with(
        &server.address,
        grpc::Options::default().runtime(rt.handle().clone()),
    )
    .unwrap();
    assert_eq!(DemoCallImpl::add(2, 3), 5);
    rt.block_on(async {
        assert_eq!(DemoCallImpl::sleep_echo(1, 9).await, 9);
        let items: Vec<u64> = StreamsImpl::count(4).collect().await;
        assert_eq!(items, [0, 1, 2, 3]);
    });
}

#[test]
fn sync_calls_block_inside_a_single_threaded_runtime_with_and_without_a_deadline() {
    let _s = switch();
    let server = Server::unix();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for options in [
        grpc::Options::default(),
        grpc::Options::default().timeout(Duration::from_secs(30)),
    ] {
        grpc::connect_with(&server.address, options).unwrap();
        let (sum, user) = rt.block_on(async {
            DemoCallImpl::demo_oneway(&user("inside", 3));
            (DemoCallImpl::add(20, 22), DemoCallImpl::last_user())
        });
        assert_eq!(sum, 42);
        assert_eq!(
            user,
            DemoUser {
                name: "inside".into(),
                age: 3
            }
        );
    }
    // Many more calls than tokio's budget for one poll of the task (128):
    // the calls must not use it up, or each later one would spin.
    grpc::connect(&server.address).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let sum: i64 = rt.block_on(async { (0..1_000).map(|i| DemoCallImpl::add(i, 1)).sum() });
        let _ = tx.send(sum);
    });
    let sum = rx
        .recv_timeout(LIMIT)
        .expect("1,000 sync calls inside a runtime did not end in time");
    assert_eq!(sum, 1_000 * 1_001 / 2);
}

#[test]
fn disconnect_switches_back_to_the_linked_go_side() {
    let _s = switch();
    DemoCallImpl::demo_oneway(&user("linked", 1));
    let server = Server::tcp();
    server.connect();
    DemoCallImpl::demo_oneway(&user("served", 2));
    assert_eq!(DemoCallImpl::last_user(), user("served", 2));
    grpc::disconnect();
    assert!(grpc::transport().is_none());
    assert_eq!(DemoCallImpl::last_user(), user("linked", 1));
    server.connect();
    assert_eq!(
        grpc::transport().map(|r| r.address().to_string()),
        Some(server.address.clone())
    );
    assert_eq!(DemoCallImpl::last_user(), user("served", 2));
}

#[test]
fn without_a_connection_calls_stay_in_process() {
    let _s = switch();
    assert!(grpc::transport().is_none());
    assert_eq!(DemoCallImpl::add(2, 3), 5);
    let e = grpc::connect("tcp://127.0.0.1:1").unwrap_err();
    assert!(e.to_string().contains("unknown scheme"), "{e}");
    assert!(grpc::transport().is_none());
}
