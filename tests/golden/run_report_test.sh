#!/usr/bin/env bash
# Golden run report (docs/report-format.md): the shipped SST-2 model on the edge preset, the first
# 3 SST-2 dev sentences, JSON report compared byte for byte with tests/golden/run_report.json.
# The same run with -j 2 (two worker chips) must give the identical report, so must two --shard
# runs merged with --merge, and
# `granita energy --reprice` of it with another table the report of a run simulated with that
# table. When a change is intended, regenerate the file and review the diff:
#   tests/golden/run_report_test.sh build/sim/granita ../shared --regenerate
# Usage: run_report_test.sh GRANITA_BINARY DATA_ROOT [--regenerate]
set -uo pipefail
granita=$1
data=${GRANITA_DATA:-$2}
root=$(cd "$(dirname "$0")/../.." && pwd)
golden="$root/tests/golden/run_report.json"
dev="$data/glue/SST-2/dev.tsv"
if [[ ! -f "$dev" ]]; then
  if [[ "${CI:-}" == "true" ]]; then echo "FAIL: $dev missing"; echo "0 passed, 1 failed"; exit 1; fi
  echo "SKIP: $dev missing (set GRANITA_DATA)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { "$granita" run --model "$root/models/sst2-sorbet" --hw edge --data "$dev" -n 3 -q "$@" >/dev/null; }
run --json "$tmp/r.json" || { echo "0 passed, 1 failed"; exit 1; }
if [[ "${3:-}" == "--regenerate" ]]; then
  cp "$tmp/r.json" "$golden"; echo "wrote $golden"; exit 0
fi
pass=0; fail=0
check() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi; }
if cmp -s "$tmp/r.json" "$golden"; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL: report differs from $golden (regenerate if intended):"
  diff "$golden" "$tmp/r.json" | head -40
fi
run -j 2 --json "$tmp/j2.json"
check cmp -s "$tmp/r.json" "$tmp/j2.json"
run --shard 0/2 --json "$tmp/s0.json"
run --shard 1/2 --json "$tmp/s1.json"
"$granita" run --model "$root/models/sst2-sorbet" --merge "$tmp/s1.json" "$tmp/s0.json" \
  --json "$tmp/merged.json" >/dev/null
check cmp -s "$tmp/r.json" "$tmp/merged.json"
run --energy loihi --json "$tmp/loihi.json"
"$granita" energy --reprice "$tmp/r.json" --energy loihi --json "$tmp/repriced.json" >/dev/null
check cmp -s "$tmp/loihi.json" "$tmp/repriced.json"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
