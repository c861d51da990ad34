# SPDX-License-Identifier: Apache-2.0
"""Dev-set scores: the float model's (batched) and the exported package's through the integer
mode."""
import math
import sys

import numpy as np
import torch
from tqdm import tqdm

from .. import glue, intmode
from .. import package as pkgmod
from .data import collate, make_batches, model_device


def evaluate(model, data, task, batch_size=128):
    model.eval()
    device = model_device(model)
    logits_all = []
    with torch.no_grad():
        for b in make_batches(data, batch_size, None, shuffle=False):
            ids, types, mask, _ = collate(data, b, device=device)
            logits, _ = model(ids, types, mask)
            logits = logits.cpu()
            for r, i in enumerate(b):
                logits_all.append((i, logits[r]))
    logits_all.sort(key=lambda x: x[0])
    logits = torch.stack([l for _, l in logits_all])
    gold = [d[2] for d in data]
    if task.num_labels == 1:
        pred = logits[:, 0].tolist()
    else:
        pred = logits.argmax(-1).tolist()
    return glue.metrics(task, pred, gold), pred, logits


def main_metric(task, m):
    return m[task.metrics[0]]


def fmt_metrics(m):
    return ", ".join("%s %.4f" % (k, v) for k, v in m.items())


def integer_eval(pkg_dir, dev, task, float_pred=None, log=print):
    pkg = pkgmod.read_package(pkg_dir)
    im = intmode.IntModel(pkg)
    preds, logits = [], []
    for ids, types, _ in tqdm(dev, desc="integer dev", file=sys.stderr,
                              mininterval=1.0 if sys.stderr.isatty() else 60.0):
        l, _ = im.run(ids, types)
        logits.append(l)
        preds.append(int(np.argmax(l)) if task.num_labels > 1
                     else math.ldexp(l[0], pkg.info[pkg.output]["out_exp"]))
    m = glue.metrics(task, preds, [d[2] for d in dev])
    agree = None
    if float_pred is not None and task.num_labels > 1:
        agree = sum(int(a == b) for a, b in zip(preds, float_pred)) / len(preds)
    return m, agree, logits
