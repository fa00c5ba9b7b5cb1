#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every fuzz target of a build configured with -DXTNN_BUILD_FUZZERS=ON, SECONDS each,
# JOBS at a time, over a fresh seed corpus (make_corpus.py) plus the committed regressions;
# prints executions, coverage and findings per target. Findings (crash-*, timeout-*, oom-*,
# leak-*) are written to BUILD/fuzz/findings/<target>/; exits 1 when there is any.
#
#   tests/fuzz/run_fuzzers.sh BUILD SECONDS [JOBS] [TARGET...]
#
# Without TARGETs: all of them but keras (libhdf5's own parsing; README.md).
# XTNN_DATA_DIR, when set, adds the real MNIST headers to the IDX seeds.
set -euo pipefail
if [[ $# -lt 2 ]]; then
    echo "usage: $0 BUILD SECONDS [JOBS] [TARGET...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
jobs=${3:-2}
shift $(($# < 3 ? $# : 3))
here=$(cd "$(dirname "$0")" && pwd)
python=${XTNN_PYTHON:-/usr/bin/python3}
bin="$build/tests/fuzz"
work="$build/fuzz"

read -r -a all_targets < "$bin/targets.txt"
# Without names, every target but keras: it drives libhdf5 1.10, which is not hardened against
# hostile files and stops the run within seconds inside H5* (see README.md). Name it to run it.
targets=()
for target in "${all_targets[@]}"; do
    [[ $target != keras ]] && targets+=("$target")
done
[[ $# -gt 0 ]] && targets=("$@")

rm -rf "$work/seeds" "$work/findings" "$work/logs"
mkdir -p "$work/findings" "$work/logs" "$work/dicts"
"$bin/fuzz_seeds" "$work/xtnn-seeds"
mnist=()
if [[ -n "${XTNN_DATA_DIR:-}" && -d "$XTNN_DATA_DIR/mnist" ]]; then
    mnist=(--mnist "$XTNN_DATA_DIR/mnist")
fi
"$python" "$here/make_corpus.py" "$work/seeds" "${mnist[@]}" --xtnn-seeds "$work/xtnn-seeds" >/dev/null

dictionaries_of() {
    case $1 in
        idx) echo idx ;;
        npy) echo npy ;;
        npz) echo zip npy ;;
        pickle | torch_pickle) echo pickle ;;
        torch) echo zip pickle ;;
        safetensors | model_json | checkpoint_json | keras_config) echo json ;;
        digits) echo digits ;;
        weights) echo zip npy pickle ;;
        model | checkpoint | keras) echo zip json npy ;;
        import_model) echo zip json npy pickle ;;
        *) ;;
    esac
}

run_one() {
    local target=$1
    local corpus="$work/corpus/$target" findings="$work/findings/$target"
    mkdir -p "$corpus" "$findings"
    local inputs=("$corpus")
    [[ -d "$work/seeds/$target" ]] && inputs+=("$work/seeds/$target")
    [[ -d "$here/regressions/$target" ]] && inputs+=("$here/regressions/$target")
    local dict=()
    local names
    names=$(dictionaries_of "$target")
    if [[ -n "$names" ]]; then
        : > "$work/dicts/$target.dict"
        for name in $names; do cat "$here/dictionaries/$name.dict" >> "$work/dicts/$target.dict"; done
        dict=(-dict="$work/dicts/$target.dict")
    fi
    # -malloc_limit_mb: no reader may allocate 512 MB for an input of at most 64 KiB;
    # -timeout: nor take 10 s over one. Both are findings.
    "$bin/fuzz_$target" "${inputs[@]}" "${dict[@]}" -max_total_time="$seconds" \
        -max_len=65536 -malloc_limit_mb=512 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$findings/" -print_final_stats=1 -close_fd_mask=3 \
        > "$work/logs/$target.log" 2>&1 || true
}

running=0
for target in "${targets[@]}"; do
    run_one "$target" &
    running=$((running + 1))
    if [[ $running -ge $jobs ]]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait

status=0
printf '%-16s %12s %8s %8s %8s %s\n' target executions exec/s cov features findings
for target in "${targets[@]}"; do
    log="$work/logs/$target.log"
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    found=$(find "$work/findings/$target" -type f | wc -l)
    printf '%-16s %12s %8s %8s %8s %s\n' "$target" "${runs:-0}" "${speed:-0}" "${cov:-?}" "${ft:-?}" "$found"
    if ! grep -q 'stat::number_of_executed_units' "$log"; then
        status=1
        echo "  $target did not run to its end: $log"
    elif [[ $found -gt 0 ]] || grep -q 'ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error' "$log"; then
        status=1
        echo "  findings of $target: $work/findings/$target (log: $log)"
    fi
done
exit $status
