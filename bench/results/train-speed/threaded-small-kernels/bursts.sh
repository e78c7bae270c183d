#!/bin/sh
# Runs kernels.mjs whenever the shared 2-core machine is idle (> 92% idle over 1 s), for $1 seconds;
# prints one JSON line per burst with the idle % before and after (aggregate.py keeps idle-after >= 80).
# Usage (repository root): sh bench/results/train-speed/threaded-small-kernels/bursts.sh 300 [script] > FILE.jsonl
idle() {
  read -r _ u n s i w x y z _ < /proc/stat; t1=$((u+n+s+i+w+x+y+z)); i1=$((i+w)); sleep 1
  read -r _ u n s i w x y z _ < /proc/stat; t2=$((u+n+s+i+w+x+y+z)); i2=$((i+w)); echo $(( 100*(i2-i1)/(t2-t1) ))
}
script=${2:-bench/results/train-speed/threaded-small-kernels/kernels.mjs}
end=$(( $(date +%s) + ${1:-300} ))
while [ "$(date +%s)" -lt "$end" ]; do
  a=$(idle)
  if [ "$a" -gt 92 ]; then
    r=$(nice -n 5 node "$script"); b=$(idle); echo "{\"idleBefore\":$a,\"idleAfter\":$b,\"rows\":$r}"
  else sleep 2; fi
done
