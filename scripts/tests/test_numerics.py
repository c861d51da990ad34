# SPDX-License-Identifier: Apache-2.0
"""Integer kernels of docs/numerics.md on hand-computed examples (scripts/granita_model/intmode)."""
import math
import unittest

import numpy as np

try:
    from . import support  # noqa: F401  (sets the import path)
except ImportError:
    import support  # noqa: F401
from granita_model import intmode as im

I = lambda *rows: np.array(rows, dtype=np.int64)


class HelperTest(unittest.TestCase):
    def test_shr_floor_and_negative_shift(self):
        self.assertEqual(im.shr(-5, 1), -3)            # floor(-2.5)
        self.assertEqual(im.shr(5, 1), 2)
        self.assertEqual(im.shr(3, -2), 12)             # v * 2^2
        self.assertEqual(im.ceil_shr(-5, 1), -2)        # ceil(-2.5)
        self.assertEqual(im.ceil_shr(5, 1), 3)
        np.testing.assert_array_equal(im.shr(I([-5, 5]), 1), I([-3, 2]))

    def test_snap_pow2_sqrt2_threshold(self):
        # sqrt(2) * 128 = 181.02: 181 rounds down to 2^7, 182 up to 2^8 (out_exp 0).
        self.assertEqual(im.snap_pow2(181, 0, 0), 128)
        self.assertEqual(im.snap_pow2(182, 0, 0), 256)
        self.assertEqual(im.snap_pow2(-182, 0, 0), -256)
        self.assertEqual(im.snap_pow2(3, -2, -12), 1 << 12)     # 0.75 -> 1 = 2^12 on 2^-12
        self.assertEqual(im.snap_pow2(1, -13, -12), 0)           # 2^-13 below the grid: flushed
        self.assertEqual(im.snap_pow2(1, 40, -12), 1 << 30)      # 2^40 saturates at 2^(-12+30)
        self.assertEqual(im.snap_pow2(0, 5, -12), 0)


class FireTest(unittest.TestCase):
    def test_positive_shift(self):
        # s = 6, move 0: B = 0 + 2^5. c = clamp(floor((V + 32)/64) + 8, 0, 15).
        # -300/64 = -4.69 -> -5 -> 3;  5/64 -> 0 -> 8;  1000/64 = 15.6 -> 16 -> 24 -> 15.
        c = im.fire(I([-300, 0, 5, 1000]), np.full(4, 32), 6, 8, 15)
        np.testing.assert_array_equal(c, I([3, 8, 8, 15]))

    def test_round_half_up(self):
        # V = 32 is exactly 0.5 steps: half up -> 1 (+8 = 9); V = -32 is -0.5 -> 0 (-> 8).
        c = im.fire(I([32, -32, -33]), np.full(3, 32), 6, 8, 15)
        np.testing.assert_array_equal(c, I([9, 8, 7]))

    def test_negative_shift_and_unsigned(self):
        # s = -2: c = (V + B) * 4 + offset; unsigned clamps at 0 (ReLU).
        c = im.fire(I([1, -1, 3, 5]), np.zeros(4, np.int32), -2, 0, 15)
        np.testing.assert_array_equal(c, I([4, 0, 12, 15]))


class LinearTest(unittest.TestCase):
    def test_binary_linear(self):
        signs = np.array([[1, -1, 1], [-1, -1, 1]], np.int8)
        counts = I([8, 15, 0], [3, 8, 9])
        # row 0: c - 8 = [0, 7, -8]: [0 - 7 - 8, 0 - 7 - 8] = [-15, -15]
        # row 1: c - 8 = [-5, 0, 1]: [-5 + 1, 5 + 1] = [-4, 6]
        np.testing.assert_array_equal(im.binary_linear(counts, 8, signs), I([-15, -15], [-4, 6]))

    def test_int_linear(self):
        w = np.array([[2, -3], [127, -128]], np.int8)
        out = im.int_linear(I([1, 2]), 0, w, np.array([10, -1], np.int32))
        np.testing.assert_array_equal(out, I([2 - 6 + 10, 127 - 256 - 1]))


class AttentionTest(unittest.TestCase):
    def test_qk_scores_ceil(self):
        # one head, d = 2: S = (9-8)(3-8) + (8-8)(x) = -5; score_shift 1 -> ceil(-2.5) = -2.
        q = I([9, 8])
        k = I([3, 12])
        self.assertEqual(im.qk_scores(q, k, 1, 1, 8)[0, 0], -2)

    def test_ptsoftmax_numerics_example(self):
        # s = [0, -1, -1]: A = [2^16, 2^15, 2^15], Z = 2^17 -> z = 17, p = [1/2, 1/4, 1/4];
        # on the 2^-4 grid: [8, 4, 4].
        self.assertEqual(im.ptsoftmax(I([0, -1, -1]), 16, -4, 15).tolist(), [[8, 4, 4]])

    def test_ptsoftmax_tie_goes_up(self):
        # Z = 2^16 + 2^15 = 1.5 * 2^16 is equidistant from 2^16 and 2^17: ties up -> z = 17.
        self.assertEqual(im.ptsoftmax(I([3, 2]), 16, -4, 15).tolist(), [[8, 4]])

    def test_ptsoftmax_half_level_and_drop(self):
        # s = [0, -5]: Z = 2^16 + 2^11 -> z = 16; p = [1, 2^-5]: 1 -> 16 -> Lmax 15;
        # 2^-5 is half a level: floor(1/2 + 1/2) = 1. A term 17 below the max is dropped.
        self.assertEqual(im.ptsoftmax(I([0, -5]), 16, -4, 15).tolist(), [[15, 1]])
        self.assertEqual(im.ptsoftmax(I([0, -17, -6]), 16, -4, 15).tolist(), [[15, 0, 0]])

    def test_pv_matmul_heads(self):
        probs = I([8, 8], [0, 15], [15, 0], [4, 4])         # 2 heads x 2 queries, 2 keys
        v = I([9, 7], [7, 10])                               # 2 tokens, d = 2 (1 per head)
        out = im.pv_matmul(probs, v, 2, 8)
        # head 0 (feature 0): v - 8 = [1, -1]: q0 = 8 - 8 = 0, q1 = -15
        # head 1 (feature 1): v - 8 = [-1, 2]: q0 = -15, q1 = -4 + 8 = 4
        np.testing.assert_array_equal(out, I([0, -15], [-15, 4]))

    def test_residual_add(self):
        # acc on 2^-3, hidden on 2^-5: R = (acc + B) * 4 + H on 2^-5.
        r = im.residual_add(I([3, -1]), -3, np.array([1, 0], np.int32), I([7, 2]), -5, -5)
        np.testing.assert_array_equal(r, I([23, -2]))


class BspnTest(unittest.TestCase):
    def test_hand_example(self):
        # group of 4 (g = 2), E_r = 0, R = [3, -1, 0, 4]: M = 8, c = bw(8) + 0 - 2 = 2
        # (mean|x| = 2 -> 2^(floor(log2 2) + 1) = 4). gamma = +2^0, beta = 0:
        # y = R / 4 = [0.75, -0.25, 0, 1] -> [1, -2^-2, 0, 1] -> on 2^-12: [4096, -1024, 0, 4096].
        out = im.bspn(I([3, -1, 0, 4]), 0, 4, np.ones(4, np.int8), np.zeros(4, np.int8),
                      np.zeros(4, np.int32), -12, -12)
        np.testing.assert_array_equal(out, I([4096, -1024, 0, 4096]))

    def test_gamma_beta_sign(self):
        # same group; channel 0: gamma = -2^1 -> y = -1.5 -> |y| >= sqrt2 -> -2 -> -8192;
        # channel 1: gamma 2^0, beta = 0.25 (1024 on 2^-12): -0.25 + 0.25 = 0 -> 0;
        # channel 2: gamma sign 0, beta = 3 * 2^-12 -> 3 * 2^-12 snaps to 2^2 * 2^-12 = 4;
        # channel 3: gamma 2^-3: 1/8 -> 512.
        out = im.bspn(I([3, -1, 0, 4]), 0, 4, np.array([-1, 1, 0, 1], np.int8),
                      np.array([1, 0, 0, -3], np.int8), np.array([0, 1024, 3, 0], np.int32),
                      -12, -12)
        np.testing.assert_array_equal(out, I([-8192, 0, 4, 512]))

    def test_exact_power_of_two_mean(self):
        # mean|x| = 1 exactly: c = floor(0) + 1 = 1 (the official ceil(log2(1 + 1e-5)) = 1).
        out = im.bspn(I([1, -1, 1, -1]), 0, 4, np.ones(4, np.int8), np.zeros(4, np.int8),
                      np.zeros(4, np.int32), -12, -12)
        np.testing.assert_array_equal(out, I([2048, -2048, 2048, -2048]))

    def test_all_zero_group_gives_beta(self):
        # y = beta: 4096 * 2^-12 = 1 -> 1; -6000 * 2^-12 = -1.46 <= -sqrt2 -> -2 -> -8192.
        out = im.bspn(I([0, 0, 0, 0]), -3, 4, np.ones(4, np.int8), np.zeros(4, np.int8),
                      np.array([4096, -6000, 0, 1], np.int32), -12, -12)
        np.testing.assert_array_equal(out, I([4096, -8192, 0, 1]))

    def test_fast_path_matches_reference(self):
        rng = np.random.default_rng(3)
        for trial in range(6):
            n, f, group = 5, 32, 8
            scale = [1, 1 << 10, 1 << 30, 1 << 50][trial % 4]
            x = rng.integers(-scale, scale + 1, size=(n, f), dtype=np.int64)
            x[0, :8] = 0
            gs = rng.integers(-1, 2, size=f).astype(np.int8)
            ge = rng.integers(-24, 25, size=f).astype(np.int8)
            beta = rng.integers(-(1 << 31), (1 << 31) - 1, size=f).astype(np.int32)
            in_exp = int(rng.integers(-30, 10))
            beta_exp = int(rng.integers(-40, 9))
            ref = im.bspn_reference(x, in_exp, group, gs, ge, beta, beta_exp, -12)
            np.testing.assert_array_equal(im.bspn(x, in_exp, group, gs, ge, beta, beta_exp, -12),
                                          ref)
            np.testing.assert_array_equal(im.bspn(x, in_exp, group, gs, ge, beta, beta_exp, -12,
                                                  force_exact=True), ref)

    def test_snap_threshold_matches_sqrt2(self):
        for top in range(0, 62, 7):
            t = int(im._SQRT2_CEIL[top])
            self.assertLess((t - 1) ** 2, 2 * 4 ** top)
            self.assertGreater(t ** 2, 2 * 4 ** top)
            if top > 20:
                self.assertAlmostEqual(t / 2 ** top, math.sqrt(2), places=5)


class EmbeddingTest(unittest.TestCase):
    def test_sum_on_common_grid(self):
        word = np.array([[1, -1], [-1, 1]], np.int8)       # signs
        pos = np.array([[3, -2], [0, 1]], np.int8)
        typ = np.array([[1, 1]], np.int8)
        # word_exp -2, pos_exp -4, type_exp -5: E = -5, factors 8, 2, 1.
        out = im.embedding([1, 0], [0, 0], word, -2, pos, -4, typ, -5)
        np.testing.assert_array_equal(out, I([-8 + 6 + 1, 8 - 4 + 1], [8 + 0 + 1, -8 + 2 + 1]))


if __name__ == "__main__":
    unittest.main()
