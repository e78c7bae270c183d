#!/usr/bin/env bash
# Alternating fresh processes: old build vs new build, per config and thread count; R rounds.
OLD=$1; NEW=$2; R=${3:-3}; OUT=$4
for r in $(seq 1 $R); do for L in 2 4; do for t in 1 2; do
  steps=$([ $L = 2 ] && echo 12 || echo 5)
  o=$(node "$(dirname "$0")"/ab-step.mjs $OLD $L $t $steps); n=$(node /work/exp/ab-step.mjs $NEW $L $t $steps)
  echo "{\"round\":$r,\"L\":$L,\"threads\":$t,\"old\":$o,\"new\":$n,\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\"}" | tee -a $OUT
done; done; done
