#!/usr/bin/env bash
# Two independent WordPiece implementations must agree: the C++ one (ICU, src/text/) and the
# Python one (unicodedata, scripts/granita_model/tokenizer.py), on every sentence of every GLUE
# dev file in the shared data. Usage: tokenizer_crosscheck.sh GRANITA_BINARY REPO_ROOT DATA_ROOT
set -euo pipefail
granita=$1
root=$2
data=${GRANITA_DATA:-$3}
if [[ ! -d "$data/glue" ]]; then
  if [[ "${CI:-}" == "true" ]]; then echo "FAIL: $data/glue missing"; exit 1; fi
  echo "SKIP: $data/glue missing (set GRANITA_DATA)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# task:column of every text column of each dev file
for spec in SST-2:1 QNLI:2 QNLI:3 MRPC:4 MRPC:5 RTE:2 RTE:3 STS-B:8 STS-B:9; do
  task=${spec%%:*}
  f="$data/glue/$task/dev.tsv"
  [[ -f "$f" ]] && tail -n +2 "$f" | sed 's/^\xEF\xBB\xBF//' | cut -f"${spec##*:}"
done > "$tmp/sentences.txt"
[[ -f "$data/glue/CoLA/dev.tsv" ]] && { cut -f4 "$data/glue/CoLA/dev.tsv"; echo; } >> "$tmp/sentences.txt"
"$granita" tokenize --ids < "$tmp/sentences.txt" > "$tmp/cpp.txt"
GRANITA_DATA=$data /usr/bin/python3 - "$root" "$tmp/sentences.txt" > "$tmp/py.txt" <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/scripts")
from granita_model.tokenizer import WordpieceTokenizer
tok = WordpieceTokenizer()
with open(sys.argv[2], encoding="utf-8", newline="\n") as f:
    for line in f:
        print(" ".join(map(str, tok.tokenize_ids(line.rstrip("\n")))))
PY
n=$(wc -l < "$tmp/sentences.txt")
if cmp -s "$tmp/cpp.txt" "$tmp/py.txt"; then
  echo "tokenizers agree on $n sentences"
  echo "1 passed, 0 failed"
else
  line=$(cmp "$tmp/cpp.txt" "$tmp/py.txt" | sed -n 's/.*line \([0-9]*\).*/\1/p')
  echo "first difference at sentence $line: $(sed -n "${line}p" "$tmp/sentences.txt")"
  echo "  C++:    $(sed -n "${line}p" "$tmp/cpp.txt")"
  echo "  Python: $(sed -n "${line}p" "$tmp/py.txt")"
  echo "0 passed, 1 failed"
  exit 1
fi
