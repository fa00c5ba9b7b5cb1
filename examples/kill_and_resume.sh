#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mnist_train --checkpoint survives SIGKILL: a small run is killed at random moments again and
# again; after every kill the checkpoint (if one was written yet) must load whole — the
# golden check passes — and the next run resumes from it. The run that finally completes must
# print the very test accuracy of the same run never interrupted (resuming is bit-exact).
#   kill_and_resume.sh BUILD_DIR [KILLS]      (needs XTNN_DATA_DIR; exits 77 without it)
set -euo pipefail
build=$1
kills=${2:-12}
if [[ -z "${XTNN_DATA_DIR:-}" ]]; then
    echo "skipped: XTNN_DATA_DIR is not set"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
train=("$build/examples/mnist_train" --hidden 32 --epochs 40 --batch 256 --seed 3 --quiet)

expected=$("${train[@]}" | grep '^Test accuracy')
echo "uninterrupted: $expected"

checkpoint="$work/run.ckpt.npz"
killed=0
attempt=0
while :; do
    attempt=$((attempt + 1))
    resume=()
    [[ -f "$checkpoint" ]] && resume=(--resume "$checkpoint")
    if ((killed < kills)); then
        "${train[@]}" --checkpoint "$checkpoint" "${resume[@]}" >"$work/out.txt" 2>&1 &
        pid=$!
        # 0.3 .. 1.1 s: during the data load, an epoch, or a save
        sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 + 0.8 * r / 32767 }')"
        if kill -9 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null || true
            killed=$((killed + 1))
            if [[ -f "$checkpoint" ]]; then
                # the checkpoint must be whole: a model file whose self-check passes
                "$build/examples/mnist_inference" --weights "$checkpoint" --batch 1000 >/dev/null
                echo "kill $killed: the checkpoint loads whole"
            else
                echo "kill $killed: no checkpoint yet"
            fi
            continue
        fi
        wait "$pid"  # it finished before the kill
    else
        "${train[@]}" --checkpoint "$checkpoint" "${resume[@]}" >"$work/out.txt" 2>&1
    fi
    got=$(grep '^Test accuracy' "$work/out.txt")
    echo "finished after $killed kills: $got"
    left=$(find "$work" -name '*.tmp-xtnn-*' | wc -l)
    ((left == 0)) || { echo "error: $left temporaries of killed saves are left"; exit 1; }
    [[ "$got" == "$expected" ]] || { echo "error: the resumed run differs from the uninterrupted one"; exit 1; }
    echo "kill_and_resume: ok"
    exit 0
done
