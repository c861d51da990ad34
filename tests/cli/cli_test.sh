#!/usr/bin/env bash
# End-to-end checks of the granita CLI: exit codes, error messages, outputs.
# Usage: cli_test.sh GRANITA_BINARY DATA_ROOT
set -uo pipefail
granita=$1
data=${GRANITA_DATA:-$2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE SUBSTRING -- command...
expect() {
  local code=$1 want=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $code ]]; then bad "exit $rc (wanted $code): $* :: $out"; return; fi
  if [[ -n "$want" && "$out" != *"$want"* ]]; then bad "output lacks '$want': $* :: $out"; return; fi
  ok
}

vocab="$data/vocab/bert-base-uncased-vocab.txt"
if [[ ! -f "$vocab" ]]; then
  if [[ "${CI:-}" == "true" ]]; then echo "FAIL: $vocab missing"; exit 1; fi
  echo "SKIP: $vocab missing (set GRANITA_DATA)"; exit 0
fi

# A synthetic model to drive eval.
expect 0 "wrote" -- "$granita" synth-model --preset bert-tiny -p layers=1 -p max_seq_len=64 \
  --vocab "$vocab" -o "$tmp/m"
# Determinism: two writes of the same seed are byte-identical.
"$granita" synth-model --preset bert-tiny -p layers=1 -p max_seq_len=64 --vocab "$vocab" \
  -o "$tmp/m2" >/dev/null
if cmp -s "$tmp/m/tensors.safetensors" "$tmp/m2/tensors.safetensors"; then ok; else bad "synth-model not deterministic"; fi

expect 0 "label" -- "$granita" eval --model "$tmp/m" --text "a gorgeous, witty, seductive movie."
expect 0 "accuracy" -- "$granita" eval --model "$tmp/m" --data "$data/glue/SST-2/dev.tsv" -n 20 \
  --json "$tmp/r.json"
grep -q '"sentences"' "$tmp/r.json" && ok || bad "json report missing sentences"
# Same input, different thread counts: byte-identical reports except the timing fields.
"$granita" eval --model "$tmp/m" --data "$data/glue/SST-2/dev.tsv" -n 20 -j 1 --json "$tmp/a.json" >/dev/null
"$granita" eval --model "$tmp/m" --data "$data/glue/SST-2/dev.tsv" -n 20 -j 2 --json "$tmp/b.json" >/dev/null
if diff <(grep -v -e '"seconds"' -e '"sentences_per_second"' "$tmp/a.json") \
        <(grep -v -e '"seconds"' -e '"sentences_per_second"' "$tmp/b.json") >/dev/null; then ok
else bad "eval report depends on thread count"; fi

# Bad input: exit 1, the message names the file and what is wrong, no output file left.
expect 1 "model package directory not found" -- "$granita" eval --model "$tmp/nope" --text hi
expect 1 "dev.tsv" -- "$granita" eval --model "$tmp/m" --data "$tmp/dev.tsv"
printf 'sentence\tlabel\nfine movie\t7\n' > "$tmp/badlabel.tsv"
expect 1 "badlabel.tsv:2" -- "$granita" eval --model "$tmp/m" --data "$tmp/badlabel.tsv" --json "$tmp/none.json"
[[ ! -e "$tmp/none.json" ]] && ok || bad "partial output left after an error"
cp -r "$tmp/m" "$tmp/corrupt"
printf 'x' >> "$tmp/corrupt/tensors.safetensors"
expect 1 "checksum mismatch" -- "$granita" eval --model "$tmp/corrupt" --text hi
expect 1 "unknown preset" -- "$granita" synth-model --preset bert-huge -o "$tmp/x"
expect 1 "" -- "$granita" eval --bogus-flag
expect 1 "expected an integer" -- "$granita" synth-model -p layers=two -o "$tmp/x"

# tokenize: wordpieces and ids of a known sentence.
out=$(printf 'Hello, World!\n' | "$granita" tokenize --vocab "$vocab")
[[ "$out" == "hello , world !" ]] && ok || bad "tokenize gave '$out'"
out=$(printf 'Hello, World!\n' | "$granita" tokenize --vocab "$vocab" --ids)
# Line numbers in the vocabulary file (1-based) minus one are the ids.
want="$(grep -nx 'hello' "$vocab" | cut -d: -f1) $(grep -nx ',' "$vocab" | cut -d: -f1) $(grep -nx 'world' "$vocab" | cut -d: -f1) $(grep -nx '!' "$vocab" | cut -d: -f1)"
want=$(for n in $want; do printf '%d ' $((n - 1)); done)
[[ "$out " == "$want" ]] && ok || bad "tokenize --ids gave '$out', wanted '$want'"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
