# SPDX-License-Identifier: Apache-2.0
"""Integer Sorbet inference from an exported package only (docs/numerics.md), one sentence at a
time at its true length (no padding, no mask). It mirrors the C++ golden model (src/ref/) op for
op: numpy int64 everywhere, exact Python integers for BSPN's 128-bit step (a vectorised int64 path
is used for the elements whose operands provably fit in 62 bits, Python ints for the rest).

Op output layouts are those of the C++ reference (IntMatrix): [n, features] per token, except
qk_scores and ptsoftmax, whose rows are head-major (row h*n + i = query i of head h)."""
import math

import numpy as np

from . import intmode_official as official
from . import package as pkgmod

I64 = np.int64
SQRT2_Q126 = 0x5a827999fcef32422cbec4d9baa55f4f  # floor(sqrt(2) * 2^126)
# ceil(sqrt(2) * 2^t) for t = 0..62: |Y| >= this  <=>  |Y| > sqrt(2) * 2^t (no ties: irrational).
_SQRT2_CEIL = np.array([math.isqrt(1 << (2 * t + 1)) + 1 for t in range(63)], dtype=I64)


# ---------------------------------------------------------------------------------------------
# scalar helpers (§0)
def shr(v, s):
    """floor(v / 2^s) for s >= 0, v * 2^-s for s < 0 (numpy int64 arrays or Python ints)."""
    if s >= 0:
        return v >> s
    return v * (1 << -s)


def ceil_shr(v, s):
    return -shr(-v, s)


def bit_width(m):
    return int(m).bit_length()


def _bitlen64(a):
    """Exact bit width of every element of a non-negative int64 array."""
    x = a.copy()
    t = np.zeros(a.shape, dtype=I64)
    for s in (32, 16, 8, 4, 2, 1):
        m = x >= (I64(1) << s)
        t[m] += s
        x[m] >>= s
    return t + (x > 0)


def snap_pow2(num, exp, out_exp):
    """§6 steps 3-4 for one value y = num * 2^exp (Python ints): sign(y) * 2^(round(log2|y|) -
    out_exp), flushed to 0 below the grid and saturated at 2^30 (as ref::snap_pow2)."""
    num = int(num)
    if num == 0:
        return 0
    a = -num if num < 0 else num
    top = a.bit_length() - 1
    q = a << (126 - top) if top <= 126 else a >> (top - 126)
    n = top + exp + (1 if q > SQRT2_Q126 else 0)
    if n < out_exp:
        return 0
    mag = 1 << min(n - out_exp, 30)
    return -mag if num < 0 else mag


# ---------------------------------------------------------------------------------------------
# kernels (§1-§7)
def embedding(ids, type_ids, word_signs, word_exp, pos, pos_exp, type_table, type_exp):
    e = min(word_exp, pos_exp, type_exp)
    n = len(ids)
    w = word_signs[np.asarray(ids)].astype(I64)
    p = pos[:n].astype(I64)
    t = type_table[np.asarray(type_ids)].astype(I64)
    return w * (1 << (word_exp - e)) + p * (1 << (pos_exp - e)) + t * (1 << (type_exp - e))


def fire(x, bias, shift, offset, levels):
    return np.clip(shr(x + bias.astype(I64)[None, :], shift) + offset, 0, levels)


def binary_linear(counts, in_offset, signs):
    """acc_j = sum_f w_jf (c_f - in_offset); signs: int8 ±1 [out, in]."""
    return (counts - in_offset) @ signs.astype(I64).T


def int_linear(counts, in_offset, w8, bias):
    return (counts - in_offset) @ w8.astype(I64).T + bias.astype(I64)[None, :]


def qk_scores(q, k, heads, score_shift, offset):
    n, f = q.shape
    dh = f // heads
    out = np.zeros((heads * n, k.shape[0]), dtype=I64)
    for h in range(heads):
        qs = q[:, h * dh:(h + 1) * dh] - offset
        ks = k[:, h * dh:(h + 1) * dh] - offset
        out[h * n:(h + 1) * n] = ceil_shr(qs @ ks.T, score_shift)
    return out


def ptsoftmax(scores, frac_bits, out_exp, levels):
    s = scores
    m = s.max(axis=1, keepdims=True)
    d = m - s
    keep = d <= frac_bits
    a = np.where(keep, np.left_shift(I64(1), np.where(keep, frac_bits - d, 0)), 0)
    zsum = a.sum(axis=1)
    z = np.array([int(v).bit_length() - 1 for v in zsum], dtype=I64)
    # nearest power of two by linear distance, ties up
    up = (zsum - (I64(1) << z)) >= ((I64(1) << (z + 1)) - zsum)
    z = z + up
    e = frac_bits - d - z[:, None] - out_exp
    big = np.minimum(np.left_shift(I64(1), np.clip(e, 0, 30)), levels)
    p = np.where(e >= 30, levels, np.where(e >= 0, big, np.where(e == -1, 1, 0)))
    return np.where(keep, p, 0).astype(I64)


def pv_matmul(probs, v, heads, offset):
    n = probs.shape[0] // heads
    f = v.shape[1]
    dh = f // heads
    out = np.zeros((n, f), dtype=I64)
    for h in range(heads):
        out[:, h * dh:(h + 1) * dh] = probs[h * n:(h + 1) * n] @ (v[:, h * dh:(h + 1) * dh] - offset)
    return out


def residual_add(acc, acc_exp, bias, res, res_exp, out_exp):
    return ((acc + bias.astype(I64)[None, :]) * (1 << (acc_exp - out_exp))
            + res * (1 << (res_exp - out_exp)))


def bspn(x, in_exp, group, gamma_sign, gamma_exp, beta, beta_exp, out_exp, force_exact=False):
    """§6 on every row of x (int64 [n, f]); returns int64 [n, f] on the 2^out_exp grid."""
    n, f = x.shape
    g = group.bit_length() - 1
    ng = f // group
    ax = np.abs(x)
    if ax.size and int(ax.max()) >= (1 << 54):
        msum = [[sum(abs(int(v)) for v in x[r, j * group:(j + 1) * group]) for j in range(ng)]
                for r in range(n)]
        c = np.array([[(bit_width(m) + in_exp - g) if m > 0 else 0 for m in row] for row in msum],
                     dtype=I64).reshape(n, ng)
    else:
        msum = ax.reshape(n, ng, group).sum(axis=2)
        c = np.where(msum > 0, _bitlen64(msum) + in_exp - g, 0)
    cf = np.repeat(c, group, axis=1)                                  # [n, f]
    gs = gamma_sign.astype(I64)[None, :]
    e1 = in_exp - cf + gamma_exp.astype(I64)[None, :]
    e = np.minimum(e1, beta_exp)
    sh1 = e1 - e
    sh2 = beta_exp - e
    bt = beta.astype(I64)[None, :]
    term_bits = _bitlen64(ax) + sh1
    beta_bits = _bitlen64(np.abs(bt)) + sh2
    safe = (term_bits <= 61) & (beta_bits <= 61) & ~np.bool_(force_exact)
    out = np.zeros((n, f), dtype=I64)
    if safe.any():
        y = (gs * x * np.left_shift(I64(1), np.where(safe, sh1, 0))
             + bt * np.left_shift(I64(1), np.where(safe, sh2, 0)))
        ay = np.abs(y)
        top = _bitlen64(ay) - 1
        up = ay >= _SQRT2_CEIL[np.clip(top, 0, 62)]
        nexp = top + e + up
        ok = safe & (y != 0) & (nexp >= out_exp)
        mag = np.left_shift(I64(1), np.clip(nexp - out_exp, 0, 30))
        out = np.where(ok, np.where(y < 0, -mag, mag), 0)
    for r, col in zip(*np.nonzero(~safe)):
        ee = int(e[r, col])
        y = (int(gs[0, col]) * int(x[r, col]) * (1 << int(sh1[r, col]))
             + int(bt[0, col]) * (1 << int(sh2[r, col])))
        out[r, col] = snap_pow2(y, ee, out_exp)
    return out.astype(I64)


def bspn_reference(x, in_exp, group, gamma_sign, gamma_exp, beta, beta_exp, out_exp):
    """§6 written element by element with Python ints, as ref::bspn (used by the tests)."""
    n, f = x.shape
    g = group.bit_length() - 1
    out = np.zeros((n, f), dtype=I64)
    for r in range(n):
        for g0 in range(0, f, group):
            m = sum(abs(int(v)) for v in x[r, g0:g0 + group])
            for fi in range(g0, g0 + group):
                xv = int(x[r, fi])
                if m == 0 or xv == 0 or gamma_sign[fi] == 0:
                    out[r, fi] = snap_pow2(int(beta[fi]), beta_exp, out_exp)
                    continue
                c = m.bit_length() + in_exp - g
                e1 = in_exp - c + int(gamma_exp[fi])
                e = min(e1, beta_exp)
                y = int(gamma_sign[fi]) * xv * (1 << (e1 - e)) + int(beta[fi]) * (1 << (beta_exp - e))
                out[r, fi] = snap_pow2(y, e, out_exp)
    return out


# ---------------------------------------------------------------------------------------------
class IntModel:
    """Runs a read (validated) Package. Contract: the package is not modified afterwards."""

    def __init__(self, pkg):
        if isinstance(pkg, str):
            pkg = pkgmod.read_package(pkg)
        self.pkg = pkg
        self.arch = pkg.arch
        self.levels = (1 << pkg.arch["bits"]) - 1
        self._signs = {}
        for op in pkg.ops:
            if op["type"] == "embedding":
                self._signs[op["name"]] = pkgmod.unpack_bits(
                    pkg.tensors[op["name"] + ".word"], pkg.arch["hidden"])
            elif op["type"] == "binary_linear":
                self._signs[op["name"]] = pkgmod.unpack_bits(
                    pkg.tensors[op["name"] + ".weight"], op["in_features"])

    def run(self, ids, type_ids=None, keep_outputs=False):
        """-> (logits list of Python ints, dict op name -> int64 array or None)."""
        a = self.arch
        pkg = self.pkg
        if type_ids is None:
            type_ids = [0] * len(ids)
        if not ids:
            raise ValueError("empty token sequence")
        if len(ids) != len(type_ids):
            raise ValueError("token ids and token type ids differ in length")
        if len(ids) > a["max_seq_len"]:
            raise ValueError("%d tokens exceed the model's max_seq_len of %d"
                             % (len(ids), a["max_seq_len"]))
        for i, (t, y) in enumerate(zip(ids, type_ids)):
            if not 0 <= t < a["vocab_size"]:
                raise ValueError("token id %d at position %d is outside the vocabulary of %d"
                                 % (t, i, a["vocab_size"]))
            if not 0 <= y < a["type_vocab_size"]:
                raise ValueError("token type id %d at position %d is out of range" % (y, i))
        if pkg.profile == "official":
            vals = self._run_official(ids, type_ids)
            logits = [int(v) for v in vals[pkg.output][0]]
            return logits, (vals if keep_outputs else None)
        vals = {}
        T = pkg.tensors
        info = pkg.info
        for op in pkg.ops:
            name, t = op["name"], op["type"]
            ins = [vals.get(x) for x in op["inputs"]]
            if t == "embedding":
                out = embedding(ids, type_ids, self._signs[name], op["word_exp"], T[name + ".pos"],
                                op["pos_exp"], T[name + ".type"], op["type_exp"])
            elif t == "bspn":
                out = bspn(ins[0], op["in_exp"], op["group"], T[name + ".gamma_sign"],
                           T[name + ".gamma_exp"], T[name + ".beta"], op["beta_exp"], op["out_exp"])
            elif t == "fire":
                out = fire(ins[0], T[name + ".bias"], op["shift"], op["offset"], self.levels)
            elif t == "binary_linear":
                out = binary_linear(ins[0], info[name]["in_offset"], self._signs[name])
            elif t == "int_linear":
                out = int_linear(ins[0], info[name]["in_offset"], T[name + ".weight"],
                                 T[name + ".bias"])
            elif t == "qk_scores":
                out = qk_scores(ins[0], ins[1], op["heads"], op["score_shift"],
                                info[op["inputs"][0]]["offset"])
            elif t == "ptsoftmax":
                out = ptsoftmax(ins[0], op["frac_bits"], op["out_exp"], self.levels)
            elif t == "pv_matmul":
                out = pv_matmul(ins[0], ins[1], op["heads"], info[op["inputs"][1]]["offset"])
            elif t == "residual_add":
                out = residual_add(ins[0], info[op["inputs"][0]]["out_exp"], T[name + ".bias"],
                                   ins[1], info[op["inputs"][1]]["out_exp"], op["out_exp"])
            elif t == "select_cls":
                out = ins[0][:1].copy()
            else:
                raise ValueError("unhandled op type " + t)
            vals[name] = out
        logits = [int(v) for v in vals[pkg.output][0]]
        return logits, (vals if keep_outputs else None)

    def _run_official(self, ids, type_ids):
        """The official profile (docs/numerics.md §10), op by op as src/ref/sorbet_reference.cpp."""
        pkg, T, info = self.pkg, self.pkg.tensors, self.pkg.info
        vals, offs = {}, {}
        for op in pkg.ops:
            name, t = op["name"], op["type"]
            ins = [vals.get(x) for x in op["inputs"]]
            off = 0
            he = op.get("rounding") == "half_even"
            if t == "embedding":
                out = official.embedding(ids, type_ids, self._signs[name], T[name + ".word_scale"],
                                         T[name + ".pos"], T[name + ".type"],
                                         T[name + ".ln_gamma"], T[name + ".ln_beta"],
                                         op["out_exp"] - op["ln_exp"])
            elif t == "bspn":
                out = official.bspn(ins[0], op["in_exp"], op["group"], T[name + ".gamma_sign"],
                                    T[name + ".gamma_exp"], T[name + ".beta"], op["beta_exp"],
                                    op["out_exp"])
            elif t == "fire":
                out, off = official.fire(ins[0], T[name + ".bias"], op["multiplier"], op["shift"],
                                         he, op["offset"], self.levels, op["min_rule"])
            elif t == "requant":
                out = official.requant(ins[0], T[name + ".bias"], op["multiplier"], op["shift"],
                                       he, op["relu"], T[name + ".move"])
            elif t == "binary_linear":
                out = official.binary_linear(ins[0], info[name]["in_offset"], self._signs[name],
                                             op["in_step"], offs[op["inputs"][0]])
            elif t == "int_linear":
                out = official.int_linear(ins[0], T[name + ".weight"], T[name + ".bias"])
            elif t == "qk_scores":
                out = official.qk_scores(ins[0], ins[1], op["heads"], op["multiplier"],
                                         op["score_shift"], info[op["inputs"][0]]["offset"])
            elif t == "ptsoftmax":
                out, off = official.ptsoftmax(ins[0], op["frac_bits"], op["prob_frac"],
                                              op["multiplier"], op["shift"], self.levels)
            elif t == "pv_matmul":
                out = official.pv_matmul(ins[0], offs[op["inputs"][0]], ins[1], op["heads"],
                                         info[op["inputs"][1]]["offset"], op["prob_step"])
            elif t == "residual_add":
                out = official.residual_add(ins[0], T[name + ".bias"], op["multiplier"],
                                            op["shift"], he, ins[1],
                                            info[op["inputs"][1]]["out_exp"] - op["out_exp"])
            elif t == "select_cls":
                out = ins[0][:1].copy()
            else:
                raise ValueError("unhandled op type " + t)
            vals[name], offs[name] = out, off
        return vals

    def predict(self, ids, type_ids=None):
        logits, _ = self.run(ids, type_ids)
        return int(np.argmax(logits)), logits
