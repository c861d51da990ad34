#!/usr/bin/env bash
# Official-checkpoint import, end to end, for one GLUE head kind: a checkpoint folder in exactly
# the official layout (scripts/granita_model/official.py: official key names, shapes and config
# fields; calibrated values, so activations are realistic) goes through scripts/import-sorbet;
# `granita eval` and the Python integer mode must give identical logits (official profile), and
# scripts/sorbet-conformance must find the package's predictions within the target of the official
# float forward with exact level products (>= 99.5% agreement; for regression, Pearson >= 0.99
# between the two scores: these random models have a small score spread, and one quantizer level
# that lands on the other side of a rounding boundary moves a score by ~0.02). `granita run` must
# be bit-exact with the reference on two different chips.
# Usage: official_crosscheck.sh GRANITA_BINARY REPO_ROOT DATA_ROOT TASK NUM_LABELS SEED
# GRANITA_OFFICIAL_SENTENCES (default 100) limits the sentences.
set -euo pipefail
granita=$1
root=$2
data=${GRANITA_DATA:-$3}
task=$4
labels=$5
seed=$6
n=${GRANITA_OFFICIAL_SENTENCES:-100}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }

case "$task" in
  MNLI) src="$data/glue/RTE/dev.tsv" ;;   # no MNLI data is shipped: RTE pairs in MNLI's layout
  *) src="$data/glue/$task/dev.tsv" ;;
esac
if [[ ! -f "$src" ]]; then
  if [[ "${CI:-}" == "true" ]]; then fail "$src missing"; fi
  echo "SKIP: $src missing (set GRANITA_DATA)"; exit 0
fi
dev="$src"
if [[ "$task" == MNLI ]]; then
  dev="$tmp/mnli.tsv"
  "$py" - "$src" "$dev" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
head = rows[0]
a, b = head.index("sentence1"), head.index("sentence2")
gold = ["contradiction", "entailment", "neutral"]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("index\tsentence1\tsentence2\tgold_label\n")
    for i, r in enumerate(rows[1:]):
        f.write("%d\t%s\t%s\t%s\n" % (i, r[a], r[b], gold[i % 3]))
PY
fi

ptask=$(echo "$task" | tr 'A-Z' 'a-z')
"$py" - "$root/scripts" "$tmp/ckpt" "$labels" "$seed" "$ptask" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from granita_model import official
official.make_official_checkpoint(sys.argv[2], num_labels=int(sys.argv[3]), seed=int(sys.argv[4]),
                                  task=sys.argv[5])
PY
"$root/scripts/import-sorbet" "$tmp/ckpt" -o "$tmp/pkg" --task "$task" --max-seq-len 128 \
  || fail "import-sorbet"
grep -q "^profile: official" "$tmp/pkg/model.yaml" || fail "the package is not of the official profile"

"$granita" eval --model "$tmp/pkg" --task "$task" --data "$dev" -n "$n" --json "$tmp/cpp.json" \
  > "$tmp/eval.txt" || { cat "$tmp/eval.txt"; fail "granita eval"; }
GRANITA_DATA=$data "$root/scripts/sorbet-intmode" --model "$tmp/pkg" --task "$task" --data "$dev" \
  --limit "$n" --compare "$tmp/cpp.json" --json "$tmp/py.jsonl" > "$tmp/intmode.txt" 2>&1 \
  || { cat "$tmp/intmode.txt"; fail "granita eval and the Python integer mode differ"; }
tail -n 1 "$tmp/intmode.txt"

GRANITA_BIN=$granita "$root/scripts/sorbet-conformance" "$tmp/pkg" --checkpoint "$tmp/ckpt" \
  --data "$dev" --task "$task" --limit "$n" --exact-products --json "$tmp/conf.json" | tee "$tmp/conf.txt" \
  || fail "sorbet-conformance"
"$py" - "$tmp/conf.json" <<'PY' || fail "conformance below the target"
import json, sys
r = json.load(open(sys.argv[1]))
ok = r["agreement"] >= 0.995 if "agreement" in r else r["pearson_granita_vs_official"] >= 0.99
sys.exit(0 if ok else 1)
PY

# The cycle-accurate chip on three chips (rate coding on 256x256 crossbars; bit-serial coding on
# 64x96 crossbars, a 5x7 mesh, YX routing; signed rate coding on 256x256 crossbars): bit-exact with the reference (granita run exits 2 on
# the first mismatch, naming the op).
runs=${GRANITA_RUN_SENTENCES:-10}
for chip in "" "-p encoding=bitserial -p core.crossbar.rows=64 -p core.crossbar.cols=96 -p mesh.x=5 -p mesh.y=7 -p router.routing=yx" \
    "-p encoding=signed_rate"; do
  # shellcheck disable=SC2086
  "$granita" run --model "$tmp/pkg" --hw "$root/configs/hw/default.yaml" $chip --task "$task" \
    --data "$dev" -n "$runs" > "$tmp/run.txt" 2>&1 || { cat "$tmp/run.txt"; fail "granita run $chip"; }
  grep -q "bit-exact    logits identical to the reference on all $runs sentences" "$tmp/run.txt" \
    || { cat "$tmp/run.txt"; fail "granita run is not bit-exact ($chip)"; }
done
echo "1 passed, 0 failed"
