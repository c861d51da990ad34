#!/usr/bin/env bash
# Bit-exactness of the two integer Sorbet implementations (ARCHITECTURE.md §3): the C++
# reference (`granita eval`) and the Python integer mode (scripts/sorbet-intmode) must give
# identical token ids and integer logits on every sentence of a GLUE dev file. On a mismatch it
# names the first sentence that differs and the first op whose integer output differs.
# Usage: intmode_crosscheck.sh GRANITA_BINARY REPO_ROOT DATA_ROOT MODEL_DIR TASK
set -euo pipefail
granita=$1
root=$2
data=${GRANITA_DATA:-$3}
model=$4
task=$5
dev="$data/glue/$task/dev.tsv"
if [[ ! -f "$dev" ]]; then
  if [[ "${CI:-}" == "true" ]]; then echo "FAIL: $dev missing"; exit 1; fi
  echo "SKIP: $dev missing (set GRANITA_DATA)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$granita" eval --model "$model" --task "$task" --data "$dev" --json "$tmp/cpp.json" >/dev/null
if GRANITA_DATA=$data "$root/scripts/sorbet-intmode" --model "$model" --task "$task" --data "$dev" \
    --compare "$tmp/cpp.json" --json "$tmp/py.jsonl" > "$tmp/out.txt" 2>&1; then
  tail -n 1 "$tmp/out.txt"
  echo "1 passed, 0 failed"
  exit 0
fi
cat "$tmp/out.txt"
# Name the first op that differs, on the first sentence that differs.
first=$(/usr/bin/python3 - "$tmp/cpp.json" "$tmp/py.jsonl" <<'PY'
import json, sys
cpp = json.load(open(sys.argv[1]))["sentences"]
py = [json.loads(l) for l in open(sys.argv[2])]
for c, p in zip(cpp, py):
    if c["ids"] != p["ids"] or c["logits"] != p["logits"]:
        print(c["index"]); break
else:
    print(-1)
PY
)
if [[ "$first" -ge 0 ]]; then
  echo "first differing sentence: $first (0-based row of $dev)"
  "$granita" eval --model "$model" --task "$task" --data "$dev" --dump-ops "$tmp/cpp_ops.json" \
    --dump-index "$first" >/dev/null
  GRANITA_DATA=$data "$root/scripts/sorbet-intmode" --model "$model" --task "$task" --data "$dev" \
    --ops-index "$first" --ops-compare "$tmp/cpp_ops.json" --json /dev/null || true
fi
echo "0 passed, 1 failed"
exit 1
