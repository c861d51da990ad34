# SPDX-License-Identifier: Apache-2.0
"""GLUE data for training: encoded splits (cached), length-bucketed batches, padded tensors."""
import os

import torch

from .. import glue, paths
from .run_output import save_atomic


def encode_split(tok, task, split, max_len, cache_dir, limit=0):
    """[(ids, type_ids, label or score)] of a GLUE split; cached in cache_dir unless limited."""
    src = paths.glue_path(task.name, split)
    exs = None
    if limit:
        exs = glue.read_tsv(src, task)[:limit]
    else:
        cache = os.path.join(cache_dir, "%s-%s-%d.pt" % (task.name, split, max_len))
        if os.path.exists(cache):
            d = torch.load(cache, map_location="cpu")
            if d.get("src_size") == os.path.getsize(src) and d.get("vocab") == tok.vocab_path:
                return d["data"]
        exs = glue.read_tsv(src, task)
    data = []
    for ex in exs:
        ids, types = tok.encode(ex.text_a, ex.text_b, max_len)
        data.append((ids, types, ex.label if task.num_labels > 1 else ex.score))
    if not limit:
        os.makedirs(cache_dir, exist_ok=True)
        save_atomic({"src_size": os.path.getsize(src), "vocab": tok.vocab_path, "data": data},
                    cache)
    return data


def make_batches(data, batch_size, rng, shuffle=True):
    """Length-bucketed batches: sort by length (with random tie-breaking), chunk, shuffle order."""
    idx = list(range(len(data)))
    if shuffle:
        keys = {i: (len(data[i][0]) + rng.random()) for i in idx}
        idx.sort(key=lambda i: keys[i])
    else:
        idx.sort(key=lambda i: len(data[i][0]))
    batches = [idx[i:i + batch_size] for i in range(0, len(idx), batch_size)]
    if shuffle:
        rng.shuffle(batches)
    return batches


def model_device(model):
    return next(model.parameters()).device


def collate(data, batch, regression=False, device="cpu"):
    """(ids, types, mask, labels) of a batch, padded to its longest example, on `device`."""
    n = max(len(data[i][0]) for i in batch)
    ids = torch.zeros(len(batch), n, dtype=torch.long)
    types = torch.zeros(len(batch), n, dtype=torch.long)
    mask = torch.zeros(len(batch), n, dtype=torch.bool)
    for r, i in enumerate(batch):
        a, t, _ = data[i]
        ids[r, :len(a)] = torch.tensor(a)
        types[r, :len(t)] = torch.tensor(t)
        mask[r, :len(a)] = True
    labels = torch.tensor([data[i][2] for i in batch],
                          dtype=torch.float if regression else torch.long)
    return ids.to(device), types.to(device), mask.to(device), labels.to(device)
