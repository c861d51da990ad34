#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The example sweep configs/sweeps/sst2-design-space.yaml (50 points) end to end, twice:
#  1. locally with -j 2, killed with SIGKILL mid-sweep, then resumed: every point exactly once;
#  2. through a real single-node Slurm (scripts/slurm-local: munged, slurmctld, slurmd): one job
#     array of 5-point tasks (1-point below 20 points), one task cancelled so its points go missing, `--collect` reports
#     them, a resubmission runs only those, and the store ends complete;
# and the two stores must agree on every point (status, cycles, energy, accuracy); then
#  3. `granita run --backend slurm` in 8 shards, one cancelled, --collect exits 3, the same
#     command resubmits that shard alone, and the merged report equals -j 1's and -j 2's.
# GRANITA_SWEEP_SAMPLES / GRANITA_SWEEP_SENTENCES shrink the sweep (the sanitizer pass).
# Needs root for slurmd; elsewhere than CI it skips (exit 77) without root.
# Usage: design_space_test.sh GRANITA_BINARY SOURCE_DIR
set -euo pipefail
granita=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
samples=${GRANITA_SWEEP_SAMPLES:-50}
sentences=${GRANITA_SWEEP_SENTENCES:-10}
if [[ $(id -u) -ne 0 ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: the Slurm round trip needs root (slurmd) and CI must run it"; exit 1
  fi
  echo "SKIP: the Slurm round trip needs root (slurmd)"; exit 77
fi
work=$(mktemp -d)
cluster=$work/cluster
cleanup() { "$src/scripts/slurm-local" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$src" # the spec's paths are relative to the repository root
sed -e "s/^samples: .*/samples: $samples/" \
    -e "s/^sentences: .*/sentences: {count: $sentences, seed: 1}/" \
    configs/sweeps/sst2-design-space.yaml > "$work/spec.yaml"
grep -q "^samples: $samples$" "$work/spec.yaml" || { echo "FAIL: spec has no samples line"; exit 1; }

rows() { [[ -f "$1/results.jsonl" ]] && wc -l < "$1/results.jsonl" || echo 0; }

echo "== local: -j 2, kill -9, resume ($samples points, $sentences sentences each)"
local_dir=$work/local
"$granita" sweep "$work/spec.yaml" -o "$local_dir" -j 2 > "$work/local1.log" 2>&1 &
pid=$!
kill_at=$((samples / 4 > 0 ? samples / 4 : 1))
for _ in $(seq 1 3000); do
  (($(rows "$local_dir") >= kill_at)) && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
first=$(rows "$local_dir")
echo "rows after kill -9: $first"
((first >= kill_at && first < samples)) || { echo "FAIL: expected $kill_at..$((samples - 1)) rows after the kill"; exit 1; }
# Exit codes: 0 when every point succeeded, 3 (partial) when some failed (3x3 meshes cannot hold
# the model), checked against the store.
expected_code() { if grep -q '"status": *"failed"' "$1/results.jsonl"; then echo 3; else echo 0; fi; }
status=0
"$granita" sweep "$work/spec.yaml" -o "$local_dir" -j 2 > "$work/local2.log" 2>&1 || status=$?
((status == $(expected_code "$local_dir"))) ||
  { echo "FAIL: local sweep exit $status, expected $(expected_code "$local_dir")"; cat "$work/local2.log"; exit 1; }
grep -q "$samples points, $first already" "$work/local2.log" ||
  { echo "FAIL: did not resume"; cat "$work/local2.log"; exit 1; }
tail -1 "$work/local2.log"

echo "== Slurm: start a single-node cluster"
"$src/scripts/slurm-local" start "$cluster"
export SLURM_CONF=$cluster/slurm.conf
slurm_dir=$work/slurm
chunk=$((samples >= 20 ? samples / 10 : 1)) # at least 8 tasks: the last waits behind two CPUs
"$granita" sweep "$work/spec.yaml" -o "$slurm_dir" --backend slurm --chunk $chunk | tee "$work/submit1.log"
job=$(sed -n 's/^submitted job \([0-9]*\):.*/\1/p' "$work/submit1.log")
[[ -n "$job" ]] || { echo "FAIL: no job submitted"; exit 1; }
tasks=$(( (samples + chunk - 1) / chunk ))
last=$((tasks - 1))
# The last task is still pending behind the others (two CPUs): cancelling it loses its points.
scancel "${job}_${last}"
status=0
"$granita" sweep --collect "$slurm_dir" --wait > "$work/collect1.log" || status=$?
cat "$work/collect1.log"
((status == 3)) || { echo "FAIL: --collect should exit 3 with points missing, got $status"; exit 1; }
missing=$(sed -n 's/.* \([0-9]*\) missing (.*/\1/p' "$work/collect1.log")
expect_missing=$((samples - chunk * last))
[[ "$missing" == "$expect_missing" ]] ||
  { echo "FAIL: expected the $expect_missing points of the cancelled task missing, got '$missing'"; exit 1; }
"$granita" sweep "$work/spec.yaml" -o "$slurm_dir" --backend slurm --chunk $chunk | tee "$work/submit2.log"
grep -q ", $missing to submit" "$work/submit2.log" || { echo "FAIL: resubmission is not the missing points"; exit 1; }
status=0
"$granita" sweep --collect "$slurm_dir" --wait > "$work/collect2.log" || status=$?
cat "$work/collect2.log"
((status == $(expected_code "$slurm_dir"))) ||
  { echo "FAIL: --collect exit $status, expected $(expected_code "$slurm_dir")"; exit 1; }
# Nothing left: a third submission submits nothing.
"$granita" sweep "$work/spec.yaml" -o "$slurm_dir" --backend slurm | grep -q ", 0 to submit$" ||
  { echo "FAIL: a complete sweep was submitted again"; exit 1; }

echo "== local and Slurm stores agree"
/usr/bin/python3 - "$local_dir/results.jsonl" "$slurm_dir/results.jsonl" "$samples" <<'PY'
import json, sys
def load(path):
    text = open(path).read()
    assert text.endswith("\n"), f"{path}: must end with a newline"
    rows = [json.loads(l) for l in text.splitlines()]
    return rows
local, slurm, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
lh = [r["hash"] for r in local]
assert len(lh) == n and len(set(lh)) == n, f"local: expected {n} unique rows, got {len(lh)}"
latest = {}
for r in slurm:
    latest[r["hash"]] = r
assert set(latest) == set(lh), "the two stores hold different points"
assert len(slurm) == n, f"slurm: expected {n} rows (each point once), got {len(slurm)}"
assert all(r["runner"].startswith("slurm:") for r in slurm)
ok = 0
for r in local:
    s = latest[r["hash"]]
    assert r["status"] == s["status"], (r["hash"], r["status"], s["status"])
    if r["status"] != "ok":
        assert "does not fit" in r["error"], r["error"]
        continue
    ok += 1
    for k in ("cycles_mean", "cycles_p99", "energy_pj_per_sentence", "metrics",
              "energy_pj_by_component", "cores_powered"):
        assert r[k] == s[k], (r["hash"], k, r[k], s[k])
assert ok > 0, "no point simulated"
print(f"ok: {n} points in both stores, {ok} simulated with identical results, {n - ok} failed alike")
PY

echo "== granita run --backend slurm: 8 shards, one cancelled and resubmitted, merged = one run"
runs=$work/run
mkdir -p "$runs"
dev=${GRANITA_DATA:-$src/../shared}/glue/SST-2/dev.tsv
n=16
"$granita" run --model models/sst2-sorbet --hw edge --data "$dev" -n $n -q --json "$runs/whole.json" >/dev/null
"$granita" run --model models/sst2-sorbet --hw edge --data "$dev" -n $n -q -j 2 --json "$runs/j2.json" >/dev/null
submit_run() { "$granita" run --model models/sst2-sorbet --hw edge --data "$dev" -n $n --backend slurm \
  --shards 8 -o "$runs/dir"; }
submit_run | tee "$runs/submit1.log"
job=$(sed -n 's/^submitted job \([0-9]*\):.*/\1/p' "$runs/submit1.log")
[[ -n "$job" ]] || { echo "FAIL: no run job submitted"; exit 1; }
# The last shard is still pending behind the others (two CPUs): cancelling it loses it.
scancel "${job}_7"
status=0
"$granita" run --collect "$runs/dir" --wait > "$runs/collect1.log" || status=$?
cat "$runs/collect1.log"
((status == 3)) || { echo "FAIL: run --collect should exit 3 with a shard missing, got $status"; exit 1; }
grep -q "missing  shard 7 " "$runs/collect1.log" || { echo "FAIL: shard 7 not reported missing"; exit 1; }
[[ ! -e "$runs/dir/report.json" ]] || { echo "FAIL: a report was written with a shard missing"; exit 1; }
submit_run | tee "$runs/submit2.log"
grep -q "7 done, 0 queued or running, 1 to submit" "$runs/submit2.log" &&
  grep -q "^submitted job [0-9]*: shards 7;" "$runs/submit2.log" ||
  { echo "FAIL: the resubmission is not the cancelled shard alone"; exit 1; }
"$granita" run --collect "$runs/dir" --wait --json "$runs/merged.json" > "$runs/collect2.log" ||
  { echo "FAIL: run --collect"; cat "$runs/collect2.log" "$runs/dir/slurm/"*.err; exit 1; }
for f in "$runs/dir/report.json" "$runs/merged.json" "$runs/j2.json"; do
  cmp -s "$runs/whole.json" "$f" ||
    { echo "FAIL: $f differs from one run's report"; diff "$runs/whole.json" "$f" | head; exit 1; }
done
submit_run | grep -q "8 done, 0 queued or running, 0 to submit$" ||
  { echo "FAIL: a complete run was submitted again"; exit 1; }
echo "ok: 8 Slurm shards (one rerun alone) merged into the report of one run, = -j 2's"
