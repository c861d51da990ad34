# SPDX-License-Identifier: Apache-2.0
"""import-sorbet: an official Sorbet checkpoint folder (pytorch_model.bin + config.json, as the
official trainer saves it) -> a Granita model package of the `official` numerics profile, which
`granita eval` runs (docs/numerics.md §10), or with --profile hardware of the `hardware` profile
(§0-§9; an approximation: every step and BWN scale snapped to a power of two, see the card).

Example:
  scripts/import-sorbet ckpt/ -o models/my-sst2 --task SST-2
Exit codes: 0 success, 1 bad input (the message names the file and the key); no partial package is
ever left behind (the package is written to a temporary folder and renamed).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

from . import glue
from . import importer
from . import importer_hardware
from . import official
from . import package as pkgmod
from . import paths

CARD = """# {name}

Imported from an official Sorbet checkpoint by `scripts/import-sorbet` (Granita), numerics profile
**official** (docs/numerics.md §10): the integer model computes what the official eval forward
computes, with float factors as fixed-point multipliers of {bits} significant bits.

* checkpoint: `{ckpt}` ({layers} layers, hidden {hidden}, {heads} heads, FFN {ffn}, {labels} label(s))
* task: {task}; max_seq_len {seq} (the checkpoint has {maxpos} positions)
* grids: hidden state 2^{he}, residual sums 2^{re}, embedding tables 2^{ee}, FFN activation and
  pooler output 2^{ae}; attention probabilities 2^-{pf}
* every step alpha is used as max(alpha, 1e-5), as the official code does

## What was snapped or approximated

* Fixed-point multipliers: each float factor (step ratios, BWN scales, the attention scale) is
  rounded to {bits} significant bits (relative error at most 2^-{bits}).
* Biases, moves, embedding tables and LayerNorm parameters are rounded to their grids above.
* The embedding LayerNorm is computed in fixed point with an integer square root (eps 1e-12 is
  dropped: it matters only for a token whose embedding is constant).
{notes}
Measure what these change with `scripts/sorbet-conformance`.
"""


def main(argv=None):
    p = argparse.ArgumentParser(prog="import-sorbet", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", help="official checkpoint folder (pytorch_model.bin, config.json)")
    p.add_argument("-o", "--output", required=True, help="package directory to write")
    p.add_argument("--task", default=None,
                   help="GLUE task (default: the config's finetuning_task)")
    p.add_argument("--vocab", default=None,
                   help="vocab.txt (default: the checkpoint folder's, else bert-base-uncased)")
    p.add_argument("--max-seq-len", type=int, default=128, help="longest input in tokens")
    p.add_argument("--name", default=None, help="package name")
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.add_argument("--profile", choices=("official", "hardware"), default="official",
                   help="numerics profile of the package (default official; hardware: powers of "
                        "two, shifts only, an approximation listed in the card)")
    a = p.parse_args(argv)
    try:
        cfg_task = None
        try:
            with open(os.path.join(a.checkpoint, official.CONFIG_NAME)) as f:
                cfg_task = json.load(f).get("finetuning_task")
        except (OSError, ValueError, AttributeError):
            pass                       # load_official_checkpoint reports it properly
        task = a.task or cfg_task
        if not task:
            raise ValueError("--task: the config has no finetuning_task; name the GLUE task")
        glue.task_info(task)
        lo, hi = pkgmod.ARCH_LIMITS["max_seq_len"]
        if a.max_seq_len < lo or a.max_seq_len > hi:
            raise ValueError("--max-seq-len %d: expected %d to %d" % (a.max_seq_len, lo, hi))
        vocab = a.vocab or os.path.join(a.checkpoint, "vocab.txt")
        if not a.vocab and not os.path.isfile(vocab):
            vocab = paths.default_vocab_path()
        if not os.path.isfile(vocab):
            raise ValueError("%s: vocabulary not found" % vocab)
        if os.path.exists(a.output) and not a.force:
            raise ValueError("%s: exists (use --force to replace it)" % a.output)
        if a.profile == "hardware":
            pkg, info, cfg = importer_hardware.import_checkpoint(a.checkpoint, task,
                                                                 a.max_seq_len, a.name)
            pkg.card = importer_hardware.card(pkg, info, cfg, os.path.abspath(a.checkpoint))
        else:
            pkg, notes, cfg = importer.import_checkpoint(a.checkpoint, task, a.max_seq_len,
                                                         a.name)
        c = pkg.arch
        pkg.card = pkg.card if a.profile == "hardware" else CARD.format(
            name=pkg.name, bits=importer.MULT_BITS, ckpt=os.path.abspath(a.checkpoint),
            layers=c["layers"], hidden=c["hidden"], heads=c["heads"], ffn=c["ffn"],
            labels=len(pkg.labels), task=pkg.task, seq=c["max_seq_len"],
            maxpos=cfg["max_position_embeddings"],
            he=importer.HIDDEN_EXP, re=importer.RESIDUAL_EXP, ee=importer.EMBED_EXP,
            ae=importer.ACT_EXP, pf=importer.PROB_FRAC,
            notes="".join("* %s\n" % n for n in notes) or "* no BWN ties, no clamped BSPN factors\n")
        tokens = pkgmod.check_vocab(vocab)      # names the given file in its errors
        if tokens > c["vocab_size"]:
            raise ValueError("%s: %d tokens, more than the %d rows of the checkpoint's word "
                             "embedding table" % (vocab, tokens, c["vocab_size"]))
        parent = os.path.dirname(os.path.abspath(a.output))
        made_parent = not os.path.isdir(parent)
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".import-", dir=parent)
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)      # mkdtemp makes 0700; a package is for everyone
            pkgmod.write_package(pkg, tmp, vocab)
            pkgmod.read_package(tmp)       # the written package must read back
            if os.path.exists(a.output):
                shutil.rmtree(a.output)
            os.replace(tmp, a.output)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            if made_parent:
                shutil.rmtree(parent, ignore_errors=True)
            raise
    except (ValueError, OSError) as e:
        print("import-sorbet: error: %s" % e, file=sys.stderr)
        return 1
    print("import-sorbet: wrote %s (%s, %d layers, hidden %d, %s profile)"
          % (a.output, pkg.task, c["layers"], c["hidden"], a.profile))
    return 0
