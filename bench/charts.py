"""Draws the suite's charts from the result lines bench/run.sh collected:
throughput against calls in flight, and the async round-trip latency
distribution, one line per peer, as SVG files (matplotlib).

    python3 bench/charts.py RESULTS.tsv OUTDIR
"""
import collections
import statistics
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

# Fixed metadata and no hash salt: the same results draw the same file.
plt.rcParams["svg.hashsalt"] = "r2go-bench"
META = {"Date": None, "Creator": None}

rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    _run, _tag, peer, workload, value, _unit = line.rstrip("\n").split("\t")
    rows[(workload, peer)].append(float(value))
out = sys.argv[2]


def med(w, p):
    v = rows.get((w, p))
    return statistics.median(v) if v else None


peers = ["floor", "r2go", "r2go-grpc", "rust2go-cgo", "rust2go-shm", "grpc"]

fig, ax = plt.subplots(figsize=(7, 4.2))
flights = [16, 64, 256, 1024, 4096]
for p in peers:
    pts = [(n, med(f"async_tput_{n}", p)) for n in flights]
    pts = [(n, v / 1e6) for n, v in pts if v]
    if pts:
        ax.plot([n for n, _ in pts], [v for _, v in pts], marker="o", label=p)
ax.set_xscale("log", base=2)
ax.set_xticks(flights, [str(n) for n in flights])
ax.set_xlabel("async calls in flight")
ax.set_ylabel("million calls per second")
ax.set_title("Async throughput (median of runs)")
ax.grid(True, alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(f"{out}/throughput.svg", metadata=META)

fig, ax = plt.subplots(figsize=(7, 4.2))
pcts = [("p10", 10), ("p25", 25), ("p50", 50), ("p75", 75), ("p90", 90), ("p99", 99), ("p999", 99.9)]
for p in peers:
    pts = [(q, med(f"async_rtt_{name}", p)) for name, q in pcts]
    pts = [(q, v / 1000) for q, v in pts if v]
    if pts:
        ax.plot([v for _, v in pts], [q for q, _ in pts], marker=".", label=p)
ax.set_xscale("log")
ax.set_xlabel("async round trip, one call in flight (µs, log scale)")
ax.set_ylabel("percentile")
ax.set_title("Async latency distribution (median of runs)")
ax.grid(True, alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(f"{out}/latency.svg", metadata=META)
print(f"charts: {out}/throughput.svg, {out}/latency.svg")
