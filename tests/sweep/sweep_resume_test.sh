#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A 4-point sweep is killed with SIGKILL after its first point, a torn write is appended to the
# store, and the sweep is run again: it must resume with exactly 4 unique, well-formed rows.
# Usage: sweep_resume_test.sh GRANITA_BINARY SOURCE_DIR
set -euo pipefail
granita=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/spec.yaml" <<SPEC
version: 1
name: resume-test
model: $src/models/sst2-sorbet
hw: $src/configs/hw/edge.yaml
task: SST-2
sentences: {count: 2, seed: 5}
axes:
  encoding: [rate, bitserial]
  energy_table: [45nm-horowitz, loihi]
SPEC
out=$work/out
"$granita" sweep "$work/spec.yaml" -o "$out" -j 1 > "$work/first.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  [[ -s "$out/results.jsonl" ]] && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
first=$(wc -l < "$out/results.jsonl")
echo "rows after kill -9: $first"
[[ $first -ge 1 && $first -lt 4 ]] || { echo "FAIL: expected 1..3 rows after the kill"; exit 1; }
printf '{"hash":"torn' >> "$out/results.jsonl" # a write cut short by a crash
"$granita" sweep "$work/spec.yaml" -o "$out" -j 1 > "$work/second.log" 2>&1
cat "$work/second.log"
grep -q "partial last line" "$work/second.log" || { echo "FAIL: torn line not reported"; exit 1; }
grep -q "4 points, $first already" "$work/second.log" || { echo "FAIL: did not resume"; exit 1; }
/usr/bin/python3 - "$out/results.jsonl" "$out/results.csv" <<'PY'
import csv, json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "store must end with a newline"
rows = [json.loads(l) for l in lines[:-1]]
hashes = [r["hash"] for r in rows]
assert len(rows) == 4 and len(set(hashes)) == 4, f"expected 4 unique rows, got {hashes}"
assert all(r["status"] == "ok" for r in rows), [r.get("error") for r in rows]
assert all(r["energy_pj_per_sentence"] > 0 and r["sentences"] == 2 for r in rows)
csv_rows = list(csv.DictReader(open(sys.argv[2])))
assert sorted(r["hash"] for r in csv_rows) == sorted(hashes)
print("ok: 4 unique rows, no corrupt line")
PY
# A third run has nothing left to do.
third=$("$granita" sweep "$work/spec.yaml" -o "$out" -j 1)
[[ $third == *"4 already in"*"0 to run"* ]] || { echo "FAIL: rerun: $third"; exit 1; }
[[ $(wc -l < "$out/results.jsonl") -eq 4 ]] || { echo "FAIL: rerun added rows"; exit 1; }
