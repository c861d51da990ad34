# SPDX-License-Identifier: Apache-2.0
"""The check of each op type (docs/model-format.md), as src/model/model_package.cpp: attributes,
inputs, exponent identities, ranges and tensors. Each takes the OpCheck `c` of validate.py and fills
`d`, the op's derived facts (features, out_exp, offset, counts, heads, in_offset) that later ops
read through c.producer()."""
from .limits import ARCH_LIMITS, MAX_FEATURES, MAX_MULTIPLIER, MAX_OFFICIAL_SHIFT, MAX_WIDE


def _embedding(c, d):
    """Checks an embedding op."""
    op = c.op
    a = c.arch
    official = c.official
    c.want_inputs(1)
    if c.ins[0] != "tokens":
        c.fail("inputs", "embedding takes the token ids 'tokens'")
    exps = [c.check_exp(k) for k in ("word_exp", "pos_exp", "type_exp")]
    if max(exps) - min(exps) > 16:
        c.fail("word_exp", "embedding exponents differ by more than 16")
    d["out_exp"] = min(exps)
    d["features"] = a["hidden"]
    c.bits("word", a["vocab_size"], a["hidden"])
    if official:
        if min(exps) != max(exps):
            c.fail("word_exp", "official profile: word_exp, pos_exp and type_exp must be "
                   "equal")
        c.check_exp("ln_exp")
        d["out_exp"] = c.check_exp("out_exp")
        if not -30 <= op["out_exp"] - op["ln_exp"] <= 60:
            c.fail("out_exp", "must be within [-30, 60] of ln_exp")
        lim = 1 << 30
        c.tensor("word_scale", "I32", [a["vocab_size"]], -lim, lim)
        c.tensor("pos", "I32", [a["max_seq_len"], a["hidden"]], -lim, lim)
        c.tensor("type", "I32", [a["type_vocab_size"], a["hidden"]], -lim, lim)
        c.tensor("ln_gamma", "I32", [a["hidden"]], -lim, lim)
        c.tensor("ln_beta", "I32", [a["hidden"]], -lim, lim)
    else:
        c.tensor("pos", "I8", [a["max_seq_len"], a["hidden"]], -128, 127)
        c.tensor("type", "I8", [a["type_vocab_size"], a["hidden"]], -128, 127)


def _bspn(c, d):
    """Checks a bspn op."""
    op = c.op
    c.want_inputs(1)
    p = c.producer(0)
    c.not_counts(p, "bspn normalises an integer tensor, not '%s'" % p["name"])
    c.check_exp("in_exp")
    c.check_in_exp(p)
    d["features"] = f = p["features"]
    g = op["group"]
    if g < 1 or g > (1 << 16):
        c.fail("group", "%d is out of range [1, 65536]" % g)
    if (g & (g - 1)) or f % g or g > 256:
        c.fail("group", "must be a power of two ≤ 256 dividing the %d features" % f)
    c.check_exp("beta_exp", -40, 8)
    d["out_exp"] = c.check_exp("out_exp")
    c.tensor("gamma_sign", "I8", [f], -1, 1)
    c.tensor("gamma_exp", "I8", [f], -24, 24)
    c.tensor("beta", "I32", [f])


def _fire(c, d):
    """Checks a fire op."""
    op = c.op
    official = c.official
    c.want_inputs(1)
    p = c.producer(0)
    c.not_counts(p, "fire integrates an integer tensor, not '%s'" % p["name"])
    c.check_exp("in_exp")
    c.check_in_exp(p)
    if official:
        c.check_exp("multiplier", 1, MAX_MULTIPLIER)
        c.check_exp("shift", -30, MAX_OFFICIAL_SHIFT)
    else:
        c.check_exp("shift", -30, 30)
    d["out_exp"] = c.check_exp("out_exp")
    if not official and op["out_exp"] != op["in_exp"] + op["shift"]:
        c.fail("out_exp", "must equal in_exp + shift = %d" % (op["in_exp"] + op["shift"]))
    if op["offset"] not in (0, c.sgn):
        c.fail("offset", "must be 0 (unsigned) or %d (signed)" % c.sgn)
    d["offset"] = op["offset"]
    if official and op["min_rule"] == "official" and op["offset"] != 0:
        c.fail("min_rule", "the official minimum rule applies to unsigned fires (offset 0)")
    if op["features"] < 1 or op["features"] != p["features"]:
        c.fail("features", "is %d but input '%s' has %d"
               % (op["features"], p["name"], p["features"]))
    d["features"] = op["features"]
    d["counts"] = True
    if official:
        c.tensor("bias", "I64", [op["features"]], -MAX_WIDE, MAX_WIDE)
    else:
        c.tensor("bias", "I32", [op["features"]])


def _requant(c, d):
    """Checks a requant op."""
    c.want_inputs(1)
    p = c.producer(0)
    if p["type"] != "binary_linear":
        c.fail("inputs", "requant takes a binary_linear op, not '%s'" % p["name"])
    c.check_exp("in_exp")
    c.check_exp("multiplier", 1, MAX_MULTIPLIER)
    c.check_exp("shift", -30, MAX_OFFICIAL_SHIFT)
    d["out_exp"] = c.check_exp("out_exp")
    d["features"] = p["features"]
    c.tensor("bias", "I64", [p["features"]], -MAX_WIDE, MAX_WIDE)
    c.tensor("move", "I64", [p["features"]], -MAX_WIDE, MAX_WIDE)


def _linear(c, d):
    """Checks a binary_linear or int_linear op."""
    op = c.op
    official = c.official
    c.want_inputs(1)
    p = c.producer(0)
    if not (official and c.type == "int_linear"):
        c.need_counts(p, False)
    elif p["type"] != "requant":
        c.fail("inputs", "an official-profile classifier takes a requant op, not '%s'"
               % p["name"])
    if op["in_features"] != p["features"]:
        c.fail("in_features", "is %d but input '%s' has %d"
               % (op["in_features"], p["name"], p["features"]))
    if op["out_features"] < 1 or op["out_features"] > MAX_FEATURES:
        c.fail("out_features", "%d is out of range [1, %d]"
               % (op["out_features"], MAX_FEATURES))
    c.check_exp("in_exp")
    c.check_in_exp(p)
    d["in_offset"] = p["offset"]
    c.check_exp("weight_exp")
    d["out_exp"] = c.check_exp("out_exp")
    if not official and op["out_exp"] != op["in_exp"] + op["weight_exp"]:
        c.fail("out_exp", "must equal in_exp + weight_exp = %d"
               % (op["in_exp"] + op["weight_exp"]))
    d["features"] = op["out_features"]
    if c.type == "binary_linear":
        c.bits("weight", op["out_features"], op["in_features"])
        if official:
            c.check_exp("in_step", 1, MAX_MULTIPLIER)
    elif official:
        c.tensor("weight", "I32", [op["out_features"], op["in_features"]],
                 -(1 << 30), 1 << 30)
        c.tensor("bias", "I64", [op["out_features"]], -MAX_WIDE, MAX_WIDE)
    else:
        c.tensor("weight", "I8", [op["out_features"], op["in_features"]], -128, 127)
        c.tensor("bias", "I32", [op["out_features"]])


def _qk_scores(c, d):
    """Checks a qk_scores op."""
    op = c.op
    official = c.official
    c.want_inputs(2)
    q, k = c.producer(0), c.producer(1)
    c.need_counts(q, True)
    c.need_counts(k, True)
    if q["features"] != k["features"]:
        c.fail("inputs", "q and k have different feature counts")
    if op["heads"] < 1 or op["heads"] > ARCH_LIMITS["heads"][1]:
        c.fail("heads", "%d is out of range [1, %d]"
               % (op["heads"], ARCH_LIMITS["heads"][1]))
    if q["features"] % op["heads"]:
        c.fail("heads", "does not divide the %d features" % q["features"])
    if official:
        c.check_exp("score_shift", 0, MAX_OFFICIAL_SHIFT)
        c.check_exp("multiplier", 1, MAX_MULTIPLIER)
    else:
        c.check_exp("score_shift", -30, 30)
    d["features"] = q["features"]
    d["heads"] = op["heads"]
    d["offset"] = q["offset"]


def _ptsoftmax(c, d):
    """Checks a ptsoftmax op."""
    official = c.official
    c.want_inputs(1)
    p = c.producer(0)
    if p["type"] != "qk_scores":
        c.fail("inputs", "ptsoftmax takes a qk_scores op, not '%s'" % p["name"])
    d["heads"] = p["heads"]
    d["features"] = p["features"]
    c.check_exp("frac_bits", 1, 40)
    d["out_exp"] = c.check_exp("out_exp")
    if official:
        c.check_exp("prob_frac", 1, 60)
        c.check_exp("multiplier", 1, MAX_MULTIPLIER)
        c.check_exp("shift", 0, MAX_OFFICIAL_SHIFT)
    d["counts"] = True


def _pv_matmul(c, d):
    """Checks a pv_matmul op."""
    op = c.op
    official = c.official
    c.want_inputs(2)
    pr, v = c.producer(0), c.producer(1)
    if pr["type"] != "ptsoftmax":
        c.fail("inputs", "pv_matmul's first input must be a ptsoftmax op")
    c.need_counts(v, True)
    if op["heads"] < 1 or op["heads"] > ARCH_LIMITS["heads"][1]:
        c.fail("heads", "%d is out of range [1, %d]"
               % (op["heads"], ARCH_LIMITS["heads"][1]))
    if op["heads"] != pr["heads"] or v["features"] != pr["features"]:
        c.fail("heads", "heads/features differ from the attention probabilities'")
    d["out_exp"] = c.check_exp("out_exp")
    if official:
        c.check_exp("prob_step", 1, MAX_MULTIPLIER)
    elif op["out_exp"] != pr["out_exp"] + v["out_exp"]:
        c.fail("out_exp", "must equal probs exponent + v exponent = %d"
               % (pr["out_exp"] + v["out_exp"]))
    d["features"] = v["features"]
    d["heads"] = op["heads"]


def _residual_add(c, d):
    """Checks a residual_add op."""
    op = c.op
    official = c.official
    c.want_inputs(2)
    acc, res = c.producer(0), c.producer(1)
    if acc["type"] != "binary_linear":
        c.fail("inputs", "residual_add's first input must be a binary_linear op")
    c.not_counts(res, "residual_add's second input must be an integer hidden state")
    if acc["features"] != res["features"]:
        c.fail("inputs", "feature counts differ: %d vs %d"
               % (acc["features"], res["features"]))
    d["features"] = acc["features"]
    if official:
        d["out_exp"] = c.check_exp("out_exp")
        if not 0 <= res["out_exp"] - op["out_exp"] <= 30:
            c.fail("out_exp", "must be at most 30 below the residual's exponent %d and "
                   "not above it" % res["out_exp"])
        c.check_exp("multiplier", 1, MAX_MULTIPLIER)
        c.check_exp("shift", -30, MAX_OFFICIAL_SHIFT)
        c.tensor("bias", "I64", [d["features"]], -MAX_WIDE, MAX_WIDE)
        return
    if abs(acc["out_exp"] - res["out_exp"]) > 16:
        c.fail("inputs", "accumulator and residual exponents differ by more than 16")
    d["out_exp"] = c.check_exp("out_exp")
    if op["out_exp"] != min(acc["out_exp"], res["out_exp"]):
        c.fail("out_exp", "must equal min(accumulator, residual exponent) = %d"
               % min(acc["out_exp"], res["out_exp"]))
    c.tensor("bias", "I32", [d["features"]])


def _select_cls(c, d):
    """Checks a select_cls op."""
    c.want_inputs(1)
    p = c.producer(0)
    c.not_counts(p, "select_cls takes an integer hidden state")
    d["features"] = p["features"]
    d["out_exp"] = p["out_exp"]


OP_CHECKS = {
    "embedding": _embedding,
    "bspn": _bspn,
    "fire": _fire,
    "requant": _requant,
    "binary_linear": _linear,
    "int_linear": _linear,
    "qk_scores": _qk_scores,
    "ptsoftmax": _ptsoftmax,
    "pv_matmul": _pv_matmul,
    "residual_add": _residual_add,
    "select_cls": _select_cls,
}
