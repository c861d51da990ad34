# SPDX-License-Identifier: Apache-2.0
"""Kernels of the `official` numerics profile (docs/numerics.md §10), mirroring
src/ref/official_kernels.cpp op for op: exact integers throughout (numpy int64 where every operand
provably fits, Python ints otherwise), the same float32 rules for BSPN (float32 rounding of an exact
value, then log2 in double rounded to float32), the same tensor-wide minima.

Results carry a per-tensor runtime offset like the C++ IntMatrix::offset: kernels that produce one
return (array, offset); the caller keeps the offsets beside the arrays."""
import math

import numpy as np

I64 = np.int64
FLOAT32_MIN_EXP = -149      # smallest float32 subnormal is 2^-149
_LIM = 1 << 62


def _fits(*bounds):
    return all(abs(int(b)) < _LIM for b in bounds)


def round_shift(x, s, half_even):
    """x / 2^s rounded (floor, or nearest with ties to even); s <= 0 multiplies exactly. x: int64
    array whose magnitude is < 2^62, or an object array of Python ints."""
    if s <= 0:
        return x * (1 << -s)
    q = x >> s
    if not half_even:
        return q
    rem = x - (q << s)
    half = 1 << (s - 1)
    up = (rem > half) | ((rem == half) & ((q & 1) == 1))
    return q + up.astype(q.dtype) if q.dtype != object else q + up.astype(int)


def _obj(a):
    return np.asarray(a).astype(object)


def _mul_add(x, mult, bias_row):
    """x * mult + bias (bias broadcast over rows), as int64 when it provably fits, else exact."""
    x = np.asarray(x)
    bmax = int(np.abs(bias_row).max()) if np.size(bias_row) else 0
    xmax = int(np.abs(x).max()) if x.size else 0
    if _fits(xmax * int(mult) + bmax) and x.dtype != object:
        return x.astype(I64) * I64(mult) + np.asarray(bias_row, dtype=I64)[None, :]
    return _obj(x) * int(mult) + _obj(bias_row)[None, :]


def _to_i64(a, what):
    a = np.asarray(a)
    if a.dtype == object:
        if a.size and max(abs(int(v)) for v in a.reshape(-1)) >= (1 << 63):
            raise ValueError("official profile: %s leaves 64 bits (a step, multiplier or bias of "
                             "the package is out of range)" % what)
        return a.astype(I64)
    return a


def to_float32(num, exp):
    """The float32 value nearest num * 2^exp (ties to even), as a Python float."""
    num = int(num)
    if num == 0:
        return 0.0
    a = abs(num)
    # the last kept bit: 24 significant bits, or 2^-149 (the smallest subnormal) if higher
    lsb = max(exp + a.bit_length() - 24, FLOAT32_MIN_EXP)
    s = lsb - exp
    if s > 0:
        q, rem = a >> s, a & ((1 << s) - 1)
        half = 1 << (s - 1)
        a = q + 1 if rem > half or (rem == half and q & 1) else q
        exp = lsb
        if a == 0:
            return 0.0
    v = math.ldexp(float(a), exp)
    return -v if num < 0 else v


def bspn_group_exponent(total, exp):
    mean = np.float32(to_float32(total, exp))
    t = np.float32(mean + np.float32(1e-5))
    return int(math.ceil(float(np.float32(math.log2(float(t))))))


def bspn_snap_exponent(y32):
    return int(round(float(np.float32(math.log2(abs(y32))))))   # round(): ties to even


def nearest_pow2_linear(m):
    k = int(m).bit_length() - 1
    lo = 1 << k
    if lo == m:
        return m
    hi = lo << 1
    return lo if m - lo < hi - m else hi


def nearest_pow2_log(m):
    k = int(m).bit_length() - 1
    return (1 << (k + 1)) if m * m > (1 << (2 * k + 1)) else (1 << k)


# ---------------------------------------------------------------------------------------------
def embedding(ids, type_ids, word_signs, word_scale, pos, type_table, gamma, beta, ln_shift):
    """§10.1: binarised rows with per-row scales + position + type rows, then fixed-point
    LayerNorm (D = H·x − Σx, V = ΣD², sqrt(H/V) from an integer square root)."""
    n = len(ids)
    hidden = word_signs.shape[1]
    scale = word_scale.astype(I64)[np.asarray(ids)][:, None]
    x = (word_signs[np.asarray(ids)].astype(I64) * scale + pos[:n].astype(I64)
         + type_table[np.asarray(type_ids)].astype(I64))
    out = np.zeros((n, hidden), dtype=I64)
    hbits = hidden.bit_length()
    for i in range(n):
        row = [int(v) for v in x[i]]
        total = sum(row)
        d = [hidden * v - total for v in row]
        var = sum(v * v for v in d)
        if var == 0:
            out[i] = beta.astype(I64)
            continue
        k = max(0, var.bit_length() - 60)
        k += k & 1
        vn = var >> k
        q = (122 - hbits) // 2
        r = math.isqrt((hidden << (2 * q)) // vn)
        s = q + k // 2 + ln_shift
        for f in range(hidden):
            t = int(gamma[f]) * d[f] * r
            out[i, f] = _round_shift_int(t, s) + int(beta[f])
    return out


def _round_shift_int(x, s):
    if s <= 0:
        return x << -s
    q = x >> s
    rem = x - (q << s)
    half = 1 << (s - 1)
    return q + 1 if rem > half or (rem == half and q & 1) else q


def fire(x, bias, mult, shift, half_even, offset, levels, min_rule):
    """§10.2; returns (counts, offset in input units)."""
    x = np.asarray(x)
    move, out_offset = 0, 0
    if min_rule == "official" and x.size:
        mn = int(x.min())
        if mn < 0:
            move, out_offset = -nearest_pow2_linear(-mn), mn
        elif mn > 0:
            move = out_offset = nearest_pow2_log(mn)
    xm = x - move if _fits(int(np.abs(x).max()) + abs(move)) else _obj(x) - move
    v = round_shift(_mul_add(xm, mult, bias), shift, half_even) + offset
    return np.clip(v, 0, levels).astype(I64), out_offset


def requant(x, bias, mult, shift, half_even, relu, move):
    v = round_shift(_mul_add(x, mult, bias), shift, half_even)
    if relu:
        v = np.maximum(v, 0)
    v = v + (_obj(move) if v.dtype == object else move.astype(I64))[None, :]
    return _to_i64(v, "requant output")


def binary_linear(counts, in_offset, signs, in_step, counts_offset):
    acc = (counts - in_offset) @ signs.astype(I64).T
    if in_step == 1 and counts_offset == 0:
        return acc
    rowsum = signs.astype(I64).sum(axis=1)
    return _to_i64(_obj(acc) * int(in_step) + int(counts_offset) * _obj(rowsum)[None, :],
                   "binary_linear accumulator")


def qk_scores(q, k, heads, mult, shift, offset):
    n, f = q.shape
    dh = f // heads
    out = np.zeros((heads * n, k.shape[0]), dtype=object)
    for h in range(heads):
        qs = q[:, h * dh:(h + 1) * dh] - offset
        ks = k[:, h * dh:(h + 1) * dh] - offset
        s = _obj(qs @ ks.T) * int(mult)
        out[h * n:(h + 1) * n] = -((-s) >> shift)          # ceil(s / 2^shift)
    return _to_i64(out, "attention score")


def ptsoftmax(scores, frac_bits, prob_frac, mult, shift, levels):
    """§10.6; returns (counts, offset = floor(min p · 2^prob_frac))."""
    rows, n = scores.shape
    e = np.zeros((rows, n), dtype=I64)
    for i in range(rows):
        s = [int(v) for v in scores[i]]
        m = max(s)
        z = sum(1 << (frac_bits - (m - v)) for v in s if m - v <= frac_bits)
        zb = z.bit_length() - 1
        if z - (1 << zb) >= (1 << (zb + 1)) - z:
            zb += 1
        e[i] = [(m - v) + (zb - frac_bits) for v in s]
    underflow = bool((e > -FLOAT32_MIN_EXP).any())

    def scaled(ev):
        return 0 if ev > -FLOAT32_MIN_EXP or ev > prob_frac else 1 << (prob_frac - ev)

    mn = 0 if underflow else scaled(int(e.max()))
    out = np.zeros((rows, n), dtype=I64)
    for idx, ev in np.ndenumerate(e):
        q = _round_shift_int((scaled(int(ev)) - mn) * int(mult), shift)
        out[idx] = min(max(q, 0), levels)
    return out, mn


def pv_matmul(probs, probs_offset, v, heads, offset, prob_step):
    n = v.shape[0]
    f = v.shape[1]
    dh = f // heads
    out = np.zeros((n, f), dtype=object)
    for h in range(heads):
        p = _obj(probs[h * n:(h + 1) * n]) * int(prob_step) + int(probs_offset)
        out[:, h * dh:(h + 1) * dh] = p.dot(_obj(v[:, h * dh:(h + 1) * dh] - offset))
    return _to_i64(out, "attention context")


def residual_add(acc, bias, mult, shift, half_even, res, res_shift):
    a = round_shift(_mul_add(acc, mult, bias), shift, half_even)
    return _to_i64(_obj(a) + _obj(res) * (1 << res_shift), "residual sum")


def bspn(x, in_exp, group, gamma_sign, gamma_exp, beta, beta_exp, out_exp):
    n, f = x.shape
    g = group.bit_length() - 1
    out = np.zeros((n, f), dtype=I64)
    for r in range(n):
        for g0 in range(0, f, group):
            total = sum(abs(int(v)) for v in x[r, g0:g0 + group])
            c = bspn_group_exponent(total, in_exp - g)
            for fi in range(g0, g0 + group):
                e1 = in_exp - c + int(gamma_exp[fi])
                e = min(e1, beta_exp)
                y = (int(gamma_sign[fi]) * int(x[r, fi]) * (1 << (e1 - e))
                     + int(beta[fi]) * (1 << (beta_exp - e)))
                y32 = to_float32(y, e)
                if y32 == 0.0:
                    continue
                nexp = bspn_snap_exponent(y32)
                if nexp < out_exp:
                    continue
                mag = 1 << min(nexp - out_exp, 30)
                out[r, fi] = -mag if y32 < 0 else mag
    return out


def int_linear(x, w, bias):
    return _to_i64(_obj(x).dot(_obj(w).T) + _obj(bias)[None, :], "classifier logit")
