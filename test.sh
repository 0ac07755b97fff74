#!/usr/bin/env bash
# Runs every test of r2go: the Go packages (with the race detector), the
# generator's golden and error tests, brief fuzzing, the Rust crates, a loom
# model check of the async slot, the end-to-end, stress and hostile-handler
# tests through the real c-archive (once more with GOEXPERIMENT=cgocheck2), a
# smoke run of the benchmarks (bench/run.sh --smoke builds and runs every
# peer), and the linters. Needs Go, a Rust toolchain and python3; the suite's
# Rust2Go peer needs libclang, which bench/run.sh installs when missing.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

step "gofmt, go vet"
# Build directories hold Go code that is not ours (a peer's, copied there).
unformatted=$(find . \( -path ./rust/target -o -path ./bench/target \) -prune -o -name '*.go' -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
	echo "gofmt needed on: $unformatted" >&2
	exit 1
fi
go vet ./...

step "go test -race"
go test -race -count=1 ./...

# Budgets are execution counts, not durations: Go 1.26's fuzz coordinator can
# fail a duration run at its deadline with "context deadline exceeded" when
# the machine is loaded (Go issue 75804, fixed in Go 1.27).
step "fuzz the parser and the whole generator briefly"
go test -run='^$' -fuzz=FuzzParse -fuzztime=100000x ./internal/idl
go test -run='^$' -fuzz=FuzzGenerate -fuzztime=50000x ./internal/cli

step "cargo fmt, clippy"
cargo fmt --manifest-path rust/Cargo.toml --all --check
cargo clippy --manifest-path rust/Cargo.toml --workspace --all-targets --locked -- -D warnings

step "cargo test (end-to-end through the c-archive)"
cargo test --manifest-path rust/Cargo.toml --workspace --locked

step "model-check the async slot with loom"
RUSTFLAGS="--cfg r2go_loom" CARGO_TARGET_DIR=rust/target/loom \
	cargo test --manifest-path rust/Cargo.toml --locked --release -p r2go --lib loom

step "cargo test with the Go side built under GOEXPERIMENT=cgocheck2"
GOEXPERIMENT=cgocheck2 CARGO_TARGET_DIR=rust/target/cgocheck2 \
	cargo test --manifest-path rust/Cargo.toml --locked \
	--test e2e --test drop --test types --test outcomes --test shutdown --test stress --test hostile

step "bench smoke run"
cargo bench --manifest-path rust/Cargo.toml --locked --bench calls -- --smoke

step "benchmark suite smoke run (every peer, tiny iteration counts)"
cargo fmt --manifest-path bench/Cargo.toml --all --check
CARGO_TARGET_DIR=bench/target cargo clippy --manifest-path bench/Cargo.toml --workspace --all-targets --locked -- -D warnings
bench/run.sh --smoke
