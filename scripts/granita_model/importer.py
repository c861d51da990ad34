# SPDX-License-Identifier: Apache-2.0
"""Official Sorbet checkpoint -> Granita model package of the `official` numerics profile
(docs/numerics.md §10, docs/model-format.md version 2).

Every parameter of the official student is used the way the official eval forward uses it
(SORBET-OFFICIAL.md): per-site steps alpha = max(alpha, 1e-5) and moves, separate Q/K/V input
quantizers and the second Q/K/V quantizers, the learnt probability step, the FFN-down move and its
tensor-wide minimum rule, per-row word-embedding scales, float position/type tables and the
embedding LayerNorm, BSPN running statistics, the unquantized pooler output and the float
classifier. Float factors become fixed-point multipliers of MULT_BITS significant bits (the
precision of a float32 significand); values become integers on the grids below. Nothing is snapped
to a power of two that the official code does not snap itself.
"""
import math

import numpy as np
import torch

from . import glue
from . import official as off
from . import package as pkgmod

MULT_BITS = 24        # significant bits of every fixed-point multiplier (float32 has 24)
HIDDEN_EXP = -20      # grid of the hidden state (embedding LayerNorm and BSPN outputs)
RESIDUAL_EXP = -20    # grid of the residual sums that BSPN normalises
EMBED_EXP = -24       # grid of the word scales and position / type tables
LN_EXP = -24          # grid of the embedding LayerNorm weight
ACT_EXP = -24         # grid of the FFN activation (relu + move) and of the pooler output
PROB_FRAC = 32        # attention probabilities and their minimum on the 2^-32 grid
SOFTMAX_FRAC = 30     # fraction bits of the PTsoftmax partition sum


class ImportError_(ValueError):
    """A checkpoint value the integer package cannot hold (named), or a config it cannot honour."""


def fixed(ratio, what):
    """(M, s) with M = round(ratio * 2^s) holding MULT_BITS significant bits: ratio ≈ M / 2^s."""
    if not (ratio > 0 and math.isfinite(ratio)):
        raise ImportError_("%s: factor %r is not a positive finite number" % (what, ratio))
    s = MULT_BITS - 1 - math.floor(math.log2(ratio))
    m = round(ratio * 2.0 ** s)
    if m >= 1 << MULT_BITS:       # rounding carried into the next power of two
        m //= 2
        s -= 1
    if not -30 <= s <= pkgmod.MAX_OFFICIAL_SHIFT:
        raise ImportError_("%s: factor %g needs a shift of %d, outside [-30, %d]"
                           % (what, ratio, s, pkgmod.MAX_OFFICIAL_SHIFT))
    return m, s


def on_grid(x, exp, what, limit):
    """round(x * 2^-exp) (half to even) as int64; InputError-style message when out of range."""
    v = np.round(np.asarray(x, dtype=np.float64) * 2.0 ** (-exp))
    if v.size and np.abs(v).max() > limit:
        raise ImportError_("%s: a value (max |x| = %g) does not fit the 2^%d grid"
                           % (what, float(np.abs(np.asarray(x, dtype=np.float64)).max()), exp))
    return v.astype(np.int64)


def f64(t):
    return t.detach().double().numpy() if torch.is_tensor(t) else np.asarray(t, dtype=np.float64)


def alpha(sd, key):
    return max(float(sd[key]), off.ALPHA_EPS)


class _Builder:
    def __init__(self, sd, cfg, notes):
        self.sd, self.cfg, self.notes = sd, cfg, notes
        self.ops, self.tensors = [], {}

    def add(self, op, **tensors):
        self.ops.append(op)
        for role, arr in tensors.items():
            self.tensors[op["name"] + "." + role] = arr
        return op["name"]

    def binary(self, name, inp, key, in_f, out_f, in_step=1):
        w = self.sd[key + ".weight"]
        e = w.mean()
        signs = torch.sign(w - e)
        ties = int((signs == 0).sum())
        if ties:
            self.notes.append("%s: %d weights equal the matrix mean; the official BWN gives them 0, "
                              "the package +1" % (key, ties))
        beta = float(w.abs().sum() / w.numel())
        packed = pkgmod.pack_bits(np.where(signs.numpy() >= 0, 1, -1).astype(np.int8))
        self.add({"name": name, "type": "binary_linear", "inputs": [inp], "in_features": in_f,
                  "out_features": out_f, "in_exp": 0, "weight_exp": 0, "out_exp": 0,
                  "in_step": in_step}, weight=packed)
        return name, beta

    def signed_fire(self, name, inp, in_scale, step, move, bias, features):
        """c = clamp(round((x*in_scale + move + bias)/step), -8, 7) + 8 for x on the input grid."""
        m, s = fixed(in_scale / step, name)
        b = on_grid((f64(move) + f64(bias)) / step, -s, name + ".bias", pkgmod.MAX_WIDE)
        return self.add({"name": name, "type": "fire", "inputs": [inp], "in_exp": 0,
                         "multiplier": m, "shift": s, "rounding": "half_even", "min_rule": "none",
                         "out_exp": 0, "offset": 8, "features": features}, bias=b)


def build(sd, cfg, task, max_seq_len, notes):
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    inter, nl = cfg["intermediate_size"], cfg["num_labels"]
    dh = H // nh
    if cfg["hidden_act"] != "relu":
        raise ImportError_("config.json: hidden_act = %r: the integer FFN implements the official "
                           "student's relu only" % cfg["hidden_act"])
    if max_seq_len > cfg["max_position_embeddings"]:
        raise ImportError_("--max-seq-len %d exceeds the checkpoint's max_position_embeddings %d"
                           % (max_seq_len, cfg["max_position_embeddings"]))
    b = _Builder(sd, cfg, notes)
    zeros = lambda n: np.zeros(n)

    # Embedding: BWN word rows (sign around the global mean, per-row or one scale), float tables.
    p = "bert.embeddings."
    w = sd[p + "word_embeddings.weight"]
    signs = torch.sign(w - w.mean())
    if int((signs == 0).sum()):
        notes.append("word embedding: %d entries equal the table mean (official 0, package +1)"
                     % int((signs == 0).sum()))
    if cfg["embed_layerwise"]:
        scale = (w.abs().sum() / w.numel()).expand(w.shape[0])
    else:
        scale = w.abs().sum(dim=1) / w.shape[1]
    lim30 = 1 << 30
    emb = b.add({"name": "embed", "type": "embedding", "inputs": ["tokens"],
                 "word_exp": EMBED_EXP, "pos_exp": EMBED_EXP, "type_exp": EMBED_EXP,
                 "norm": "layernorm", "ln_exp": LN_EXP, "out_exp": HIDDEN_EXP},
                word=pkgmod.pack_bits(np.where(signs.numpy() >= 0, 1, -1).astype(np.int8)),
                word_scale=on_grid(f64(scale), EMBED_EXP, "word scale", lim30).astype(np.int32),
                pos=on_grid(f64(sd[p + "position_embeddings.weight"][:max_seq_len]), EMBED_EXP,
                            "position table", lim30).astype(np.int32),
                type=on_grid(f64(sd[p + "token_type_embeddings.weight"]), EMBED_EXP,
                             "token type table", lim30).astype(np.int32),
                ln_gamma=on_grid(f64(sd[p + "LayerNorm.weight"]), LN_EXP, "LayerNorm weight",
                                 lim30).astype(np.int32),
                ln_beta=on_grid(f64(sd[p + "LayerNorm.bias"]), HIDDEN_EXP, "LayerNorm bias",
                                lim30).astype(np.int32))
    h = emb
    hs = 2.0 ** HIDDEN_EXP

    def bspn(name, inp, key):
        wt = off.bspn_weight(sd[key + ".weight"], sd[key + ".running_phi"])
        sign = torch.sign(wt).numpy().astype(np.int8)
        ex = np.where(wt.numpy() != 0, np.log2(np.abs(wt.numpy()) + (wt.numpy() == 0)), 0)
        ex = np.round(ex).astype(np.int64)
        clamped = int(((ex < -24) | (ex > 24)).sum())
        if clamped:
            notes.append("%s: %d BSPN factors outside 2^±24 clamped" % (key, clamped))
        beta = f64(sd[key + ".bias"])
        bmax = float(np.abs(beta).max()) if beta.size else 0.0
        beta_exp = int(min(8, max(-40, (math.ceil(math.log2(bmax)) if bmax > 0 else 0) - 30)))
        return b.add({"name": name, "type": "bspn", "inputs": [inp], "in_exp": RESIDUAL_EXP,
                      "group": H // nh, "beta_exp": beta_exp, "out_exp": HIDDEN_EXP},
                     gamma_sign=sign, gamma_exp=np.clip(ex, -24, 24).astype(np.int8),
                     beta=on_grid(beta, beta_exp, key + ".bias", (1 << 31) - 1).astype(np.int32))

    def residual(name, acc, res, scale, bias):
        m, s = fixed(scale * 2.0 ** -RESIDUAL_EXP, name)
        return b.add({"name": name, "type": "residual_add", "inputs": [acc, res],
                      "out_exp": RESIDUAL_EXP, "multiplier": m, "shift": s,
                      "rounding": "half_even"},
                     bias=on_grid(f64(bias) * 2.0 ** -RESIDUAL_EXP, -s, name + ".bias",
                                  pkgmod.MAX_WIDE))

    for l in range(cfg["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % l
        n = "layers.%d." % l
        a = p + "attention.self."
        fires = {}
        for site, short in (("query", "q"), ("key", "k"), ("value", "v")):
            key = a + site
            al = alpha(sd, key + ".input_clip_val")
            fin = b.signed_fire(n + "attn.%s.in" % short, h, hs, al, sd[key + ".move.bias"],
                                zeros(H), H)
            acc, beta = b.binary(n + "attn." + short, fin, key, H, H)
            a2 = alpha(sd, a + "clip_" + site)
            # second quantizer: round((al*beta*acc + bias) / a2)
            fires[short] = b.signed_fire(n + "attn.%s.fire" % short, acc, al * beta, a2,
                                         zeros(H), sd[key + ".bias"], H)
            fires[short + "_step"] = a2
        m, s = fixed(fires["q_step"] * fires["k_step"] / math.sqrt(dh), n + "attn.scores")
        sc = b.add({"name": n + "attn.scores", "type": "qk_scores",
                    "inputs": [fires["q"], fires["k"]], "heads": nh, "score_shift": s,
                    "multiplier": m})
        ap = alpha(sd, a + "clip_attn")
        m, s = fixed(2.0 ** -PROB_FRAC / ap, n + "attn.softmax")
        sm = b.add({"name": n + "attn.softmax", "type": "ptsoftmax", "inputs": [sc],
                    "frac_bits": SOFTMAX_FRAC, "out_exp": 0, "prob_frac": PROB_FRAC,
                    "multiplier": m, "shift": s})
        ctx = b.add({"name": n + "attn.context", "type": "pv_matmul", "inputs": [sm, fires["v"]],
                     "heads": nh, "out_exp": 0,
                     "prob_step": int(round(ap * 2.0 ** PROB_FRAC))})
        key = p + "attention.output.dense"
        al = alpha(sd, key + ".input_clip_val")
        fin = b.signed_fire(n + "attn.out.in", ctx, fires["v_step"] * 2.0 ** -PROB_FRAC, al,
                            sd[key + ".move.bias"], zeros(H), H)
        acc, beta = b.binary(n + "attn.out", fin, key, H, H)
        r = residual(n + "attn.residual", acc, h, al * beta, sd[key + ".bias"])
        h = bspn(n + "attn.norm", r, p + "attention.output.LayerNorm")

        key = p + "intermediate.dense"
        al = alpha(sd, key + ".input_clip_val")
        fin = b.signed_fire(n + "ffn.in", h, hs, al, sd[key + ".move.bias"], zeros(H), H)
        acc, beta = b.binary(n + "ffn.up", fin, key, H, inter)
        m, s = fixed(al * beta * 2.0 ** -ACT_EXP, n + "ffn.act")
        dkey = p + "output.dense"
        act = b.add({"name": n + "ffn.act", "type": "requant", "inputs": [acc], "in_exp": 0,
                     "multiplier": m, "shift": s, "rounding": "half_even", "relu": True,
                     "out_exp": ACT_EXP},
                    bias=on_grid(f64(sd[key + ".bias"]) * 2.0 ** -ACT_EXP, -s, n + "ffn.act.bias",
                                 pkgmod.MAX_WIDE),
                    move=on_grid(f64(sd[dkey + ".move.bias"]), ACT_EXP, dkey + ".move.bias",
                                 pkgmod.MAX_WIDE))
        ad = alpha(sd, dkey + ".input_clip_val")
        m, s = fixed(2.0 ** ACT_EXP / ad, n + "ffn.down.in")
        din = b.add({"name": n + "ffn.down.in", "type": "fire", "inputs": [act], "in_exp": 0,
                     "multiplier": m, "shift": s, "rounding": "half_even",
                     "min_rule": "official", "out_exp": 0, "offset": 0, "features": inter},
                    bias=np.zeros(inter, dtype=np.int64))
        acc, beta = b.binary(n + "ffn.down", din, dkey, inter, H,
                             in_step=int(round(ad * 2.0 ** -ACT_EXP)))
        r = residual(n + "ffn.residual", acc, h, beta * 2.0 ** ACT_EXP, sd[dkey + ".bias"])
        h = bspn(n + "ffn.norm", r, p + "output.LayerNorm2")

    cls = b.add({"name": "pool.cls", "type": "select_cls", "inputs": [h]})
    key = "bert.pooler.dense"
    al = alpha(sd, key + ".input_clip_val")
    fin = b.signed_fire("pool.in", cls, hs, al, sd[key + ".move.bias"], zeros(H), H)
    acc, beta = b.binary("pool.dense", fin, key, H, H)
    m, s = fixed(al * beta * 2.0 ** -ACT_EXP, "pool.act")
    act = b.add({"name": "pool.act", "type": "requant", "inputs": [acc], "in_exp": 0,
                 "multiplier": m, "shift": s, "rounding": "half_even", "relu": True,
                 "out_exp": ACT_EXP},
                bias=on_grid(f64(sd[key + ".bias"]) * 2.0 ** -ACT_EXP, -s, "pool.act.bias",
                             pkgmod.MAX_WIDE),
                move=np.zeros(H, dtype=np.int64))
    cw = f64(sd["classifier.weight"])
    wmax = float(np.abs(cw).max()) or 1.0
    wexp = math.ceil(math.log2(wmax)) - 30
    b.add({"name": "classifier", "type": "int_linear", "inputs": [act], "in_features": H,
           "out_features": nl, "in_exp": ACT_EXP, "weight_exp": wexp,
           "out_exp": ACT_EXP + wexp},
          weight=on_grid(cw, wexp, "classifier.weight", 1 << 30).astype(np.int32),
          bias=on_grid(f64(sd["classifier.bias"]), ACT_EXP + wexp, "classifier.bias",
                       pkgmod.MAX_WIDE))
    return b.ops, b.tensors


def import_checkpoint(ckpt_dir, task, max_seq_len=128, name=None):
    """-> Package (not yet written). Raises CheckpointError / ImportError_ with the key named."""
    sd, cfg = off.load_official_checkpoint(ckpt_dir)
    info = glue.task_info(task)
    if cfg["num_labels"] != info.num_labels:
        raise ImportError_("config.json: num_labels = %d, but %s has %d label(s)"
                           % (cfg["num_labels"], info.name, info.num_labels))
    notes = []
    ops, tensors = build(sd, cfg, info.name, max_seq_len, notes)
    arch = {"layers": cfg["num_hidden_layers"], "hidden": cfg["hidden_size"],
            "heads": cfg["num_attention_heads"], "ffn": cfg["intermediate_size"],
            "max_seq_len": max_seq_len, "vocab_size": cfg["vocab_size"],
            "type_vocab_size": cfg["type_vocab_size"], "bits": 4, "time_steps": 16}
    pkg = pkgmod.Package(name or "official-" + info.name.lower(), info.name, info.labels, arch,
                         ops, tensors, version=pkgmod.FORMAT_VERSION, profile="official")
    return pkg, notes, cfg
