#!/usr/bin/env bash
# Runs every test of r2go: the Go packages (with the race detector), the
# generator's golden and error tests and its property test over random
# interfaces, brief fuzzing, the Rust crates (the glue of every golden and
# of random interfaces compiled), a loom model check of the async slot and
# of the stream, the end-to-end, stream, stress and hostile-handler tests
# through the real c-archive (once more with GOEXPERIMENT=cgocheck2), the
# scaffold and the standalone examples run as projects of their own, a smoke
# run of r2go's own benchmark, and the linters. Needs Go, a Rust toolchain
# and a C compiler, nothing else: the benchmark suite against the peers,
# which needs more, runs in .ci/run.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

# bounded SECONDS CMD...: runs CMD, and ends it with a message if it takes
# longer (every suite below finishes in a fraction of its bound).
bounded() {
	local limit=$1 code=0
	shift
	timeout -k 30 "$limit" "$@" || code=$?
	if [ "$code" = 124 ] || [ "$code" = 137 ]; then
		echo "test.sh: '$*' did not finish within $limit s" >&2
	fi
	return "$code"
}

step "gofmt, go vet"
# Build directories hold Go code that is not ours (a peer's, copied there).
unformatted=$(find . \( -path ./rust/target -o -path ./bench/target \) -prune -o -name '*.go' -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
	echo "gofmt needed on: $unformatted" >&2
	exit 1
fi
go vet ./...

step "go test -race"
go test -race -count=1 -timeout 15m ./...

step "go test: memory of blocked calls (without -race, whose frames are larger)"
go test -count=1 -timeout 5m -run 'TestBlockedCallMemory|TestFramesAroundAHandlerAreSmall' ./rt

# Budgets are execution counts, not durations: Go 1.26's fuzz coordinator can
# fail a duration run at its deadline with "context deadline exceeded" when
# the machine is loaded (Go issue 75804, fixed in Go 1.27).
step "fuzz the parser, the whole generator and a protobuf decoder briefly"
go test -run='^$' -fuzz=FuzzParse -fuzztime=100000x ./internal/idl
go test -run='^$' -fuzz=FuzzGenerate -fuzztime=30000x ./internal/cli
go test -run='^$' -fuzz=FuzzDecodeAllTypes -fuzztime=100000x ./gen

step "cargo fmt, clippy"
cargo fmt --manifest-path rust/Cargo.toml --all --check
cargo clippy --manifest-path rust/Cargo.toml --workspace --all-targets --locked -- -D warnings

step "cargo test (end-to-end through the c-archive, and over gRPC: tests/grpc.rs)"
bounded 2400 cargo test --manifest-path rust/Cargo.toml --workspace --locked

# --- the scaffold and the standalone examples (examples/run.sh) ---
# rust2go-cli init into an empty temporary directory, then cargo run, cargo
# test and go test ./... there; then cargo run and go test ./... in every
# examples/*/ project, each output checked against its README. They share
# one target directory (rust/target/examples) and run one after another.
step "scaffold and examples: build, run and check each as a project of its own"
examples/run.sh
# --- end of the scaffold and examples step ---

step "model-check the async slot, the stream and the upload with loom"
RUSTFLAGS="--cfg r2go_loom" CARGO_TARGET_DIR=rust/target/loom \
	bounded 1200 cargo test --manifest-path rust/Cargo.toml --locked --release -p r2go --lib loom

step "cargo test with the Go side built under GOEXPERIMENT=cgocheck2"
GOEXPERIMENT=cgocheck2 CARGO_TARGET_DIR=rust/target/cgocheck2 \
	bounded 1800 cargo test --manifest-path rust/Cargo.toml --locked \
	--test e2e --test drop --test types --test outcomes --test shutdown --test stress \
	--test streams --test stream_shutdown --test uploads --test upload_shutdown --test hostile \
	--test g2r --test g2r_stress --test g2r_current_thread --test grpc

step "bench smoke run"
bounded 900 cargo bench --manifest-path rust/Cargo.toml --locked --bench calls -- --smoke
