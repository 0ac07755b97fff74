#!/usr/bin/env bash
# Builds every peer of the benchmark suite, runs each RUNS times (default 3)
# and prints the table of bench/README.md with the target checks.
#
#   bench/run.sh            the full suite (about 10 minutes on 2 cores)
#   bench/run.sh --smoke    a few iterations of everything, one run (for test.sh)
#   RUNS=5 bench/run.sh     more runs, for tighter ranges
#   bench/run.sh --table FILE   print the table of saved result lines again
#
# It also draws bench/charts/*.svg (throughput against calls in flight, and
# the latency distribution) with matplotlib, which it installs from PyPI into
# a virtual environment under bench/target.
#
# Extra arguments go to every peer binary (e.g. --only async). Needs Go, a
# Rust toolchain, a C compiler, python3 and libclang (Rust2Go's bindgen); as
# root on Debian it installs libclang-dev when missing.
set -euo pipefail
cd "$(dirname "$0")"

table() {
	python3 - "$1" <<'EOF'
import collections
import statistics
import sys

rows = collections.defaultdict(list)
units = {}
for line in open(sys.argv[1]):
    _run, _tag, peer, workload, value, unit = line.rstrip("\n").split("\t")
    rows[(workload, peer)].append(float(value))
    units[workload] = unit

peers = ["limit", "floor", "r2go", "r2go-grpc", "rust2go-cgo", "rust2go-shm", "grpc"]
order = [
    "limit_spin_pingpong", "limit_export_noop",
    "sync_add", "sync_bytes_1k", "sync_bytes_1k_view", "sync_bytes_64k", "sync_bytes_64k_view", "sync_items_100",
    "async_rtt_p50", "async_rtt_p99",
    "async_tput_16", "async_tput_64", "async_tput_256", "async_tput_1024", "async_tput_4096",
    "stream_items", "stream_items_calls", "stream_upload",
    "g2r_sync_add", "g2r_async_rtt", "g2r_async_tput_256",
    "g2r_async_task_rtt", "g2r_async_task_tput_256",
]
# The workload whose _cpu line holds a row's CPU per call.
cpu_of = {w: w for w in order}
cpu_of.update({"async_rtt_p50": "async_rtt", "async_rtt_p99": "async_rtt"})
blocked = sorted({w for w, _ in rows if w.startswith("blocked_") and not w.endswith("_hung")},
                 key=lambda w: (int(w.split("_")[1]), w))
order += [w for w in blocked if not w.endswith("_held")]


def med(w, p):
    v = rows.get((w, p))
    return statistics.median(v) if v else None


def fmt(v, unit):
    if v is None:
        return "—"
    if unit == "ns":
        return f"{v / 1000:.2f} µs" if v >= 1000 else f"{v:.0f} ns"
    if unit in ("calls/s", "items/s"):
        return f"{v / 1e6:.2f} M/s" if v >= 1e6 else f"{v / 1e3:.0f} k/s"
    if unit == "bytes":
        return f"{v / 2**20:.1f} MiB"
    return f"{v:g} {unit}"


def ratio(v, ref):
    if v is None or not ref:
        return "—"
    return f"{v / ref:.2f}×"


print()
print("| workload | peer | median | range over runs | ÷ floor | ÷ Rust2Go cgo | ÷ Rust2Go shm | CPU per call (item) | cores busy |")
print("|---|---|---|---|---|---|---|---|---|")
for w in order:
    unit = units.get(w)
    if unit is None:
        continue
    for p in peers:
        vals = rows.get((w, p))
        if not vals:
            continue
        v = statistics.median(vals)
        rng = f"{fmt(min(vals), unit)} – {fmt(max(vals), unit)}" if len(vals) > 1 else ""
        cw = cpu_of.get(w)
        cpu, cores = (med(cw + "_cpu", p), med(cw + "_cores", p)) if cw else (None, None)
        print(f"| {w} | {p} | {fmt(v, unit)} | {rng} | {ratio(v, med(w, 'floor'))} "
              f"| {ratio(v, med(w, 'rust2go-cgo'))} | {ratio(v, med(w, 'rust2go-shm'))} "
              f"| {fmt(cpu, 'ns')} | {'—' if cores is None else f'{cores:.2f}'} |")
for w in blocked:
    if w.endswith("_held"):
        for p in peers:
            v = med(w, p)
            n = int(w.split("_")[1])
            if v is not None and v < n:
                print(f"\nnote: {p} had only {v:.0f} of {n} calls blocked at once")

for (w, p), vals in sorted(rows.items()):
    if w.endswith("_hung"):
        print(f"\nnote: {p} hung in {w[:-5]} in {len(vals)} run(s): its calls never all returned within 60 s")

# The targets of the issue, with r2go's figures.
checks = []


def target(name, ok, detail):
    if ok is None:
        checks.append(f"- n/a    {name}: {detail}")
    else:
        checks.append(f"- {'met   ' if ok else 'MISSED'} {name}: {detail}")


def r(w, p="r2go"):
    return med(w, p)


def vs(w, p, limit, name, higher=False):
    """A target on r2go's figure against peer p's: r2go ÷ p ≤ limit (≥ when higher)."""
    a, b = r(w), r(w, p)
    if a and b:
        x = a / b
        target(name, x >= limit if higher else x <= limit,
               f"{x:.2f}× ({fmt(a, units[w])} vs {fmt(b, units[w])})")


vs("sync_add", "floor", 1.05, "sync_add ≤ 1.05× floor")
vs("sync_bytes_1k", "floor", 1.15, "sync_bytes_1k ≤ 1.15× floor")
a, b = r("sync_bytes_64k_view"), r("sync_bytes_64k", "rust2go-cgo")
if a and b:
    target("sync_bytes_64k with #[borrow] ≤ 2× Rust2Go's (which views Rust's bytes too)", a / b <= 2,
           f"{a / b:.2f}× ({fmt(a, 'ns')} vs {fmt(b, 'ns')}); copied: {fmt(r('sync_bytes_64k'), 'ns')}")
vs("sync_items_100", "rust2go-cgo", 0.6, "sync_items_100 ≤ 0.6× Rust2Go")
a = r("async_rtt_p50")
best = min(x for x in [r("async_rtt_p50", "rust2go-cgo"), r("async_rtt_p50", "rust2go-shm"), float("inf")] if x)
if a and best != float("inf"):
    target("async p50 ≤ ¼ of Rust2Go's (its faster mode)", a / best <= 0.25, f"{a / best:.2f}× ({fmt(a, 'ns')} vs {fmt(best, 'ns')})")
a = r("async_rtt_p99")
if a:
    target("async p99 ≤ 20 µs", a <= 20000, fmt(a, "ns"))
for n in [256, 4096]:
    vs(f"async_tput_{n}", "rust2go-cgo", 1.5, f"async {n} in flight ≥ 1.5× Rust2Go cgo", higher=True)
    vs(f"async_tput_{n}", "floor", 1.2, f"async {n} in flight ≥ 1.2× floor", higher=True)
for w, label in [("async_rtt", "1 in flight"), ("async_tput_16", "16 in flight")]:
    a, f = r(w + "_cpu"), r(w + "_cpu", "floor")
    if a and f:
        target(f"CPU per call at {label} ≤ 1.5× floor's", a / f <= 1.5, f"{a / f:.2f}× ({fmt(a, 'ns')} vs {fmt(f, 'ns')})")
counts = sorted(int(w.split("_")[1]) for w in blocked if w.endswith("_rss"))
if counts:
    n = counts[-1]
    rss, floor_rss = r(f"blocked_{n}_rss"), r(f"blocked_{n}_rss", "floor")
    if rss:
        target(f"{n} blocked calls ≤ 1 GiB resident", rss <= 2**30, fmt(rss, "bytes"))
    if rss and floor_rss:
        target(f"{n} blocked calls ≤ 1.1× floor's memory", rss / floor_rss <= 1.1,
               f"{rss / floor_rss:.2f}× ({fmt(rss, 'bytes')} vs {fmt(floor_rss, 'bytes')})")
    per = [(k, r(f"blocked_{k}_growth")) for k in counts]
    per = [(k, g / k) for k, g in per if g]
    if len(per) >= 2:
        lo, hi = per[-2][1], per[-1][1]
        target("memory grows linearly (bytes per blocked call within 2× across counts)",
               0.5 <= hi / lo <= 2,
               ", ".join(f"{k}: {b:.0f} B/call" for k, b in per))
a, c = r("stream_items"), r("stream_items_calls")
if a and c:
    target("stream_items ≥ 10× one async call per item", a / c >= 10,
           f"{a / c:.2f}× ({fmt(a, 'items/s')} vs {fmt(c, 'items/s')})")
vs("stream_items", "grpc", 20, "stream_items ≥ 20× a gRPC server stream", higher=True)
a = r("stream_upload")
if a and c:
    target("stream_upload ≥ 10× one async call per item", a / c >= 10,
           f"{a / c:.2f}× ({fmt(a, 'items/s')} vs {fmt(c, 'items/s')})")
slow = []
for w in [w for w in order if not w.startswith(("limit_", "blocked_"))]:  # times and rates
    a, g = r(w), r(w, "grpc")
    if a and g:
        x = a / g if units[w] in ("calls/s", "items/s") else g / a
        slow.append((x, w))
if slow:
    worst = min(slow)
    target("every workload ≥ 20× faster than gRPC", worst[0] >= 20,
           f"slowest margin {worst[0]:.1f}× on {worst[1]}" +
           "; below 20×: " + (", ".join(f"{w} {x:.1f}×" for x, w in sorted(slow) if x < 20) or "none"))
# r2go over gRPC against the hand-written gRPC peer: the same transport,
# so it should match it (within 10%) or beat it on every shared workload.
versus = []
for w in order:
    a, g = r(w, "r2go-grpc"), r(w, "grpc")
    if a and g and not w.startswith(("limit_", "blocked_")):
        versus.append((g / a if units[w] == "ns" else a / g, w))
if versus:
    worst = min(versus)
    target("r2go-grpc ≥ 0.9× the hand-written gRPC peer on every shared workload", worst[0] >= 0.9,
           ", ".join(f"{w} {x:.2f}×" for x, w in versus))
print()
print("Targets (r2go):")
print("\n".join(checks))
EOF
}
if [ "${1:-}" = --table ]; then
	table "$2"
	exit 0
fi

smoke=false
for a in "$@"; do
	[ "$a" = --smoke ] && smoke=true
done
runs=${RUNS:-3}
peer_limit=3600 # seconds for one peer's run
$smoke && runs=1 && peer_limit=900

export CARGO_TARGET_DIR="$PWD/target"
mkdir -p "$CARGO_TARGET_DIR"

missing=()
for tool in go cargo cc python3; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench/run.sh: missing ${missing[*]}: install Go 1.24+, a Rust toolchain (rustup), a C compiler and python3" >&2
	exit 1
fi
# Rust2Go's bindgen loads libclang itself (clang-sys): libclang.so,
# libclang.so.N or libclang-N.so*. libclang-cpp, which a fresh Debian has,
# is another library and does not count.
have_libclang() {
	local f
	for f in $(ldconfig -p 2>/dev/null | awk '{print $NF}') /usr/lib/llvm-*/lib/libclang*.so*; do
		[[ -e "$f" && "$(basename "$f")" =~ ^libclang(-[0-9.]+)?\.so(\.[0-9.]+)?$ ]] && return 0
	done
	return 1
}
if ! have_libclang; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "== installing libclang-dev (Rust2Go's bindgen needs libclang)"
		apt-get install -y -q libclang-dev >/dev/null ||
			{ apt-get update -q >/dev/null && apt-get install -y -q libclang-dev >/dev/null; }
		have_libclang || { echo "bench/run.sh: libclang-dev installed, but no libclang.so found" >&2; exit 1; }
	else
		echo "bench/run.sh: Rust2Go's bindgen needs libclang: install libclang-dev (Debian/Ubuntu) or clang, or set LIBCLANG_PATH" >&2
		exit 1
	fi
fi

echo "== building the peers"
start=$(date +%s)
if ! cargo bench --manifest-path Cargo.toml --locked --no-run >"$CARGO_TARGET_DIR/build.log" 2>&1; then
	tail -n 40 "$CARGO_TARGET_DIR/build.log" >&2
	exit 1
fi
echo "   $(($(date +%s) - start)) s"

results="$CARGO_TARGET_DIR/results.tsv"
: >"$results"
for run in $(seq 1 "$runs"); do
	log="$CARGO_TARGET_DIR/run$run.log"
	: >"$log"
	for peer in r2go r2go-grpc rust2go grpc; do
		echo "== run $run/$runs: $peer"
		start=$(date +%s)
		# A peer whose workload hangs ends itself (exit 3) after reporting
		# it; timeout is the last resort for one that cannot.
		code=0
		timeout -k 30 "$peer_limit" cargo bench --manifest-path Cargo.toml --locked -q --bench "$peer" -- "$@" >>"$log" 2>&1 || code=$?
		case $code in
		0) ;;
		3) echo "   $peer hung in $(grep -o '[a-z0-9_]*_hung' "$log" | tail -n 1); its later workloads were skipped" ;;
		124 | 137)
			echo "bench/run.sh: the $peer peer did not finish within $peer_limit s; its output is in $log" >&2
			tail -n 30 "$log" >&2
			exit 1
			;;
		*)
			echo "bench/run.sh: the $peer peer failed (exit $code); its output is in $log" >&2
			tail -n 30 "$log" >&2
			exit 1
			;;
		esac
		echo "   $(($(date +%s) - start)) s"
	done
	grep '^result	' "$log" | sed "s/^/$run	/" >>"$results"
done

table "$results"

# The charts, with matplotlib in a virtual environment of the build directory
# (installed from PyPI the first time). A smoke run draws them there; a full
# run into bench/charts, which bench/README.md shows.
venv="$CARGO_TARGET_DIR/venv"
if ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
	echo "== installing matplotlib for the charts"
	python3 -m venv "$venv"
	"$venv/bin/python" -m pip install -q matplotlib
fi
charts="$PWD/charts"
$smoke && charts="$CARGO_TARGET_DIR/charts"
mkdir -p "$charts"
"$venv/bin/python" charts.py "$results" "$charts"
