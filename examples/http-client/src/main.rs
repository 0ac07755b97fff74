//! Async Rust using Go's `net/http` against a server on 127.0.0.1 that the
//! program starts itself (in Go): typed errors, a deadline enforced by Go, a
//! Rust timeout that cancels the Go request, and concurrent requests.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use http_client::user::{
    FetchError, HttpClient, HttpClientImpl, Method, Request, TestServer, TestServerImpl,
};

fn get(url: String) -> Request {
    Request {
        method: Method::Get,
        url,
        ..Request::default()
    }
}

/// Prints a response's status and body, or the error.
fn show(what: &str, result: &Result<http_client::user::Response, FetchError>) {
    match result {
        Ok(r) => println!(
            "{what} -> {} {:?} {:?}",
            r.status,
            r.content_type,
            String::from_utf8_lossy(&r.body)
        ),
        Err(e) => println!("{what} -> Err({e:?})"),
    }
}

/// Polls `f` every 10 ms until it holds or `limit` passes; returns whether it held.
async fn eventually(limit: Duration, f: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while !f() {
        if start.elapsed() > limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

#[tokio::main]
async fn main() {
    // R2GO_CONNECT=unix:///tmp/http-client.sock sends every call to the Go
    // server (`go run ./server`) instead of the handlers linked in.
    r2go::grpc::connect_from_env().expect("R2GO_CONNECT is an address");
    let base = TestServerImpl::start();

    let hello = HttpClientImpl::fetch(get(format!("{base}/hello"))).await;
    show("GET /hello", &hello);

    let echo = Request {
        method: Method::Post,
        url: format!("{base}/echo"),
        headers: BTreeMap::from([("X-Example".into(), "r2go".into())]),
        body: b"ping".to_vec(),
        timeout_ms: 0,
    };
    show("POST /echo", &HttpClientImpl::fetch(echo).await);

    // Errors are values of FetchError, chosen by the Go handler.
    let missing = HttpClientImpl::fetch(get(format!("{base}/status/404"))).await;
    show("GET /status/404", &missing);
    let bad = HttpClientImpl::fetch(get("http://[::1".into())).await;
    show("GET http://[::1", &bad);
    match HttpClientImpl::fetch(get(TestServerImpl::closed_url())).await {
        Err(FetchError::Unreachable { message }) => println!(
            "GET a closed port -> Err(Unreachable), connection refused: {}",
            message.contains("connection refused")
        ),
        other => println!("GET a closed port -> unexpected {other:?}"),
    }

    // snippet: timeout
    // A Rust timeout drops the future; Go cancels the request's context, and
    // net/http closes the connection, which the server notices.
    let slow = HttpClientImpl::fetch(get(format!("{base}/slow?ms=5000")));
    let timed_out = tokio::time::timeout(Duration::from_millis(50), slow)
        .await
        .is_err();
    let noticed = eventually(Duration::from_secs(5), || TestServerImpl::abandoned() == 1).await;
    println!("GET /slow?ms=5000 in a 50 ms Rust timeout -> timed out: {timed_out}, the server saw it abandoned: {noticed}");

    // Or let Go enforce the deadline and say so with a typed error.
    let deadline = Request {
        timeout_ms: 50,
        ..get(format!("{base}/slow?ms=5000"))
    };
    let result = HttpClientImpl::fetch(deadline).await;
    assert_eq!(result, Err(FetchError::Timeout));
    // end snippet
    show("GET /slow?ms=5000 with a 50 ms Go deadline", &result);

    // Each call is a goroutine: 50 requests of 200 ms each overlap.
    let start = Instant::now();
    let calls: Vec<_> = (0..50)
        .map(|_| tokio::spawn(HttpClientImpl::fetch(get(format!("{base}/slow?ms=200")))))
        .collect();
    let mut ok = 0;
    for call in calls {
        if call
            .await
            .expect("fetch task")
            .is_ok_and(|r| r.status == 200)
        {
            ok += 1;
        }
    }
    println!(
        "50 concurrent GET /slow?ms=200 -> {ok} ok, overlapping (under 5 s): {}",
        start.elapsed() < Duration::from_secs(5)
    );

    let drained = eventually(Duration::from_secs(5), || r2go::live_async_calls() == 0).await;
    println!("every async call finished in Go: {drained}");
}
