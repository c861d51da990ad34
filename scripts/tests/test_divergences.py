# SPDX-License-Identifier: Apache-2.0
"""Every known divergence between Granita's two numerics profiles and the official Sorbet code
(docs/numerics.md §11), each on its minimal input. The official result comes from the float32
re-implementation of the official eval forward (granita_model/official.py, checked bit for bit
against the official code on CPU); Granita's results from the integer kernels of each profile
(granita_model/intmode.py: hardware, granita_model/intmode_official.py: official). Test names
carry the divergence number of numerics.md §11."""
import math
import unittest

import numpy as np
import torch

try:
    from . import support  # noqa: F401  (sets the import path)
except ImportError:
    import support  # noqa: F401
from granita_model import importer
from granita_model import intmode as hw
from granita_model import intmode_official as of
from granita_model import official as off

I = lambda *rows: np.array(rows, dtype=np.int64)
T = lambda *rows: torch.tensor(rows, dtype=torch.float32)


class Divergences(unittest.TestCase):
    def test_d01_rounding_half_to_even(self):
        # x/alpha = 2.5 exactly: torch.round -> 2; the hardware profile rounds half up -> 3.
        self.assertEqual(off.quant_signed(T(2.5), torch.tensor(1.0)).item(), 2.0)
        # hardware fire: bias folds +2^(s-1) (half up): V = 5 on 2^-1 grid, shift 1 -> floor(6/2)=3
        self.assertEqual(int(hw.fire(I([5]), np.array([1]), 1, 8, 15)[0, 0]) - 8, 3)
        # official profile: half to even
        c, _ = of.fire(I([5]), np.array([0]), 1, 1, True, 8, 15, "none")
        self.assertEqual(int(c[0, 0]) - 8, 2)

    def test_d02_bspn_group_divisor_float32(self):
        # a group of 4 values, mean exactly 2^6 = 64: float32(64 + 1e-5) == 64 + 1 ulp, whose
        # float32 log2 is exactly 6.0 -> divisor 2^6. The hardware profile's bit-width rule gives
        # 2^7 (floor(log2 mean) + 1); the official profile 2^6.
        _, div = off.group_scale(T([64.0] * 4), 1)
        self.assertEqual(div[0, 0].item(), 64.0)
        self.assertEqual((256).bit_length() + 0 - 2, 7)                     # hardware, M = 256
        self.assertEqual(of.bspn_group_exponent(256, -2), 6)                 # official profile
        # mean 4 - 2^-20 (within 1e-5 below 4): official 2^3, hardware 2^2, official profile 2^3
        m = 4 - 2.0 ** -20
        _, div = off.group_scale(T([m] * 4), 1)
        self.assertEqual(div[0, 0].item(), 8.0)
        total = int(m * 2 ** 20) * 4
        self.assertEqual(total.bit_length() - 20 - 2, 2)
        self.assertEqual(of.bspn_group_exponent(total, -22), 3)
        # tiny mean 2^-20: the official divisor never goes below ~2^-16 (the +1e-5)
        _, div = off.group_scale(T([2.0 ** -20] * 4), 1)
        self.assertEqual(div[0, 0].item(), 2.0 ** -16)
        self.assertEqual((4).bit_length() - 20 - 2, -19)
        self.assertEqual(of.bspn_group_exponent(4, -22), -16)

    def test_d03_bspn_snap_tie(self):
        # y = 0x1.6a09e6p+3 (11.3137083) is below sqrt(2)*8 = 11.3137085, so the exact snap is 8,
        # but float32 log2(y) is exactly 3.5 and torch.round takes it to 4 (even): 16.
        y = float(np.float32(float.fromhex("0x1.6a09e6p+3")))
        self.assertLess(y, math.sqrt(2) * 8)
        self.assertEqual(off.snap_pow2(T(y))[0].item(), 16.0)
        self.assertEqual(hw.snap_pow2(int(y * 2 ** 21), -21, 0), 8)         # hardware: exact
        self.assertEqual(of.bspn_snap_exponent(y), 4)                         # official profile

    def test_d04_bspn_factor_clamp(self):
        # gamma / sqrt(phi + 1e-5) = 2^30: the official factor is 2^30; both profiles store the
        # exponent in [-24, 24] (model-format.md), so 2^24.
        w = off.bspn_weight(T(2.0 ** 30), T(1.0 - 1e-5).reshape(1, 1, 1, 1))
        self.assertEqual(w[0].item(), 2.0 ** 30)
        self.assertEqual(int(np.clip(round(math.log2(w[0].item())), -24, 24)), 24)

    def test_d05_partition_sum_float32(self):
        # 383 keys at the row maximum and 16 keys at distances 1..16: exact Z = 384 - 2^-16,
        # nearest power of two 256 (|Z - 256| < |512 - Z|). The official float32 sum rounds Z to
        # 384, a tie, which goes up: 512. With probability step 2^-10 the maximum's level is
        # official round((2^-9 - 2^-25) / 2^-10) = 2, both profiles (exact Z) 4 (official profile)
        # and 2^-8 -> level 2^(−8+10) = 4 (hardware, with step 2^-10).
        row = [0.0] * 383 + [-float(d) for d in range(1, 17)]
        _, zhat, p = off.pt_softmax(T(row))
        self.assertEqual(zhat.item(), 512.0)
        q, _ = off.quant_unsigned(p, torch.tensor(2.0 ** -10))
        self.assertEqual(q[0, 0].item(), 2.0)
        s = I([0] * 383 + [-d for d in range(1, 17)])
        self.assertEqual(int(hw.ptsoftmax(s, 16, -10, 15)[0, 0]), 4)
        q2, _ = of.ptsoftmax(s, 30, 32, 1, 22, 15)      # M / 2^s = 2^-22 = 2^-32 / 2^-10
        self.assertEqual(int(q2[0, 0]), 4)

    def test_d06_step_floor(self):
        # the official code uses max(alpha, 1e-5); the official profile's importer too; the
        # hardware profile accepts power-of-two steps down to 2^-20 (9.5e-7).
        self.assertEqual(off._alpha(torch.tensor(2.0 ** -20)).item(), np.float32(1e-5))
        sd = {"a": torch.tensor(2.0 ** -20)}
        self.assertEqual(importer.alpha(sd, "a"), off.ALPHA_EPS)

    def test_d07_bwn_tie_is_zero_officially(self):
        # W = [1, 2, 3]: mean 2, sign(W - 2) = [-1, 0, 1]; a 1-bit package stores +1 for the 0.
        wq = off.bwn(T([1.0, 2.0, 3.0]), True)
        self.assertEqual(wq.tolist()[0], [-2.0, 0.0, 2.0])
        from granita_model import package
        bits = package.unpack_bits(package.pack_bits(np.array([[-1, 1, 1]], dtype=np.int8)), 3)
        self.assertEqual(bits.tolist(), [[-1, 1, 1]])

    def test_d08_word_embedding_per_row_scale(self):
        # embed_layerwise = False: row scales mean|W_r| (rows [1, 3] and [2, 6] -> 2 and 4); one
        # power-of-two scale in the hardware profile; per-row integer scales (official profile).
        w = T([1.0, -3.0], [2.0, -6.0])
        wq = off.bwn(w, False)
        self.assertEqual(wq.abs()[:, 0].tolist(), [2.0, 4.0])
        scale = (w.abs().sum(dim=1) / 2).double().numpy()
        self.assertEqual(importer.on_grid(scale, importer.EMBED_EXP, "s", 1 << 30).tolist(),
                         [2 << 24, 4 << 24])

    def test_d09_embedding_layernorm_fixed_point(self):
        # the official embedding LayerNorm is float32 with eps 1e-12; the official profile
        # computes it in fixed point (integer square root, eps dropped) on the 2^-20 grid: within
        # one grid step of the float64 value on this row.
        x = np.array([3, -1, 4, 1], dtype=np.int64) << 24                    # grid 2^-24
        signs = np.ones((1, 4), dtype=np.int8)
        out = of.embedding([0], [0], signs, np.array([0], dtype=np.int32), x[None, :],
                           np.zeros((1, 4), dtype=np.int32), np.full(4, 1 << 24), np.zeros(4),
                           4)
        ref = off.layer_norm(torch.tensor([[3.0, -1.0, 4.0, 1.0]]), torch.ones(4), torch.zeros(4))
        np.testing.assert_allclose(out[0] * 2.0 ** -20, ref[0].numpy(), atol=2.0 ** -20)

    def test_d10_learnt_steps_are_not_powers_of_two(self):
        # alpha = 0.3, x = 0.4: official round(1.333) = 1; the hardware profile snaps alpha to
        # 0.25 (nearest power of two): round(1.6) = 2; official profile: 24-bit multiplier -> 1.
        self.assertEqual(off.quant_signed(T(0.4), torch.tensor(0.3)).item(), 1.0)
        self.assertEqual(math.floor(0.4 / 0.25 + 0.5), 2)
        m, s = importer.fixed(2.0 ** -20 / 0.3, "t")
        c, _ = of.fire(I([int(0.4 * 2 ** 20)]), np.array([0]), m, s, True, 8, 15, "none")
        self.assertEqual(int(c[0, 0]) - 8, 1)

    def test_d11_ffn_down_move_and_negative_minimum(self):
        # relu outputs [0, 0.625], move [-0.375, 0.125]: x' = [-0.375, 0.75], min -0.375 < 0,
        # P = 0.5 (0.375 is as far from 0.25 as from 0.5: ties go up), levels
        # round((x' + 0.5)/0.25) = [round(0.5), 5] = [0, 5] (half to even), value 0.25 q + min
        # (the RAW min, not -P) = [-0.375, 0.875]. All values exact in binary.
        q, offset = off.quant_unsigned(T([-0.375, 0.75]), torch.tensor(0.25))
        self.assertEqual(q.tolist(), [[0.0, 5.0]])
        self.assertEqual(offset, -0.375)
        # hardware profile: no move after the ReLU, no minimum: levels of the relu outputs
        # [0, 0.625] / 0.25 rounded half up = [0, 3], value [0, 0.75].
        self.assertEqual([math.floor(v / 0.25 + 0.5) for v in (0.0, 0.625)], [0, 3])
        # official profile on the 2^-20 grid: the same levels and the raw minimum as offset
        xg = I([-3 << 17, 3 << 18])
        m, s = importer.fixed(2.0 ** -20 / 0.25, "t")
        c, o = of.fire(xg, np.zeros(2, dtype=np.int64), m, s, True, 0, 15, "official")
        self.assertEqual(c.tolist(), [[0, 5]])
        self.assertEqual(o, -3 << 17)

    def test_d12_attention_minimum_is_subtracted(self):
        # scores [0, -3]: Z = 1.125 -> Zhat 1, p = [1, 0.125], tensor-wide min 0.125, step 0.1:
        # official levels round((p - 0.125)/0.1) = [9, 0] (8.75 -> 9), value 0.1 q + 0.125.
        _, _, p = off.pt_softmax(T([0.0, -3.0]))
        q, offset = off.quant_unsigned(p, torch.tensor(0.1))
        self.assertEqual(q.tolist(), [[9.0, 0.0]])
        self.assertEqual(offset, 0.125)
        # hardware profile (no minimum, step 2^-4): p/2^-4 = [16 -> 15, 2]
        self.assertEqual(hw.ptsoftmax(I([0, -3]), 16, -4, 15).tolist(), [[15, 2]])
        # official profile: step 0.1 as a multiplier on the 2^-32 grid, offset 0.125 * 2^32
        m, s = importer.fixed(2.0 ** -32 / 0.1, "t")
        q2, o2 = of.ptsoftmax(I([0, -3]), 30, 32, m, s, 15)
        self.assertEqual(q2.tolist(), [[9, 0]])
        self.assertEqual(o2, 1 << 29)


    def test_d13_to_d16_structure(self):
        # The official model has separate Q/K/V input quantizers (D13), an unquantized ReLU pooler
        # output into a float classifier (D14), float position/type tables (D15) and a learnt
        # probability step (D16). The shipped hardware-profile model shares one quantizer, fires
        # the pooler output at 4 bits, keeps int8 tables and a fixed 2^-4 probability step; an
        # imported official-profile package follows the official model.
        import os
        import tempfile
        from granita_model import package
        shipped = package.read_package(os.path.join(support.SCRIPTS, "..", "models", "sst2-sorbet"))
        names = [o["name"] for o in shipped.ops]
        self.assertIn("layers.0.attn.in", names)
        self.assertEqual(shipped.op("pool.act")["type"], "fire")
        self.assertEqual(shipped.tensors["embed.pos"].dtype, np.int8)
        self.assertEqual(shipped.op("layers.0.attn.softmax")["out_exp"], -4)
        with tempfile.TemporaryDirectory() as tmp:
            sd, cfg = off.make_official_checkpoint(tmp, layers=1, hidden=32, heads=2,
                                                   intermediate=64, vocab_size=200, seed=3)
            pkg, _, _ = importer.import_checkpoint(tmp, "SST-2", 16)
        byname = {o["name"]: o for o in pkg.ops}
        mults = {byname["layers.0.attn.%s.in" % t]["multiplier"] for t in "qkv"}
        self.assertEqual(len(mults), 3)
        self.assertEqual(byname["pool.act"]["type"], "requant")
        self.assertTrue(byname["pool.act"]["relu"])
        self.assertEqual(pkg.tensors["embed.pos"].dtype, np.int32)
        ap = importer.alpha(sd, "bert.encoder.layer.0.attention.self.clip_attn")
        self.assertEqual(byname["layers.0.attn.context"]["prob_step"], round(ap * 2 ** 32))


if __name__ == "__main__":
    unittest.main()
