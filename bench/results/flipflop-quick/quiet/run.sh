#!/bin/bash
# Quiet-machine measurement of the flip-flop quick preset (coordinator, 2026-12-05).
cd /work/bg/ffq-quiet/src
M=/work/bg/ffq-quiet
{ echo "start $(date -u +%FT%TZ) commit $(git rev-parse HEAD)"; echo "load at start: $(cat /proc/loadavg)"; } > $M/log.txt
( while sleep 30; do echo "$(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; done ) > $M/load.txt &
LOADPID=$!
/usr/bin/time -v node bin/testbeds.js flipflop --preset quick --jobs 2 --out $M/run > $M/flipflop.md 2>> $M/log.txt
echo "exit $?" >> $M/log.txt
{ echo "end $(date -u +%FT%TZ)"; echo "load at end: $(cat /proc/loadavg)"; } >> $M/log.txt
kill $LOADPID
