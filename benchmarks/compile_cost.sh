#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compile cost of programs that use xtnn: CPU seconds (user + system) and peak memory of the
# compiler for one translation unit each, as /usr/bin/time -v reports them (Debian's `time`
# package). Usage: benchmarks/compile_cost.sh [COMPILER [FLAGS...]]; default g++ -std=c++17
# -O2. Compiles only (-c): linking is the same few libraries for all three.
set -euo pipefail
cd "$(dirname "$0")/.."
compiler=("${@:-g++}")
if [[ $# -le 1 ]]; then
    compiler+=(-std=c++17 -O2)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '| program | includes | CPU s | peak MB |\n|---|---|---|---|\n'
for entry in "benchmarks/compile_cost/inference.cpp:xtnn/xtnn.hpp" \
             "benchmarks/compile_cost/inference_io.cpp:+ io/model, io/weights, data/mnist" \
             "examples/mnist_train.cpp:everything (+ plot, checkpoint, cli)"; do
    source=${entry%%:*}
    what=${entry#*:}
    /usr/bin/time -v "${compiler[@]}" -Iinclude -Iexamples -c "$source" -o "$out/a.o" \
        2>"$out/time.txt"
    user=$(sed -n 's/^\s*User time (seconds): //p' "$out/time.txt")
    system=$(sed -n 's/^\s*System time (seconds): //p' "$out/time.txt")
    peak_kb=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$out/time.txt")
    printf '| `%s` | %s | %.1f | %d |\n' "$source" "$what" "$(awk "BEGIN { print $user + $system }")" \
        $((peak_kb / 1024))
done
