#!/usr/bin/env bash
# Cycle/event regression of the cycle-accurate chip (issue 14, deliverable 4): speed-ups of the
# simulator must not change a single cycle, event or energy figure. For a few real SST-2 dev
# sentences on several chips (all three spike encodings, XY/YX routing, small crossbars on an odd
# mesh, and a BERT-base-size model on the bert-base chip), `granita run --json` must give
# exactly the per-sentence cycles, raw event counts, energy and logits recorded in
# cycle_regression.golden.json, and the same raw sums (`counts`: per-op events and times, router
# and link flits, unit busy cycles, drain cycles).
#
# Usage: cycle_regression.sh GRANITA_BINARY REPO_ROOT DATA_ROOT
# Regenerate the golden file (only when a change is MEANT to alter timing or events, and say so
# in the commit):
#   GRANITA_UPDATE_GOLDEN=1 tests/sim/cycle_regression.sh build/sim/granita . ../shared
set -euo pipefail
granita=$1
root=$2
data=${GRANITA_DATA:-$3}
golden="$root/tests/sim/cycle_regression.golden.json"
dev="$data/glue/SST-2/dev.tsv"
if [[ ! -f "$dev" ]]; then
  if [[ "${CI:-}" == "true" ]]; then echo "FAIL: $dev missing"; exit 1; fi
  echo "SKIP: $dev missing (set GRANITA_DATA)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sst2="$root/models/sst2-sorbet"
# Random weights are fine: timing and events depend on the spikes, which the seed fixes.
"$granita" synth-model --preset bert-base -o "$tmp/bert-base" --seed 1 >/dev/null
# name | model | sentences | hardware args
cases=(
  "default|$sst2|5|default"
  "edge|$sst2|5|edge"
  "default-bitserial-yx|$sst2|5|default -p encoding=bitserial -p router.routing=yx"
  "default-64x96-5x7|$sst2|5|default -p core.crossbar.rows=64 -p core.crossbar.cols=96 -p mesh.x=5 -p mesh.y=7"
  "default-signed-rate|$sst2|5|default -p encoding=signed_rate"
  "bert-base|$tmp/bert-base|2|bert-base"
)
for c in "${cases[@]}"; do
  IFS='|' read -r name model n hwargs <<< "$c"
  read -r -a args <<< "$hwargs"
  if ! "$granita" run --model "$model" --hw "${args[0]}" "${args[@]:1}" --data "$dev" -n "$n" -q \
      --json "$tmp/$name.json" > "$tmp/$name.txt" 2>&1; then
    echo "FAIL: $name: granita run failed:"; cat "$tmp/$name.txt"; exit 1
  fi
done
/usr/bin/python3 - "$golden" "$tmp" "${GRANITA_UPDATE_GOLDEN:-0}" "${cases[@]}" <<'PY'
import json, sys
golden_path, tmp, update, cases = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
keys = ("index", "cycles", "events", "energy_pj", "logits")
got = {"version": 1, "chips": {}}
for c in cases:
    name = c.split("|")[0]
    r = json.load(open(f"{tmp}/{name}.json"))
    got["chips"][name] = {
        "args": c.split("|", 3)[3], "sentences": [{k: s[k] for k in keys} for s in r["sentences"]],
        "counts": r["counts"]}
if update:
    with open(golden_path, "w") as f:
        json.dump(got, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {golden_path}")
    sys.exit(0)
want = json.load(open(golden_path))
fail = False
for name, w in want["chips"].items():
    g = got["chips"].get(name)
    if g is None:
        print(f"FAIL: {name}: not run"); fail = True; continue
    if len(g["sentences"]) != len(w["sentences"]):
        print(f"FAIL: {name}: {len(g['sentences'])} sentences, golden {len(w['sentences'])}")
        fail = True; continue
    bad = False
    for gs, ws in zip(g["sentences"], w["sentences"]):
        for k in keys:
            if k == "events":
                for e in sorted(set(gs[k]) | set(ws[k])):
                    if gs[k].get(e) != ws[k].get(e):
                        print(f"FAIL: {name} sentence {ws['index']} event {e}: "
                              f"{gs[k].get(e)}, golden {ws[k].get(e)}"); bad = True
            elif gs[k] != ws[k]:
                print(f"FAIL: {name} sentence {ws['index']} {k}: {gs[k]}, golden {ws[k]}")
                bad = True
    if g["counts"] != w["counts"]:
        for k in sorted(set(g["counts"]) | set(w["counts"])):
            if g["counts"].get(k) != w["counts"].get(k):
                print(f"FAIL: {name}: counts.{k} differs from the golden file"); bad = True
    fail = fail or bad
    if not bad:
        print(f"ok: {name}: {len(w['sentences'])} sentences, cycles/events/energy identical")
sys.exit(1 if fail else 0)
PY
