# SPDX-License-Identifier: Apache-2.0
"""The PyTorch Sorbet model: float (eval mode) vs integer-mode agreement on tiny random models,
batch independence, the ablation variants and the training building blocks."""
import unittest

import numpy as np
import torch
import torch.nn.functional as F

try:
    from . import support
except ImportError:  # run with -s scripts/tests as the top level
    import support
from granita_model import intmode
from granita_model.export import export_model
from granita_model.model import ModelConfig, SorbetModel, pt_softmax, snap_pow2_float
from granita_model.train.optim import LazyAdamW, clip_grad_norm, param_groups


def _agreement(model, ids, types, mask):
    pkg = export_model(model, "tiny", "SST-2", ["negative", "positive"])
    im = intmode.IntModel(pkg)
    with torch.no_grad():
        logits, _ = model(ids, types, mask)
    out_exp = pkg.info["classifier"]["out_exp"]
    agree = exact = 0
    for b in range(ids.shape[0]):
        n = int(mask[b].sum())
        il, _ = im.run(ids[b, :n].tolist(), types[b, :n].tolist())
        fl = logits[b] / 2.0 ** out_exp
        exact += int(all(abs(x - y) < 1e-3 for x, y in zip(il, fl.tolist())))
        agree += int(int(np.argmax(il)) == int(torch.argmax(logits[b])))
    return agree / ids.shape[0], exact / ids.shape[0]


class FloatIntegerAgreementTest(unittest.TestCase):
    def test_tiny_random_model_4bit(self):
        m, ids, types, mask = support.tiny_model(seed=0, vocab_size=500, layers=2, hidden=32,
                                                 heads=2, ffn=64, max_seq_len=24, batch=40)
        agree, exact = _agreement(m, ids, types, mask)
        self.assertGreaterEqual(agree, 0.9)
        self.assertGreaterEqual(exact, 0.75)

    def test_tiny_random_model_8bit_head_dim_16(self):
        m, ids, types, mask = support.tiny_model(seed=2, vocab_size=300, layers=1, hidden=64,
                                                 heads=4, ffn=32, max_seq_len=16, bits=8, batch=24)
        agree, exact = _agreement(m, ids, types, mask)
        self.assertGreaterEqual(agree, 0.9)
        self.assertGreaterEqual(exact, 0.75)

    def test_batch_independence(self):
        # eval mode: a sentence's logits do not depend on its batch or on padding
        m, ids, types, mask = support.tiny_model(seed=3, vocab_size=300, max_seq_len=16, batch=8)
        with torch.no_grad():
            full, _ = m(ids, types, mask)
            for b in range(3):
                n = int(mask[b].sum())
                one, _ = m(ids[b:b + 1, :n], types[b:b + 1, :n], mask[b:b + 1, :n])
                torch.testing.assert_close(one[0], full[b], rtol=0, atol=0)


class FloatPiecesTest(unittest.TestCase):
    def test_pt_softmax_float_matches_numerics_example(self):
        s = torch.tensor([[0.0, -1.0, -1.0, 5.0]])
        mask = torch.tensor([[True, True, True, False]])
        p = pt_softmax(s, mask, 16)
        torch.testing.assert_close(p, torch.tensor([[0.5, 0.25, 0.25, 0.0]]))
        p = pt_softmax(torch.tensor([[3.0, 2.0]]), torch.tensor([[True, True]]), 16)
        torch.testing.assert_close(p, torch.tensor([[0.5, 0.25]]))          # tie goes up

    def test_snap_pow2_float(self):
        y = torch.tensor([181 / 128, 182 / 128, -0.75, 2.0 ** -13, 3.0, 0.0])
        torch.testing.assert_close(snap_pow2_float(y, -12),
                                   torch.tensor([1.0, 2.0, -1.0, 0.0, 4.0, 0.0]))


class VariantsTest(unittest.TestCase):
    """Every combination used by the ablation builds, runs forward and backward."""

    def test_variants(self):
        base = dict(vocab_size=100, layers=1, hidden=32, heads=2, ffn=64, max_seq_len=12)
        variants = [
            ModelConfig.teacher(dropout=0.1, **base),
            ModelConfig.teacher(ffn_act="gelu", pool_act="tanh", **base),
            ModelConfig(act_quant=True, **base),                                  # + 4-bit acts
            ModelConfig(act_quant=True, softmax="pt", **base),                    # + PTsoftmax
            ModelConfig(act_quant=True, softmax="pt", norm="bspn", **base),       # stage 1
            ModelConfig(weight_mode="binary", **base),                            # binary only
            ModelConfig(weight_mode="binary", act_quant=True, softmax="pt", norm="bspn",
                        bits=8, **base),
        ]
        torch.manual_seed(0)
        ids = torch.randint(0, 100, (4, 12))
        types = torch.zeros_like(ids)
        mask = torch.arange(12)[None] < torch.tensor([12, 5, 3, 9])[:, None]
        for cfg in variants:
            m = SorbetModel(cfg)
            m.train()
            logits, hid = m(ids, types, mask)
            self.assertEqual(tuple(logits.shape), (4, 2))
            self.assertEqual(len(hid), cfg.layers + 1)
            loss = F.cross_entropy(logits, torch.tensor([0, 1, 0, 1])) + sum(
                (h ** 2).mean() for h in hid)
            loss.backward()
            self.assertTrue(torch.isfinite(loss))
            g = m.layers[0].attn.q.weight.grad
            self.assertIsNotNone(g)
            self.assertTrue(torch.isfinite(g).all())
            self.assertGreater(float(g.abs().sum()), 0.0, str(cfg))

    def test_rejects_bad_head_dim(self):
        with self.assertRaises(ValueError):
            SorbetModel(ModelConfig(hidden=64, heads=2, norm="bspn", softmax="pt",
                                    act_quant=True, vocab_size=10))   # head dim 32: not 4^k


class OptimizerTest(unittest.TestCase):
    def test_lazy_adamw_matches_adamw_on_dense_and_updates_only_batch_rows(self):
        torch.manual_seed(0)
        w = torch.nn.Parameter(torch.randn(5, 3))
        w2 = torch.nn.Parameter(w.detach().clone())
        a = LazyAdamW([w], lr=0.1, weight_decay=0.01)
        b = torch.optim.AdamW([w2], lr=0.1, weight_decay=0.01)
        for _ in range(3):
            for p, o in ((w, a), (w2, b)):
                o.zero_grad()
                (p ** 2).sum().backward()
                o.step()
        torch.testing.assert_close(w, w2)
        emb = torch.nn.Embedding(6, 2, sparse=True)
        before = emb.weight.detach().clone()
        opt = LazyAdamW(emb.parameters(), lr=0.1)
        emb(torch.tensor([1, 3, 3])).sum().backward()
        clip_grad_norm(list(emb.parameters()), 0.5)
        opt.step()
        changed = (emb.weight.detach() != before).any(1).tolist()
        self.assertEqual(changed, [False, True, False, True, False, False])

    def test_quantizer_steps_in_their_own_group(self):
        m = SorbetModel(ModelConfig(vocab_size=10, hidden=16, heads=1, ffn=8, layers=1,
                                    act_quant=True, softmax="pt", norm="bspn", max_seq_len=4))
        groups = param_groups(m, 1e-3, 1e-4, 0.01)
        self.assertEqual(groups[2]["lr"], 1e-4)
        self.assertEqual(len(groups[2]["params"]), len(m.fires()))


if __name__ == "__main__":
    unittest.main()
