#!/usr/bin/env bash
# Bit-exactness and mapping invariance of the cycle-accurate chip (ARCHITECTURE.md §3): for N
# real SST-2 dev sentences on several chips (crossbar sizes, mesh sizes, all three spike encodings,
# routing algorithms, both placers), `granita run` must give the same integer logits as the reference
# (`granita eval`), compared here from the two JSON reports, independently of the in-process
# check `granita run` does itself (which names the first op and core that differ). Also checks
# determinism: the same run twice gives a byte-identical JSON report.
# Usage: run_crosscheck.sh GRANITA_BINARY REPO_ROOT DATA_ROOT [N]
set -euo pipefail
granita=$1
root=$2
data=${GRANITA_DATA:-$3}
n=${GRANITA_RUN_SENTENCES:-${4:-50}}
dev="$data/glue/SST-2/dev.tsv"
if [[ ! -f "$dev" ]]; then
  if [[ "${CI:-}" == "true" ]]; then echo "FAIL: $dev missing"; exit 1; fi
  echo "SKIP: $dev missing (set GRANITA_DATA)"; exit 0
fi
model="$root/models/sst2-sorbet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$granita" eval --model "$model" --data "$dev" -n "$n" --json "$tmp/ref.json" >/dev/null
configs=(
  "default.yaml"                                                    # 256x256, 8x8, rate, xy
  "edge.yaml"                                                       # 128x128, 4x4, bitserial
  "default.yaml -p core.crossbar.rows=64 -p core.crossbar.cols=96 -p mesh.x=5 -p mesh.y=7 -p router.routing=yx -p router.virtual_channels=1"
  "default.yaml -p encoding=bitserial -p router.routing=west_first -p router.flit_bits=32 -p router.buffer_depth_flits=2"
  "default.yaml -p encoding=signed_rate"                            # 256x256, 8x8, signed
  "edge.yaml -p encoding=signed_rate -p router.routing=yx"          # 128x128, 4x4, signed
  # both placers explicitly, whichever is the default (docs/placement.md)
  "default.yaml -p compiler.placement=greedy"
  "default.yaml -p compiler.placement=metis"
  "edge.yaml -p compiler.placement=greedy"
  "edge.yaml -p compiler.placement=metis -p mesh.x=3 -p mesh.y=5 -p router.routing=yx"
)
fail=0
for i in "${!configs[@]}"; do
  read -r -a args <<< "${configs[$i]}"
  hw="$root/configs/hw/${args[0]}"
  if ! "$granita" run --model "$model" --hw "$hw" "${args[@]:1}" --data "$dev" -n "$n" -q \
      --json "$tmp/run$i.json" > "$tmp/run$i.txt" 2>&1; then
    echo "FAIL: config $i (${configs[$i]}):"; cat "$tmp/run$i.txt"; fail=1; continue
  fi
  if ! /usr/bin/python3 - "$tmp/ref.json" "$tmp/run$i.json" <<'PY'
import json, sys
ref = json.load(open(sys.argv[1]))["sentences"]
run = json.load(open(sys.argv[2]))["sentences"]
assert len(ref) == len(run), (len(ref), len(run))
for r, s in zip(ref, run):
    if r["logits"] != s["logits"]:
        print(f"sentence {r['index']}: reference {r['logits']} chip {s['logits']}")
        sys.exit(1)
    assert s["cycles"] > 0 and s["energy_pj"] > 0
PY
  then echo "FAIL: config $i (${configs[$i]}) logits differ"; fail=1; continue; fi
  echo "ok: config $i (${configs[$i]}): $n sentences bit-exact"
done
# Determinism: byte-identical report for the same inputs.
read -r -a args <<< "${configs[1]}"
"$granita" run --model "$model" --hw "$root/configs/hw/${args[0]}" --data "$dev" -n 10 -q \
  --json "$tmp/det.json" >/dev/null
"$granita" run --model "$model" --hw "$root/configs/hw/${args[0]}" --data "$dev" -n 10 -q \
  --json "$tmp/det2.json" >/dev/null
if ! cmp -s "$tmp/det.json" "$tmp/det2.json"; then echo "FAIL: reports differ between runs"; fail=1; fi
exit $fail
