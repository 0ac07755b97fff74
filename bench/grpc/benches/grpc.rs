//! gRPC over a Unix socket: a tonic client, a grpc-go server in its own
//! process. Sync workloads block on one call at a time, as a sync caller of
//! an async client must.
//!
//! `cargo bench --manifest-path bench/Cargo.toml --bench grpc [-- --smoke]`

use bench_grpc::{Item, Items, Server};
use harness::{check, Suite, BYTES_LARGE, BYTES_SMALL};

fn main() {
    let mut s = Suite::new();
    let server = Server::start();
    harness::own_child(server.pid());
    // The server's work is part of every call.
    s.count_cpu_of(server.pid());
    let client = s.rt().block_on(server.connect());
    // The sync caller's own runtime; the channel's connection runs on the suite's.
    let caller = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("caller runtime");
    let small = vec![7u8; BYTES_SMALL];
    let large = vec![7u8; BYTES_LARGE];
    let req = Items {
        items: harness::items()
            .into_iter()
            .map(|(name, tag)| Item {
                name,
                tag: tag.into(),
            })
            .collect(),
    };
    assert_eq!(caller.block_on(client.items(req.clone())), req);

    let peer = "grpc";
    s.sync(peer, "sync_add", |i| {
        check(i + 1, caller.block_on(client.add(i as i64, 1)) as u64)
    });
    // The message owns its bytes, so each call copies them into one.
    s.sync(peer, "sync_bytes_1k", |_| {
        check(
            BYTES_SMALL as u64,
            caller.block_on(client.bytes(small.clone())),
        )
    });
    s.sync(peer, "sync_bytes_64k", |_| {
        check(
            BYTES_LARGE as u64,
            caller.block_on(client.bytes(large.clone())),
        )
    });
    s.sync(peer, "sync_items_100", |_| {
        std::hint::black_box(caller.block_on(client.items(req.clone())));
    });

    let c = client.clone();
    s.async_latency(peer, move |x| {
        let c = c.clone();
        async move { c.echo(x).await }
    });
    let c = client.clone();
    s.async_throughput(peer, move |x| {
        let c = c.clone();
        async move { c.echo(x).await }
    });
    let c = s.rt().block_on(server.connect_streaming());
    s.stream_items(
        peer,
        move |n| {
            let c = c.clone();
            async move { c.count(n).await }
        },
        |item| item.expect("a Count message").v,
    );
    // 100,000 streams on the one HTTP/2 connection fail with ResourceExhausted
    // ("h2 protocol error"), and the connection with them.
    s.limit_blocked(10_000);
    if s.wants("blocked") {
        let c = client.clone();
        s.blocked(
            peer,
            &[server.pid()],
            move |x| {
                let c = c.clone();
                async move { c.hold(x).await }
            },
            || caller.block_on(client.held()),
            || caller.block_on(client.release()),
        );
    }
}
