#!/usr/bin/env bash
# Builds, runs and tests what a user of r2go starts from, each as a project of
# its own:
#
# - the scaffold: `rust2go-cli init` into an empty temporary directory, then
#   `cargo run` (its output checked), `cargo test` and `go test ./...`;
# - every example in examples/*/: `cargo run` (its output checked), and
#   `go test ./...` of its handlers.
#
# In each, `go generate ./gen` must leave gen/gen.go unchanged. An example
# with a server/ (a Go main serving its handlers over gRPC) runs a second
# time against that server (R2GO_CONNECT), and must print the same.
#
# Each `cargo run` must print exactly the "What it prints" block of the
# project's README.md (`<n>` there stands for a number that varies). Every
# project also passes gofmt, go vet, cargo fmt and clippy.
#
# One CARGO_TARGET_DIR serves all of them, so tokio and the r2go crate compile
# once; the projects run one after another. Each command is bounded in time.
#
# Usage: examples/run.sh [NAME...]   (NAME: scaffold or an example; default all)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# snippet: ci-cache
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/rust/target/examples}"
# end snippet
limit=600 # seconds for one command; a cold build of one project takes ~30 s

# bounded runs a command and stops it after $limit seconds, saying so.
bounded() {
	local status=0
	timeout --kill-after=10 "$limit" "$@" || status=$?
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "examples/run.sh: '$*' in $PWD did not finish within $limit s" >&2
	fi
	return "$status"
}

# expect_output README OUT: OUT must match README's "What it prints" block.
expect_output() {
	"$CARGO_TARGET_DIR/readmecheck" "$1" "$2"
}

# check_project DIR: lints DIR, runs it and checks its output, runs its Go tests.
check_project() {
	local dir=$1 locked=$2
	(
		cd "$dir"
		unformatted=$(gofmt -l .)
		if [ -n "$unformatted" ]; then
			echo "gofmt needed in $dir: $unformatted" >&2
			exit 1
		fi
		bounded go vet ./...
		# The regenerate command the project documents leaves gen.go as it is.
		before=$(cksum gen/gen.go)
		bounded go generate ./gen
		if [ "$(cksum gen/gen.go)" != "$before" ]; then
			echo "go generate ./gen changed $dir/gen/gen.go" >&2
			exit 1
		fi
		bounded cargo fmt --check
		bounded cargo clippy $locked --all-targets --quiet -- -D warnings
		bounded cargo run $locked --quiet >"$CARGO_TARGET_DIR/output.txt"
		expect_output README.md "$CARGO_TARGET_DIR/output.txt"
		bounded go test -count=1 ./...
	)
}

# check_served DIR: runs DIR's Rust program against DIR/server, started on a
# Unix socket in a temporary directory, and checks its output as above.
check_served() {
	local dir=$1 sock server line
	sock=$(mktemp -d)
	(cd "$dir" && bounded go build -o "$sock/server" ./server)
	"$sock/server" -listen "unix://$sock/s.sock" >"$sock/address" &
	server=$!
	for _ in $(seq 1 300); do
		line=$(head -n 1 "$sock/address")
		[ -n "$line" ] && break
		sleep 0.1
	done
	if [ -z "$line" ]; then
		kill "$server" 2>/dev/null || true
		echo "examples/run.sh: $dir/server printed no address within 30 s" >&2
		exit 1
	fi
	local status=0
	(cd "$dir" && R2GO_CONNECT=$line bounded cargo run --locked --quiet >"$CARGO_TARGET_DIR/output.txt") || status=$?
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	rm -rf "$sock"
	[ "$status" = 0 ] || exit "$status"
	expect_output "$dir/README.md" "$CARGO_TARGET_DIR/output.txt"
}

mkdir -p "$CARGO_TARGET_DIR"
bounded go build -o "$CARGO_TARGET_DIR/readmecheck" ./internal/readmecheck
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	names=(scaffold)
	for d in examples/*/; do
		names+=("$(basename "$d")")
	done
fi

for name in "${names[@]}"; do
	start=$SECONDS
	if [ "$name" = scaffold ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		bounded go build -o "$CARGO_TARGET_DIR/rust2go-cli" ./cmd/rust2go-cli
		bounded "$CARGO_TARGET_DIR/rust2go-cli" init --name hello "$tmp" >/dev/null
		# The checkout's lock file pins the versions its own tests use, so the
		# shared target directory is reused; cargo drops what is not needed.
		cp rust/Cargo.lock "$tmp/"
		check_project "$tmp" ""
		(cd "$tmp" && bounded cargo test --quiet)
		rm -rf "$tmp"
	else
		check_project "examples/$name" --locked
		if [ -d "examples/$name/server" ]; then
			check_served "examples/$name"
		fi
	fi
	echo "examples/run.sh: $name ok in $((SECONDS - start)) s"
done
