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

# granita compile: a shipped model package on the preset chips (needs no shared data).
root=$(cd "$(dirname "$0")/../.." && pwd)
model="$root/models/sst2-sorbet"
mkdir -p "$tmp/c"
expect 0 "crossbar tiles" -- "$granita" compile --model "$model" --hw "$root/configs/hw/default.yaml" \
  -o "$tmp/c/map.yaml" --json "$tmp/c/summary.json"
[[ "$(sed -n 2p "$tmp/c/map.yaml")" == "version: 1" ]] && ok || bad "mapping lacks version: 1 on line 2"
grep -q '^tasks:$' "$tmp/c/map.yaml" && grep -q '^flows:$' "$tmp/c/map.yaml" && ok \
  || bad "mapping lacks tasks/flows"
grep -q '"tiles": 17' "$tmp/c/summary.json" && ok || bad "summary json: $(cat "$tmp/c/summary.json")"
# The mapping file is what granita run reads: it simulates bit-exactly from it, and a
# hand-broken or foreign mapping is an input error naming the file.
expect 0 "bit-exact" -- "$granita" run --model "$model" --hw "$root/configs/hw/default.yaml" \
  --mapping "$tmp/c/map.yaml" --text "a gorgeous, witty, seductive movie." -q
# --vcd and --trace land complete under their own names; a failed run leaves neither (the VCD is
# written as NAME.part.vcd while the chip runs).
expect 0 "bit-exact" -- "$granita" run --model "$model" --hw "$root/configs/hw/default.yaml" \
  --text "a fine film" --vcd "$tmp/c/run.vcd" --trace "$tmp/c/run.trace.json" -q
grep -q '^\$enddefinitions' "$tmp/c/run.vcd" && [[ ! -e "$tmp/c/run.part.vcd" ]] && ok ||
  bad "VCD not complete under its name"
/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/c/run.trace.json" && ok ||
  bad "trace is not JSON"
expect 1 "simulation stalled" -- "$granita" run --model "$model" \
  --hw "$root/configs/hw/default.yaml" --text "a fine film" --vcd "$tmp/c/stall.vcd" \
  --trace "$tmp/c/stall.json" --watchdog-cycles 1 -q
[[ ! -e "$tmp/c/stall.vcd" && ! -e "$tmp/c/stall.part.vcd" && ! -e "$tmp/c/stall.json" ]] && ok ||
  bad "a failed run left output files"
sed '0,/kind: fire/s//kind: fir/' "$tmp/c/map.yaml" > "$tmp/c/broken.yaml"
expect 1 "broken.yaml:25:45: tasks[2].kind: unknown task kind 'fir'" -- "$granita" run \
  --model "$model" --hw "$root/configs/hw/default.yaml" --mapping "$tmp/c/broken.yaml" --text hi -q
expect 1 "mapping was made for a 8x8 mesh" -- "$granita" run --model "$model" \
  --hw "$root/configs/hw/default.yaml" -p mesh.x=4 --mapping "$tmp/c/map.yaml" --text hi -q
expect 1 "encoding: mapping was compiled for rate coding, the chip uses bitserial" -- "$granita" \
  run --model "$model" --hw "$root/configs/hw/default.yaml" -p encoding=bitserial \
  --mapping "$tmp/c/map.yaml" --text hi -q
# Same inputs, byte-identical mapping.
"$granita" compile --model "$model" --hw "$root/configs/hw/default.yaml" -o "$tmp/c/map2.yaml" >/dev/null
cmp -s "$tmp/c/map.yaml" "$tmp/c/map2.yaml" && ok || bad "compile is not deterministic"
# --dump-after PASS: IR text and GraphViz dot beside the mapping, named after the pass.
expect 0 "IR after tile" -- "$granita" compile --model "$model" --hw "$root/configs/hw/default.yaml" \
  -o "$tmp/c/d.yaml" --dump-after tile
[[ "$(head -c 18 "$tmp/c/d.tile.ir.txt" 2>/dev/null)" == "// IR level tiled:" ]] && ok \
  || bad "--dump-after tile did not write d.tile.ir.txt"
grep -q '^digraph granita_ir {' "$tmp/c/d.tile.dot" 2>/dev/null && ok || bad "no d.tile.dot"
[[ ! -e "$tmp/c/d.place.ir.txt" ]] && ok || bad "--dump-after tile dumped another pass"
expect 1 "unknown pass 'tilee' (did you mean 'tile'?)" -- "$granita" compile --model "$model" \
  --hw "$root/configs/hw/default.yaml" -o "$tmp/c/e.yaml" --dump-after tilee
# --time-passes: one line per pass, in pipeline order.
out=$("$granita" compile --model "$model" --hw "$root/configs/hw/default.yaml" -o "$tmp/c/t.yaml" \
  --time-passes 2>&1 >/dev/null)
passes=$(printf '%s\n' "$out" | awk 'NR > 1 {print $1}' | tr '\n' ' ')
[[ "$passes" == "import verify lower tile place route schedule " ]] && ok \
  || bad "--time-passes listed '$passes'"
# Too small: exit 1, what overflows and the smallest mesh; no mapping left behind.
expect 1 "does not fit" -- "$granita" compile --model "$model" --hw "$root/configs/hw/edge.yaml" \
  -p mesh.x=1 -p mesh.y=1 -o "$tmp/c/small.yaml"
expect 1 "smallest mesh" -- "$granita" compile --model "$model" --hw "$root/configs/hw/edge.yaml" \
  -p mesh.x=1 -p mesh.y=1 -o "$tmp/c/small.yaml"
[[ ! -e "$tmp/c/small.yaml" ]] && ok || bad "mapping written although the model does not fit"
expect 1 "did you mean 'mesh.x'" -- "$granita" compile --model "$model" \
  --hw "$root/configs/hw/default.yaml" -p mesh.z=3 -o "$tmp/c/z.yaml"
expect 1 "model package directory not found" -- "$granita" compile --model "$tmp/nope" \
  --hw "$root/configs/hw/default.yaml" -o "$tmp/c/n.yaml"

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

# Synthetic spiking networks (--kind snn): a model the chip runs bit-exactly, bad arguments named.
expect 0 "snn 64,32,16" -- "$granita" synth-model --kind snn --layers 64,32,16 --input-rate 0.2 \
  -p max_seq_len=16 --vocab "$vocab" -o "$tmp/snn"
expect 0 "bit-exact" -- "$granita" run --model "$tmp/snn" --hw edge --text "a gorgeous movie"
# A tick-driven chip with a table's fixed power (TrueNorth, docs/energy.md §2.2): the fixed part
# is its own line, and --reprice gives the report of a run simulated with the table, byte for
# byte (with the run's own table and with another one).
expect 0 "fixed power  42.000 mW x wall time" -- "$granita" run --model "$tmp/snn" --hw truenorth \
  --text "a gorgeous movie" -q --json "$tmp/tn.json" --csv "$tmp/tn.csv"
"$granita" run --model "$tmp/snn" --hw truenorth --energy loihi --text "a gorgeous movie" -q \
  --json "$tmp/tn-loihi.json" >/dev/null
"$granita" energy --reprice "$tmp/tn.json" --json "$tmp/tn-re.json" >/dev/null \
  && cmp -s "$tmp/tn.json" "$tmp/tn-re.json" && ok || bad "--reprice of a tick run differs"
"$granita" energy --reprice "$tmp/tn.json" --energy loihi --json "$tmp/tn-re-loihi.json" >/dev/null \
  && cmp -s "$tmp/tn-loihi.json" "$tmp/tn-re-loihi.json" && ok \
  || bad "--reprice of a tick run with loihi differs from the run with loihi"
head -1 "$tmp/tn.csv" | grep -q ',wall_time_us,fixed_energy_pj$' && ok || bad "csv: $(head -1 "$tmp/tn.csv")"
expect 1 "-p tick_hz=0: expected an integer in [1, 1000000], got 0" -- "$granita" run \
  --model "$tmp/snn" --hw truenorth -p tick_hz=0 --text "a gorgeous movie"
expect 1 "--layers: --kind snn needs --layers" -- "$granita" synth-model --kind snn --vocab "$vocab" \
  -o "$tmp/x"
expect 1 "--layers 64,,16: expected comma-separated layer sizes" -- "$granita" synth-model \
  --kind snn --layers 64,,16 --vocab "$vocab" -o "$tmp/x"
expect 1 "--layers: expected at least 2 sizes" -- "$granita" synth-model --kind snn --layers 64 \
  --vocab "$vocab" -o "$tmp/x"
expect 1 "--input-rate: expected a rate in [0, 0.9375]" -- "$granita" synth-model --kind snn \
  --layers 64,16 --input-rate 2 --vocab "$vocab" -o "$tmp/x"
expect 1 "--input-rate fast: expected a number" -- "$granita" synth-model --kind snn \
  --layers 64,16 --input-rate fast --vocab "$vocab" -o "$tmp/x"
expect 1 "key one of max_seq_len, bits" -- "$granita" synth-model --kind snn --layers 64,16 \
  -p heads=2 --vocab "$vocab" -o "$tmp/x"
expect 1 "--kind cnn: expected sorbet or snn" -- "$granita" synth-model --kind cnn -o "$tmp/x"
expect 1 "--input-rate: only with --kind snn" -- "$granita" synth-model --preset bert-tiny \
  --input-rate 0.2 -o "$tmp/x"
expect 1 "--preset: only with --kind sorbet" -- "$granita" synth-model --kind snn --layers 64,16 \
  --preset bert-tiny --vocab "$vocab" -o "$tmp/x"
[[ ! -e "$tmp/x" ]] && ok || bad "synth-model left output after an error"

# Misuse is caught before any work starts (issue 17): exit 1, the message names the option, and no
# output file appears (outputs given alongside are not written either).
sst2="$root/models/sst2-sorbet"
mrpc="$root/models/mrpc-sorbet"
mkdir -p "$tmp/mis"
mis_out() { [[ -z "$(ls -A "$tmp/mis")" ]] && ok || { bad "files left by a refused command: $(ls "$tmp/mis")"; rm -rf "$tmp/mis"/*; }; }
expect 1 "--text: the sentence is empty" -- "$granita" run --model "$sst2" --hw default --text "" \
  --json "$tmp/mis/r.json"; mis_out
expect 1 "--text-b: needs --text" -- "$granita" run --model "$sst2" --hw default --text-b x \
  --json "$tmp/mis/r.json"; mis_out
expect 1 "--text: the sentence is empty" -- "$granita" eval --model "$sst2" --text "" --json "$tmp/mis/e.json"; mis_out
expect 1 "--csv $tmp/nodir/x.csv: the folder '$tmp/nodir' does not exist" -- "$granita" run \
  --model "$sst2" --hw default -n 1 --json "$tmp/mis/ok.json" --csv "$tmp/nodir/x.csv"; mis_out
expect 1 "--json $tmp/nodir/r.json" -- "$granita" run --model "$sst2" --hw default -n 1 --json "$tmp/nodir/r.json"
expect 1 "--json $tmp/mis: is a folder" -- "$granita" eval --model "$sst2" --text hi --json "$tmp/mis"
expect 1 "--task MRPC: the model 'sst2-sorbet' was trained for SST-2" -- "$granita" run --model "$sst2" \
  --hw default --task MRPC --text a --text-b b --json "$tmp/mis/r.json"; mis_out
expect 1 "--text: MRPC is a sentence-pair task" -- "$granita" run --model "$mrpc" --hw default --text a
expect 1 "--text-b: SST-2 takes single sentences" -- "$granita" eval --model "$sst2" --text a --text-b b
expect 1 "-p mesh.x=four: expected an integer, got 'four'" -- "$granita" run --model "$sst2" \
  --hw default -p mesh.x=four --text hi --json "$tmp/mis/r.json"; mis_out
expect 1 "--hw: no hardware config named 'defualt'" -- "$granita" run --model "$sst2" --hw defualt --text hi
expect 0 "bit-exact" -- "$granita" run --model "$sst2" --hw edge --text hi -q     # presets by name
# granita energy's counting conventions (docs/energy.md §4.1): named, each assumption settable,
# bad values refused naming the option.
expect 0 "convention snn-literature: signed spikes yes" -- "$granita" energy --model "$sst2" \
  --data "$data/glue/SST-2/dev.tsv" -n 2 --convention snn-literature
expect 0 "E_AC 0.03 pJ, E_MAC 0.23 pJ" -- "$granita" energy --model "$sst2" \
  --data "$data/glue/SST-2/dev.tsv" -n 2 --attention no --rate network --bert-tokens max \
  --e-ac 0.03 --e-mac 0.23
expect 1 "--convention: paper not in {granita,snn-literature}" -- "$granita" energy --model "$sst2" \
  --convention paper
expect 1 "--e-mac: expected a positive energy in pJ, got '-1'" -- "$granita" energy \
  --model "$sst2" --e-mac -1
sed 's/^energy_table:.*/energy_table: 45nm-horowits/' "$root/configs/hw/default.yaml" > "$tmp/hwbad.yaml"
line=$(grep -n '^energy_table:' "$tmp/hwbad.yaml" | cut -d: -f1)
expect 1 "hwbad.yaml:$line:15: energy_table: no table named '45nm-horowits'" -- "$granita" compile \
  --model "$sst2" --hw "$tmp/hwbad.yaml" -o "$tmp/mis/map.yaml" --json "$tmp/mis/s.json"; mis_out
expect 1 "unknown command 'frobnicate'" -- "$granita" frobnicate
expect 1 "(did you mean 'compile'?)" -- "$granita" compil
expect 1 "granita: error: The following argument was not expected: --bogus" -- "$granita" run \
  --model "$sst2" --hw default --bogus
expect 1 "-n: Value -1 not in range 0 to 2147483647" -- "$granita" run --model "$sst2" --hw default -n -1
expect 1 "--watchdog-cycles: Value 0 not in range" -- "$granita" run --model "$sst2" --hw default \
  --text hi --watchdog-cycles 0
# Sharded runs over Slurm: misuse is caught before anything is written or submitted.
expect 1 "--backend slurm-ish: expected local or slurm" -- "$granita" run --model "$sst2" --hw default \
  --text hi --backend slurm-ish
expect 1 "-o: required with --backend slurm" -- "$granita" run --model "$sst2" --hw default \
  --text hi --backend slurm
expect 1 "-o: belongs to --backend slurm" -- "$granita" run --model "$sst2" --hw default --text hi \
  -o "$tmp/runs"
expect 1 "-j: cannot be used with --backend slurm" -- "$granita" run --model "$sst2" --hw default \
  --text hi --backend slurm -o "$tmp/runs" -j 2
expect 1 "--json/--csv: cannot be used with --backend slurm" -- "$granita" run --model "$sst2" \
  --hw default --text hi --backend slurm -o "$tmp/runs" --json "$tmp/sr.json"
expect 1 "not a sharded run folder" -- "$granita" run --collect "$tmp"
expect 1 "--collect: takes only the run folder" -- "$granita" run --collect "$tmp" --model "$sst2"
expect 1 "--model: required" -- "$granita" run --hw default --text hi
# A submission Slurm refuses (no cluster here, or no sbatch at all) leaves no run folder.
expect 1 "--backend slurm: sbatch" -- env SLURM_CONF=/nonexistent "$granita" run --model "$sst2" \
  --hw default --text hi --backend slurm -o "$tmp/runs"
[[ ! -e "$tmp/runs" && ! -e "$tmp/sr.json" ]] && ok || bad "a refused sharded run left files"
# --dry-run writes the run folder and prints the sbatch command (no Slurm needed).
expect 0 "dry run: sbatch --parsable --job-name=granita-run --array=0-1" -- "$granita" run \
  --model "$sst2" --hw default --data "$data/glue/SST-2/dev.tsv" -n 2 --backend slurm --shards 4 \
  -o "$tmp/runs" --dry-run
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["shards"] == 2 and r["sentences"] == 2' \
  "$tmp/runs/run.json" && ok || bad "run.json of the dry run: $(cat "$tmp/runs/run.json")"
expect 1 "holds another run" -- "$granita" run --model "$sst2" --hw edge \
  --data "$data/glue/SST-2/dev.tsv" -n 2 --backend slurm --shards 4 -o "$tmp/runs" --dry-run
expect 3 "2 shards: 0 done, 0 queued or running, 2 missing" -- "$granita" run --collect "$tmp/runs"
# Truncation is reported, not silent.
long=$(printf 'word %.0s' $(seq 1 2000))
expect 0 "wordpieces beyond max_seq_len 64 were dropped" -- "$granita" eval --model "$sst2" --text "$long"
expect 0 "truncated    1 of 1 sentences cut to max_seq_len 64" -- "$granita" run --model "$sst2" \
  --hw default --text "$long" -q --json "$tmp/trunc.json"
grep -q '"truncated_sentences": 1' "$tmp/trunc.json" && ok || bad "run JSON lacks truncated_sentences"

# A sweep whose points all fail is partial (exit 3); its report refuses to draw empty plots (exit 1).
cat > "$tmp/failsweep.yaml" <<EOF
version: 1
name: all-fail
model: $sst2
hw: $root/configs/hw/edge.yaml
task: SST-2
sentences: {count: 1, seed: 1}
mode: grid
axes:
  mesh.x: [1, 2]
EOF
expect 3 "2 of 2 points have no successful result" -- "$granita" sweep "$tmp/failsweep.yaml" -o "$tmp/fs" -j 2
expect 1 "no successful point (2 rows, 2 failed)" -- "$granita" report "$tmp/fs"
ls "$tmp/fs"/*.png "$tmp/fs/report.md" >/dev/null 2>&1 && bad "report wrote files without results" || ok
# Library notes go through the logger: a changed spec is noted on stderr; GRANITA_LOG=off mutes it.
sed 's/mesh.x: \[1, 2\]/mesh.x: [1, 2, 3]/' "$tmp/failsweep.yaml" > "$tmp/failsweep2.yaml"
expect 3 "granita: info: sweep: $tmp/fs/spec.yaml differs from $tmp/failsweep2.yaml" -- "$granita" \
  sweep "$tmp/failsweep2.yaml" -o "$tmp/fs"
GRANITA_LOG=off "$granita" sweep "$tmp/failsweep.yaml" -o "$tmp/fs" 2>&1 >/dev/null | grep -q "differs" &&
  bad "GRANITA_LOG=off still logs" || ok

# The latency-vs-load curve in one command; its plot.
expect 0 "saturation" -- "$granita" noc --hw default --rates 0.1:0.5:0.2 --cycles 1000 \
  --json "$tmp/curve.json"
/usr/bin/python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); assert [round(p["offered"],3) for p in c["points"]] == [0.1, 0.3, 0.5]' "$tmp/curve.json" && ok || bad "curve rates"
"$root/scripts/noc-plot" "$tmp/curve.json" -o "$tmp/curve.png" >/dev/null && \
  [[ "$(head -c 4 "$tmp/curve.png" | tail -c 3)" == "PNG" ]] && ok || bad "noc-plot wrote no PNG"
expect 1 "--rates 0.5:0.1:0.1: expected LO:HI:STEP" -- "$granita" noc --hw default --rates 0.5:0.1:0.1

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
