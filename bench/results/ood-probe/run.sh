#!/bin/sh
# OOD probe of the README ("OOD probe"): train at p = 0.5, T = 16, 400 steps, batch 32, seed 1, then
# evaluate at p = 0.1 … 0.9 and at T = 32 (8 × 32 held-out sequences each). Re-run for the RNN rows
# after the RNNs gained PyTorch's embedding (issue #9); the Transformer rows do not change.
# Usage (from the repo root): sh bench/results/ood-probe/run.sh [lstm|transformer|all]  -> bench/results/ood-probe/*.json
set -e
cd "$(dirname "$0")/../../.."
OUT=bench/results/ood-probe
RUNS=${RUNS:-/tmp/ood-probe-runs}
which=${1:-lstm}
for a in parity gridworld:9; do
  for m in lstm transformer; do
    [ "$which" = all ] || [ "$which" = "$m" ] || continue
    tag="$(echo $a | tr : _)-$m"
    [ -f "$OUT/$tag.json" ] && continue
    rm -rf "$RUNS/$tag"
    if [ $m = lstm ]; then
      node bin/testbeds.js train --automaton $a --model lstm --width 32 --length 16 --steps 400 --lr 1e-2 --seed 1 --out "$RUNS/$tag" --quiet --json > "$RUNS/$tag.train.json"
    else
      node bin/testbeds.js train --automaton $a --layers 2 --width 32 --heads 4 --length 16 --context 32 --steps 400 --lr 3e-3 --seed 1 --out "$RUNS/$tag" --quiet --json > "$RUNS/$tag.train.json"
    fi
    {
      printf '{"automaton":"%s","model":"%s","train":' $a $m; cat "$RUNS/$tag.train.json"
      for p in 0.1 0.3 0.5 0.7 0.9; do printf ',"p=%s":' $p; node bin/testbeds.js eval "$RUNS/$tag" --ood p=$p --batches 8 --json; done
      printf ',"length=32":'; node bin/testbeds.js eval "$RUNS/$tag" --ood length=32 --batches 8 --json
      printf '}\n'
    } > "$OUT/$tag.json.tmp"
    mv "$OUT/$tag.json.tmp" "$OUT/$tag.json"
  done
done
