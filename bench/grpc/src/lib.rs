//! The gRPC peer of the benchmark suite: prost messages written by hand (no
//! .proto, no protoc) and a tonic client for the grpc-go server in server/,
//! reached over a Unix socket.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use tokio::net::UnixStream;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint, Uri};

/// `a`, `b` of `Add`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Pair {
    #[prost(int64, tag = "1")]
    pub a: i64,
    #[prost(int64, tag = "2")]
    pub b: i64,
}

/// The result of `Add`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Integer {
    #[prost(int64, tag = "1")]
    pub v: i64,
}

/// An unsigned number: arguments and results of the other methods.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Number {
    #[prost(uint64, tag = "1")]
    pub v: u64,
}

/// The argument of `Bytes`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Blob {
    #[prost(bytes = "vec", tag = "1")]
    pub data: Vec<u8>,
}

/// One element of the struct workload.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Item {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(uint32, tag = "2")]
    pub tag: u32,
}

/// The struct workload's argument and result.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Items {
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// The grpc-go server process; killed when dropped.
pub struct Server {
    child: Child,
    socket: PathBuf,
}

impl Server {
    /// Starts the server on a fresh socket and waits until it listens.
    pub fn start() -> Server {
        let socket =
            std::env::temp_dir().join(format!("r2go-bench-grpc-{}.sock", std::process::id()));
        let mut child = Command::new(env!("BENCH_GRPC_SERVER"))
            .arg("-socket")
            .arg(&socket)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the gRPC server");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("server stdout")),
            &mut line,
        )
        .expect("read the server's ready line");
        assert_eq!(line.trim(), "ready", "the gRPC server did not start");
        Server { child, socket }
    }

    /// The server's process id (its memory counts in the blocked workload).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Connects one HTTP/2 channel over the socket; call within a runtime.
    pub async fn connect(&self) -> Client {
        self.connect_to(Endpoint::from_static("http://bench.invalid"))
            .await
    }

    /// Connects a channel for server streams of small messages. Each message
    /// is a DATA frame of a few bytes, and h2 closes a connection whose
    /// buffered small frames exceed half its connection window
    /// (`too_many_data_frames`): a 64 KiB stream window lets flow control
    /// stop the server well before the 8 MiB connection window's budget.
    pub async fn connect_streaming(&self) -> Client {
        self.connect_to(
            Endpoint::from_static("http://bench.invalid")
                .initial_stream_window_size(64 << 10)
                .initial_connection_window_size(8 << 20),
        )
        .await
    }

    async fn connect_to(&self, endpoint: Endpoint) -> Client {
        let socket = self.socket.clone();
        let channel = endpoint
            .connect_with_connector(tower::service_fn(move |_: Uri| {
                let socket = socket.clone();
                async move {
                    Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(
                        UnixStream::connect(socket).await?,
                    ))
                }
            }))
            .await
            .expect("connect to the gRPC server");
        Client(tonic::client::Grpc::new(channel))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// A client of the bench service; cheap to clone (one shared channel).
#[derive(Clone)]
pub struct Client(tonic::client::Grpc<Channel>);

impl Client {
    async fn unary<Req, Resp>(&self, path: &'static str, req: Req) -> Resp
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let mut grpc = self.0.clone();
        grpc.ready().await.expect("gRPC channel ready");
        let codec = tonic::codec::ProstCodec::<Req, Resp>::default();
        grpc.unary(
            tonic::Request::new(req),
            PathAndQuery::from_static(path),
            codec,
        )
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .into_inner()
    }

    /// `a + b`.
    pub async fn add(&self, a: i64, b: i64) -> i64 {
        let r: Integer = self.unary("/bench.Bench/Add", Pair { a, b }).await;
        r.v
    }

    /// How many bytes the server received.
    pub async fn bytes(&self, data: Vec<u8>) -> u64 {
        let r: Number = self.unary("/bench.Bench/Bytes", Blob { data }).await;
        r.v
    }

    /// The items the server returns.
    pub async fn items(&self, req: Items) -> Items {
        self.unary("/bench.Bench/Items", req).await
    }

    /// `x`, from the server.
    pub async fn echo(&self, x: u64) -> u64 {
        let r: Number = self.unary("/bench.Bench/Echo", Number { v: x }).await;
        r.v
    }

    /// `x`, once the server releases it.
    pub async fn hold(&self, x: u64) -> u64 {
        let r: Number = self.unary("/bench.Bench/Hold", Number { v: x }).await;
        r.v
    }

    /// How many `hold` calls are blocked in the server.
    pub async fn held(&self) -> u64 {
        let r: Number = self.unary("/bench.Bench/Held", Number::default()).await;
        r.v
    }

    /// 0, 1, ..., n - 1, as a server stream.
    pub async fn count(&self, n: u64) -> tonic::Streaming<Number> {
        let mut grpc = self.0.clone();
        grpc.ready().await.expect("gRPC channel ready");
        let codec = tonic::codec::ProstCodec::<Number, Number>::default();
        grpc.server_streaming(
            tonic::Request::new(Number { v: n }),
            PathAndQuery::from_static("/bench.Bench/Count"),
            codec,
        )
        .await
        .unwrap_or_else(|e| panic!("/bench.Bench/Count: {e}"))
        .into_inner()
    }

    /// Lets every blocked `hold` call return.
    pub async fn release(&self) {
        let _: Number = self.unary("/bench.Bench/Release", Number::default()).await;
    }
}
