# Medians per size and kernel over the bursts of a bursts.sh JSONL file whose idle-after was >= 80%:
# µs at 1 and 2 threads, and the median of the per-burst ratios (1 thread ÷ 2 threads).
import json, statistics as st, sys
rows, kept = {}, 0
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j['idleAfter'] < 80:
        continue
    kept += 1
    for r in j['rows']:
        for key, v in r.items():
            if key.endswith('1') and key[:-1] + '2' in r:
                rows.setdefault((r['size'], key[:-1]), []).append((v, r[key[:-1] + '2']))
print(f'bursts kept: {kept}')
print('| size | kernel | 1 thread, µs | 2 threads, µs | 1 ÷ 2 threads (median of per-burst ratios) |')
print('|---|---|---:|---:|---:|')
for (size, k), v in rows.items():
    print(f'| {size} | {k} | {st.median(a for a, b in v):.0f} | {st.median(b for a, b in v):.0f} | {st.median(a / b for a, b in v):.2f}× |')
