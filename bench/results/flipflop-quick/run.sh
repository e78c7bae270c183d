#!/bin/bash
# The measured quick run (not niced: it is the measured thing).
cd /work/wt/ffq-run
M=measure
{ echo "start $(date -u +%FT%TZ) commit $(git rev-parse HEAD)"; echo "load at start: $(cat /proc/loadavg)"; } > $M/log.txt
( while sleep 60; do echo "$(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; done ) > $M/load.txt &
LOADPID=$!
/usr/bin/time -v node bin/testbeds.js flipflop --preset quick --jobs 2 --out $M/run > $M/flipflop.md 2>> $M/log.txt
echo "exit $?" >> $M/log.txt
{ echo "end $(date -u +%FT%TZ)"; echo "load at end: $(cat /proc/loadavg)"; } >> $M/log.txt
kill $LOADPID
