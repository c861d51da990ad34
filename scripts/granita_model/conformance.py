# SPDX-License-Identifier: Apache-2.0
"""sorbet-conformance: an imported package run by `granita eval` beside the official float eval
forward of the checkpoint it came from (scripts/granita_model/official.py, by default with the
official per-time-step spike sums, which reproduce the official code bit for bit on CPU).
Reports prediction agreement, each side's GLUE metric and, for every sentence whose prediction
differs, the first discrete op (quantizer levels, attention scores, BSPN outputs) where the two
part. Op outputs come from the Python integer mode, which is checked to give granita eval's logits.

Example:
  scripts/sorbet-conformance models/my-sst2 --checkpoint ckpt/ --data ../shared/glue/SST-2/dev.tsv
Exit codes: 0 report written (whatever the agreement), 1 bad input.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from tqdm import tqdm

from . import glue
from . import official
from . import package as pkgmod
from . import paths
from .intmode import IntModel
from .tokenizer import WordpieceTokenizer


def granita_binary():
    exe = os.environ.get("GRANITA_BIN") or os.path.join(paths.REPO_ROOT, "build", "sim", "granita")
    if not os.access(exe, os.X_OK):
        raise ValueError("%s: granita binary not found (build it with scripts/build, or set "
                         "GRANITA_BIN)" % exe)
    return exe


def run_granita_eval(pkg_dir, task, data, limit):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "eval.json")
        cmd = [granita_binary(), "eval", "--model", pkg_dir, "--task", task, "--data", data,
               "--json", out]
        if limit:
            cmd += ["-n", str(limit)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise ValueError("granita eval failed: %s" % r.stderr.strip())
        with open(out) as f:
            return json.load(f)


def discrete_pairs(cfg, hidden_exp):
    """(official trace name, package op name, map of the integer output to the official layout)."""
    nh = cfg["num_attention_heads"]
    d = cfg["hidden_size"] // nh
    flush = 2.0 ** hidden_exp

    def signed(x):
        return x - 8

    def heads(x):
        n = x.shape[0]
        return (x - 8).reshape(n, nh, d).transpose(1, 0, 2)

    def square(x):
        return x.reshape(nh, -1, x.shape[1])

    def hidden(x):
        return x * flush

    pairs = []
    for l in range(cfg["num_hidden_layers"]):
        o, g = "layer%d." % l, "layers.%d." % l
        pairs += [(o + "attn.q_in", g + "attn.q.in", signed), (o + "attn.k_in", g + "attn.k.in", signed),
                  (o + "attn.v_in", g + "attn.v.in", signed),
                  (o + "attn.q_lvl", g + "attn.q.fire", heads),
                  (o + "attn.k_lvl", g + "attn.k.fire", heads),
                  (o + "attn.v_lvl", g + "attn.v.fire", heads),
                  (o + "attn.scores", g + "attn.scores", square),
                  (o + "attn.probs_lvl", g + "attn.softmax", square),
                  (o + "attn.o_in", g + "attn.out.in", signed),
                  (o + "bspn1", g + "attn.norm", hidden),
                  (o + "ffn.up_in", g + "ffn.in", signed),
                  (o + "ffn.down_in", g + "ffn.down.in", lambda x: x),
                  (o + "bspn2", g + "ffn.norm", hidden)]
    pairs.append(("pooler.dense_in", "pool.in", signed))
    return pairs


def first_divergence(trace, outputs, pairs, hidden_exp):
    flush = 2.0 ** hidden_exp
    for tname, gname, fn in pairs:
        ref = trace[tname].double().numpy()
        got = fn(np.asarray(outputs[gname], dtype=np.float64))
        if tname.endswith(("bspn1", "bspn2")):
            ref = np.where(np.abs(ref) < flush, 0.0, ref)     # below the hidden grid: flushed
        ref = ref.reshape(got.shape)
        diff = int((ref != got).sum())
        if diff:
            return "%s / %s (%d of %d values)" % (tname, gname, diff, got.size)
    return "none of the discrete ops (the logits part after the pooler)"


def main(argv=None):
    p = argparse.ArgumentParser(prog="sorbet-conformance", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("package", help="package written by scripts/import-sorbet")
    p.add_argument("--checkpoint", required=True, help="the official checkpoint folder")
    p.add_argument("--data", required=True, help="GLUE TSV file")
    p.add_argument("--task", default=None, help="GLUE task (default: the package's)")
    p.add_argument("--limit", type=int, default=0, help="first N sentences only")
    p.add_argument("--exact-products", action="store_true",
                   help="official forward with exact level products instead of the official "
                        "per-time-step float sums")
    p.add_argument("--all-ops", action="store_true",
                   help="find the first discrete op where the two part on every sentence, not only "
                        "on disagreeing ones (runs the Python integer mode on each)")
    p.add_argument("--json", default=None, help="write the report as JSON here")
    a = p.parse_args(argv)
    try:
        pkg = pkgmod.read_package(a.package)
        task = glue.task_info(a.task or pkg.task)
        examples = glue.read_tsv(a.data, task)
        if a.limit:
            examples = examples[:a.limit]
        fwd = official.OfficialForward(a.checkpoint)
        rep = run_granita_eval(a.package, task.name, a.data, a.limit)
    except (ValueError, OSError) as e:
        print("sorbet-conformance: error: %s" % e, file=sys.stderr)
        return 1
    sentences = {s["index"]: s for s in rep["sentences"]}
    tok = WordpieceTokenizer(os.path.join(a.package, "vocab.txt"))
    im = IntModel(pkg)
    out_exp = pkg.info[pkg.output]["out_exp"]
    hidden_exp = pkg.info["embed"]["out_exp"]
    pairs = discrete_pairs(fwd.cfg, hidden_exp)
    regression = task.num_labels == 1
    g_pred, o_pred, gold, rows = [], [], [], []
    parted = collections.Counter()
    for i, ex in enumerate(tqdm(examples, desc="conformance", unit="sent",
                                disable=not sys.stderr.isatty())):
        ids, types = tok.encode(ex.text_a, ex.text_b, pkg.arch["max_seq_len"])
        s = sentences.get(i)
        if s is None or list(s["ids"]) != ids:
            print("sorbet-conformance: error: granita eval's sentence %d has other token ids" % i,
                  file=sys.stderr)
            return 1
        trace = {}
        with torch.no_grad():
            logits = fwd(torch.tensor(ids), torch.tensor(types), trace=trace,
                         emulate_spikes=not a.exact_products).double().numpy()
        glog = [int(v) for v in s["logits"]]
        if regression:
            gp, op = glog[0] * 2.0 ** out_exp, float(logits[0])
        else:
            gp, op = int(np.argmax(glog)), int(np.argmax(logits))
        g_pred.append(gp)
        o_pred.append(op)
        gold.append(ex.score if regression else ex.label)
        differs = abs(gp - op) > 1e-3 if regression else gp != op
        if differs or a.all_ops:
            pl, outs = im.run(ids, types, keep_outputs=True)
            if pl != glog:
                print("sorbet-conformance: error: the Python integer mode differs from granita "
                      "eval on sentence %d" % i, file=sys.stderr)
                return 1
            where = first_divergence(trace, outs, pairs, hidden_exp)
            parted[where.split(" (")[0]] += 1
            if differs:
                rows.append({"index": i, "official": op, "granita": gp, "first_divergence": where})
    n = len(examples)
    labelled = all(g is not None and (regression or g >= 0) for g in gold)
    result = {"version": 1, "package": a.package, "checkpoint": a.checkpoint, "task": task.name,
              "sentences": n, "official_forward": "exact products" if a.exact_products
              else "official per-time-step spike sums"}
    if regression:
        diffs = [abs(x - y) for x, y in zip(g_pred, o_pred)]
        result.update({"max_abs_score_diff": max(diffs) if diffs else 0.0,
                       "pearson_granita_vs_official": glue.pearson(g_pred, o_pred) if n > 1 else 1.0,
                       "differing_scores": rows})
    else:
        agree = sum(int(x == y) for x, y in zip(g_pred, o_pred))
        result.update({"agreement": agree / max(1, n), "agreeing": agree, "disagreements": rows})
    if a.all_ops:
        result["first_divergence_counts"] = dict(parted.most_common())
    if labelled and n:
        result["metric_granita"] = glue.metrics(task, g_pred, gold)
        result["metric_official"] = glue.metrics(task, o_pred, gold)
    print("%s: %d sentences, official forward with %s" % (task.name, n, result["official_forward"]))
    if regression:
        print("  max |score difference| %.6g, Pearson(granita, official) %.6f"
              % (result["max_abs_score_diff"], result["pearson_granita_vs_official"]))
    else:
        print("  prediction agreement %.2f%% (%d of %d)" % (100 * result["agreement"],
                                                           result["agreeing"], n))
    for side in ("granita", "official"):
        if "metric_" + side in result:
            print("  %-8s %s" % (side, ", ".join("%s %.4f" % kv
                                                 for kv in result["metric_" + side].items())))
    for r in rows:
        print("  sentence %d: official %s, granita %s; first divergence: %s"
              % (r["index"], r["official"], r["granita"], r["first_divergence"]))
    if a.all_ops:
        print("  first discrete op where the two part, over all %d sentences:" % n)
        for where, count in parted.most_common():
            print("    %5d  %s" % (count, where))
    if a.json:
        with open(a.json + ".tmp", "w") as f:
            json.dump(result, f, indent=1)
        os.replace(a.json + ".tmp", a.json)
    return 0
