//! r2go's gRPC transport: the r2go peer's own calls, switched with
//! `r2go::grpc::connect` to the same handlers served out of process by
//! bench/r2go/server over a Unix socket. The hand-written gRPC peer
//! (bench/grpc) is the one to match.
//!
//! `cargo bench --manifest-path bench/Cargo.toml --bench r2go-grpc [-- --smoke]`

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use bench_r2go::user::{Bench, BenchImpl, Item, Items};
use harness::{check, Suite, BYTES_LARGE, BYTES_SMALL};

/// The bench server process; killed when dropped.
struct Server {
    child: Child,
    socket: std::path::PathBuf,
}

impl Server {
    fn start() -> Server {
        let socket =
            std::env::temp_dir().join(format!("r2go-bench-r2go-grpc-{}.sock", std::process::id()));
        let mut child = Command::new(env!("BENCH_R2GO_SERVER"))
            .arg("-listen")
            .arg(format!("unix://{}", socket.display()))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the bench server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("server stdout"))
            .read_line(&mut line)
            .expect("read the server's address");
        assert!(
            line.trim().starts_with("unix://"),
            "the bench server did not start: {line:?}"
        );
        Server { child, socket }
    }

    fn address(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

fn main() {
    let mut s = Suite::new();
    let server = Server::start();
    harness::own_child(server.child.id());
    // The server's work is part of every call.
    s.count_cpu_of(server.child.id());
    // The connection runs on the suite's runtime, as the hand-written peer's
    // does (by default r2go runs it on a runtime of its own).
    r2go::grpc::connect_with(
        &server.address(),
        r2go::grpc::Options::default().runtime(s.rt().handle().clone()),
    )
    .expect("connect to the bench server");
    let small = vec![7u8; BYTES_SMALL];
    let large = vec![7u8; BYTES_LARGE];
    let req = Items {
        items: harness::items()
            .into_iter()
            .map(|(name, tag)| Item { name, tag })
            .collect(),
    };
    assert_eq!(BenchImpl::items(&req), req);

    let peer = "r2go-grpc";
    s.sync(peer, "sync_add", |i| {
        check(i + 1, BenchImpl::add(i as i64, 1) as u64)
    });
    s.sync(peer, "sync_bytes_1k", |_| {
        check(BYTES_SMALL as u64, BenchImpl::bytes(&small))
    });
    s.sync(peer, "sync_bytes_64k", |_| {
        check(BYTES_LARGE as u64, BenchImpl::bytes(&large))
    });
    s.sync(peer, "sync_items_100", |_| {
        std::hint::black_box(BenchImpl::items(&req));
    });
    s.async_latency(peer, BenchImpl::echo);
    s.async_throughput(peer, BenchImpl::echo);
    s.stream_items(peer, |n| async move { BenchImpl::count(n) }, |x| x);
    s.stream_upload(peer, BenchImpl::sum);
    // As for the hand-written peer: one HTTP/2 connection carries them all.
    s.limit_blocked(10_000);
    if s.wants("blocked") {
        s.blocked(
            peer,
            &[server.child.id()],
            BenchImpl::hold,
            BenchImpl::held,
            BenchImpl::release,
        );
    }
    drop(server);
}
