# SPDX-License-Identifier: Apache-2.0
"""sorbet-intmode: integer Sorbet inference from a model package, one JSON line per sentence
({"index": i, "ids": [...], "logits": [...]}), for diffing against `granita eval --json`.

Examples:
  scripts/sorbet-intmode --model models/sst2-sorbet --task SST-2 --data ../shared/glue/SST-2/dev.tsv
  scripts/sorbet-intmode ... --compare cpp.json --ops first_mismatch_ops.json
  scripts/sorbet-intmode ... --ops-compare cpp_ops.json   (C++ `granita eval --dump-ops` output)
Exit codes: 0 success, 1 bad input or a mismatch with --compare/--ops-compare.
"""
import argparse
import json
import os
import sys

import numpy as np

from . import glue
from . import package as pkgmod
from .intmode import IntModel
from .tokenizer import WordpieceTokenizer


def _load_reference(path):
    """Sentences of a C++ eval report ({"sentences": [...]}) or of a JSON-lines file."""
    with open(path) as f:
        text = f.read()
    try:
        d = json.loads(text)
        if isinstance(d, dict) and "sentences" in d:
            return {s["index"]: s for s in d["sentences"]}
        if isinstance(d, dict):
            return {d["index"]: d}
    except ValueError:
        pass
    out = {}
    for n, line in enumerate(text.splitlines()):
        if line.strip():
            try:
                s = json.loads(line)
            except ValueError as e:
                raise ValueError("%s:%d: invalid JSON: %s" % (path, n + 1, e)) from None
            out[s["index"]] = s
    return out


def ops_json(pkg, ids, outputs):
    return {"version": 1, "ids": list(ids),
            "ops": {op["name"]: {"rows": int(outputs[op["name"]].shape[0]),
                                 "cols": int(outputs[op["name"]].shape[1]),
                                 "values": [int(v) for v in outputs[op["name"]].reshape(-1)]}
                    for op in pkg.ops}}


def main(argv=None):
    p = argparse.ArgumentParser(prog="sorbet-intmode", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="model package directory")
    p.add_argument("--task", default=None, help="GLUE task (default: the package's)")
    p.add_argument("--data", default=None, help="GLUE TSV file")
    p.add_argument("--text", default=None, help="one sentence instead of --data")
    p.add_argument("--text-b", default=None, help="second sentence of a pair (with --text)")
    p.add_argument("--limit", type=int, default=0, help="first N sentences only")
    p.add_argument("--json", default=None, help="write the JSON lines here instead of stdout")
    p.add_argument("--compare", default=None,
                   help="reference logits: `granita eval --json` report or JSON lines")
    p.add_argument("--ops", default=None,
                   help="write every op's integer output (C++ --dump-ops format) for the first "
                        "mismatching sentence (with --compare) or for --ops-index")
    p.add_argument("--ops-index", type=int, default=0)
    p.add_argument("--ops-compare", default=None,
                   help="a C++ `granita eval --dump-ops` file: report the first op that differs")
    args = p.parse_args(argv)

    try:
        pkg = pkgmod.read_package(args.model)
        task = glue.task_info(args.task or pkg.task)
        tok = WordpieceTokenizer(os.path.join(args.model, "vocab.txt"))
        if args.text is not None:
            examples = [glue.Example(0, args.text, args.text_b, -1, float("nan"))]
        elif args.data:
            examples = glue.read_tsv(args.data, task)
        else:
            p.error("one of --data or --text is required")
        if args.limit:
            examples = examples[:args.limit]
        ref = _load_reference(args.compare) if args.compare else None
    except (ValueError, OSError) as e:
        print("sorbet-intmode: %s" % e, file=sys.stderr)
        return 1

    im = IntModel(pkg)
    # --json is written to a temporary file and renamed when complete: never a partial report.
    out = open(args.json + ".tmp", "w") if args.json else sys.stdout
    preds, golds = [], []
    mismatches, first_bad = 0, None
    encoded = []
    for i, ex in enumerate(examples):
        ids, types = tok.encode(ex.text_a, ex.text_b, pkg.arch["max_seq_len"])
        encoded.append((ids, types))
        logits, _ = im.run(ids, types)
        out.write(json.dumps({"index": i, "ids": ids, "logits": logits}) + "\n")
        preds.append(int(np.argmax(logits)) if task.num_labels > 1
                     else logits[0] * 2.0 ** pkg.info[pkg.output]["out_exp"])
        golds.append(ex.label if task.num_labels > 1 else ex.score)
        if ref is not None:
            r = ref.get(i)
            if r is None or list(r.get("ids", ids)) != ids or list(r["logits"]) != logits:
                mismatches += 1
                if first_bad is None:
                    first_bad = i
                    print("sentence %d differs: ids %s, python logits %s, reference %s"
                          % (i, ids, logits, None if r is None else r["logits"]), file=sys.stderr)
    if args.json:
        out.close()
        os.replace(args.json + ".tmp", args.json)
    labelled = all(g is not None and (task.num_labels == 1 or g >= 0) for g in golds)
    if labelled and golds and args.text is None:
        m = glue.metrics(task, preds, golds)
        print("%d sentences: %s" % (len(golds), ", ".join("%s %.4f" % kv for kv in m.items())),
              file=sys.stderr)
    status = 0
    if ref is not None:
        print("%d of %d sentences differ from %s" % (mismatches, len(examples), args.compare),
              file=sys.stderr)
        status = 1 if mismatches else 0
    if args.ops or args.ops_compare:
        k = first_bad if first_bad is not None else args.ops_index
        ids, types = encoded[k]
        _, outputs = im.run(ids, types, keep_outputs=True)
        dump = ops_json(pkg, ids, outputs)
        if args.ops:
            with open(args.ops + ".tmp", "w") as f:
                json.dump(dump, f)
            os.replace(args.ops + ".tmp", args.ops)
            print("per-op outputs of sentence %d written to %s" % (k, args.ops), file=sys.stderr)
        if args.ops_compare:
            with open(args.ops_compare) as f:
                other = json.load(f)
            if other.get("ids") != ids:
                print("the op dump is for ids %s, this sentence has %s" % (other.get("ids"), ids),
                      file=sys.stderr)
                status = 1
            for op in pkg.ops:
                a, b = dump["ops"][op["name"]], other["ops"].get(op["name"])
                if b is None or a != b:
                    diff = None
                    if b is not None and len(a["values"]) == len(b["values"]):
                        diff = [j for j, (x, y) in enumerate(zip(a["values"], b["values"])) if x != y]
                    print("first differing op: %s (%s); %s" % (
                        op["name"], op["type"],
                        "missing in the reference" if b is None else
                        "shape %dx%d vs %dx%d" % (a["rows"], a["cols"], b["rows"], b["cols"])
                        if diff is None else "%d elements differ, first at flat index %d: %d vs %d"
                        % (len(diff), diff[0], a["values"][diff[0]], b["values"][diff[0]])),
                        file=sys.stderr)
                    status = 1
                    break
            else:
                print("all %d ops identical" % len(pkg.ops), file=sys.stderr)
    return status
