#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs xtnn's benchmarks and the peers of ../shared/bench in interleaved rounds on one BLAS
# thread, and prints each workload's median seconds and its ratio to libtorch and to the
# GEMM floor. The machine is shared and noisy: compare within one run, quote medians.
#   benchmarks/side_by_side.sh [BUILD_DIR] [WORKLOADS]     (defaults: build, W1a,W1b,W1c)
# Needs: a Release build with benchmarks, XTNN_DATA_DIR (or ./data), Debian's python3-numpy,
# and for libtorch libtorch-dev (see ../shared/bench/README.md). ROUNDS=5 by default.
# BASELINE=OTHER_BUILD_DIR also runs that build's benchmarks (e.g. of the previous commit) in
# the same rounds, as peer "xtnn-baseline", and prints each workload's ratio to it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
workloads=${2:-W1a,W1b,W1c}
rounds=${ROUNDS:-5}
peers_src=${PEERS_SRC:-$here/../../shared/bench}
peers_data=${PEERS_DATA:-/tmp/peers_data}
peers_build=${PEERS_BUILD:-/tmp/peers_build}
out=$(mktemp)
export OPENBLAS_NUM_THREADS=1

if [[ ! -x "$peers_build/peer_libtorch" ]]; then
    PEERS_DATA=$peers_data /usr/bin/python3 "$peers_src/prep_data.py" >&2
    cmake -S "$peers_src" -B "$peers_build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$peers_build" -j2 >/dev/null
fi

for ((round = 1; round <= rounds; round++)); do
    echo "round $round/$rounds" >&2
    "$peers_build/peer_libtorch" --threads 1 --data "$peers_data" --only "$workloads" | grep '^RESULT' >>"$out" || true
    "$peers_build/ref_cblas" gemm --threads 1 --data "$peers_data" --only "$workloads" | grep '^RESULT' >>"$out" || true
    for bench in "$build"/benchmarks/bench_*; do
        "$bench" --benchmark_filter="^(${workloads//,/|})_" --benchmark_format=csv \
            --benchmark_min_time=0.5 2>/dev/null | grep '^"W' >>"$out" || true
    done
    if [[ -n "${BASELINE:-}" ]]; then
        for bench in "$BASELINE"/benchmarks/bench_*; do
            "$bench" --benchmark_filter="^(${workloads//,/|})_" --benchmark_format=csv \
                --benchmark_min_time=0.5 2>/dev/null | grep '^"W' | sed 's/^"/"baseline:/' >>"$out" || true
        done
    fi
done

/usr/bin/python3 - "$out" <<'PY'
import collections, json, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    if line.startswith("RESULT"):
        r = json.loads(line[len("RESULT "):])
        times[(r["workload"], r["peer"])].append(r["seconds"])
    else:  # Google Benchmark csv: "name",iterations,real_time,cpu_time,time_unit,...
        f = line.split(",")
        if any(f[0].strip('"').endswith(a) for a in ("_mean", "_median", "_stddev", "_cv")):
            continue  # repetition aggregates: the medians are taken below
        unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[f[4].strip('"')]
        name = f[0].strip('"')
        peer = "xtnn-baseline" if name.startswith("baseline:") else "xtnn"
        name = name[len("baseline:"):] if peer == "xtnn-baseline" else name
        times[(name.split("_")[0], peer)].append(float(f[2]) * unit)
print(f"{'workload':10} {'peer':18} {'median s':>9} {'vs libtorch':>12} {'vs floor':>9} {'vs baseline':>12}")
for w in sorted({w for w, _ in times}):
    floor = min((statistics.median(v) for (ww, p), v in times.items() if ww == w and p.startswith("gemm")), default=None)
    torch = statistics.median(times[(w, "libtorch")]) if (w, "libtorch") in times else None
    base = statistics.median(times[(w, "xtnn-baseline")]) if (w, "xtnn-baseline") in times else None
    for (ww, p), v in sorted(times.items()):
        if ww != w:
            continue
        m = statistics.median(v)
        ratio = lambda d: f"{m / d:.2f}x" if d else "-"
        print(f"{w:10} {p:18} {m:9.4f} {ratio(torch):>12} {ratio(floor):>9} {ratio(base):>12}  (min {min(v):.4f}, max {max(v):.4f})")
PY
if [[ -n "${KEEP:-}" ]]; then cp "$out" "$KEEP"; fi
rm -f "$out"
