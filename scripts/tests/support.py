# SPDX-License-Identifier: Apache-2.0
"""Shared helpers of the Python tests: import path, data paths, a tiny random exported model."""
import os
import sys

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)

import torch  # noqa: E402

from granita_model import paths  # noqa: E402

VOCAB = paths.default_vocab_path()
HAVE_VOCAB = os.path.exists(VOCAB)

torch.set_num_threads(1)


def tiny_model(seed=0, vocab_size=30522, layers=1, hidden=32, heads=2, ffn=64, max_seq_len=24,
               bits=4, batch=48):
    """A fully quantized random Sorbet model, calibrated on random token ids, in eval mode.
    Returns (model, ids, types, mask) of the calibration batch."""
    from granita_model.model import ModelConfig, SorbetModel
    torch.manual_seed(seed)
    cfg = ModelConfig(vocab_size=vocab_size, layers=layers, hidden=hidden, heads=heads, ffn=ffn,
                      max_seq_len=max_seq_len, bits=bits, weight_mode="binary", act_quant=True,
                      softmax="pt", norm="bspn")
    m = SorbetModel(cfg)
    with torch.no_grad():   # give biases and moves non-zero values so that every path is used
        for n, p in m.named_parameters():
            if n.endswith("bias") or n.endswith("move"):
                p.normal_(0, 0.05)
    g = torch.Generator().manual_seed(seed)
    lens = torch.randint(2, max_seq_len + 1, (batch,), generator=g)
    ids = torch.randint(0, vocab_size, (batch, max_seq_len), generator=g)
    types = (torch.arange(max_seq_len)[None] >= (lens[:, None] // 2)).long()
    mask = torch.arange(max_seq_len)[None] < lens[:, None]
    m.train()
    m.set_calibrating(True)
    with torch.no_grad():
        m(ids, types, mask)
    m.set_calibrating(False)
    m.eval()
    return m, ids, types, mask
