# SPDX-License-Identifier: Apache-2.0
"""Official Sorbet checkpoint -> Granita model package of the `hardware` numerics profile
(docs/numerics.md §0-§9, package version 1): the official student mapped onto the hardware op set
as faithfully as that profile allows.

The hardware profile has powers of two everywhere, shifts only, half-up rounding and no tensor
minima, so (every item is also a line of the package card, see `divergences`):
* every learnt step alpha (used as max(alpha, 1e-5)) becomes 2^round(log2 alpha) and every BWN
  scale mean|W| becomes 2^round(log2 mean|W|) (log2 rounded half up, as export.py's bwn_params);
* Q, K and V keep separate input quantizers: three `fire` ops read the same hidden state;
* the word table is binarised with ONE power-of-two scale (mean|W| of the whole table, snapped);
  the position and token-type tables become int8 with their own exponents;
* the embedding LayerNorm becomes a hardware BSPN (§6) with gamma = the LayerNorm weight snapped to
  a signed power of two and beta = the LayerNorm bias;
* the two BSPNs per layer are hardware BSPNs with the official snapped factor
  weight/sqrt(running_phi + 1e-5) and the official bias on a fine grid;
* the learnt probability step is snapped and used as ptsoftmax out_exp (no tensor minimum);
* the FFN-down input is an unsigned fire directly on the FFN-up accumulator (its clamp at 0 is the
  ReLU); the official move after the ReLU and the tensor-wide minimum are not representable and are
  dropped from the quantizer. The move's data-independent linear effect, beta_down * W_sign @ move,
  is folded into the FFN-down residual bias (FOLD_FFN_MOVE);
* the pooler output becomes a 4-bit unsigned fire whose step is calibrated on random token
  sequences with the official float forward (4 * mean / sqrt(15), snapped);
* the float classifier becomes int8 with a power-of-two scale, as export.py.

Fire bias folding as export.py: B = round_half_up((bias + move) * 2^-in_exp) + (s > 0 ? 2^(s-1) : 0),
residual bias B = round_half_up(bias * 2^-acc_exp).
"""
import math

import numpy as np
import torch

from . import glue
from . import official as off
from . import package as pkgmod

HIDDEN_EXP = -16        # grid of every BSPN output (the hidden state)
SOFTMAX_FRAC = 16       # PTsoftmax fraction bits (the hardware default, §4)
POOL_CALIB_SENTENCES = 32
POOL_CALIB_SEED = 12345
FOLD_FFN_MOVE = True    # fold W_down @ move_down (times beta_down) into the FFN-down residual bias
BITS = 4


class ImportError_(ValueError):
    """A checkpoint value the hardware package cannot hold (named)."""


def round_half_up(x):
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5)


def pow2_exp(x):
    """round(log2 x), half up: the exponent of the power of two a positive scale is snapped to."""
    if not (x > 0 and math.isfinite(x)):
        raise ImportError_("cannot snap %r to a power of two" % (x,))
    return int(math.floor(math.log2(x) + 0.5))


def f64(t):
    return t.detach().double().numpy() if torch.is_tensor(t) else np.asarray(t, dtype=np.float64)


def on_grid(x, exp, what, limit=(1 << 31) - 1):
    v = round_half_up(np.asarray(x, dtype=np.float64) * 2.0 ** (-exp))
    if v.size and np.abs(v).max() > limit:
        raise ImportError_("%s: a value (max |x| = %g) does not fit 32 bits on the 2^%d grid"
                           % (what, float(np.abs(np.asarray(x, dtype=np.float64)).max()), exp))
    return v.astype(np.int64)


def pool_step(sd, cfg, n=POOL_CALIB_SENTENCES, seed=POOL_CALIB_SEED, max_len=40):
    """The pooler-output step: 4*mean(pooler output)/sqrt(15) over n random token sequences run
    through the official float forward (the official unsigned AlphaInit rule). Returns (step,
    mean)."""
    g = torch.Generator().manual_seed(seed)
    hi = min(max_len, cfg["max_position_embeddings"])
    vals = []
    for _ in range(n):
        ids = off.random_sentence(g, cfg["vocab_size"], hi, min(8, hi))
        trace = {}
        off.official_forward(sd, cfg, ids, trace=trace)
        vals.append(trace["pooler"].reshape(-1))
    mean = float(torch.cat(vals).abs().mean())
    if not mean > 0:
        mean = 1.0
    return 4.0 * mean / math.sqrt(15.0), mean


class _Builder:
    def __init__(self, sd, cfg):
        self.sd, self.cfg = sd, cfg
        self.ops, self.tensors = [], {}
        self.snaps = []          # (site, float, exponent)
        self.ties = []

    def add(self, op, **tensors):
        self.ops.append(op)
        for role, arr in tensors.items():
            self.tensors[op["name"] + "." + role] = arr
        return op["name"]

    def alpha_exp(self, key, site=None):
        a = max(float(self.sd[key]), off.ALPHA_EPS)
        e = pow2_exp(a)
        self.snaps.append((site or key, "step", a, e))
        return e

    def fire(self, name, inp, in_exp, out_exp, bias, offset, features):
        s = out_exp - in_exp
        if not -30 <= s <= 30:
            raise ImportError_("%s: step 2^%d on an input grid 2^%d needs a shift of %d, outside "
                               "[-30, 30]" % (name, out_exp, in_exp, s))
        B = np.zeros(features, np.int64) if bias is None else on_grid(bias, in_exp, name + ".bias")
        if s > 0:
            B = B + (1 << (s - 1))
        if np.abs(B).max(initial=0) > (1 << 31) - 1:
            raise ImportError_("%s: bias does not fit 32 bits" % name)
        self.add({"name": name, "type": "fire", "inputs": [inp], "in_exp": in_exp, "shift": s,
                  "out_exp": out_exp, "offset": offset, "features": features},
                 bias=B.astype(np.int32))
        return out_exp

    def binary(self, name, inp, in_exp, key):
        w = self.sd[key + ".weight"]
        signs = torch.sign(w - w.mean())
        ties = int((signs == 0).sum())
        if ties:
            self.ties.append("%s: %d weights equal the matrix mean (official 0, package +1)"
                             % (key, ties))
        beta = float(w.abs().sum() / w.numel())
        we = pow2_exp(beta)
        self.snaps.append((key, "BWN scale", beta, we))
        s = np.where(signs.numpy() >= 0, 1, -1).astype(np.int8)
        out_f, in_f = w.shape
        self.add({"name": name, "type": "binary_linear", "inputs": [inp], "in_features": in_f,
                  "out_features": out_f, "in_exp": in_exp, "weight_exp": we,
                  "out_exp": in_exp + we}, weight=pkgmod.pack_bits(s))
        return in_exp + we, s, we

    def residual(self, name, acc, acc_exp, res, res_exp, bias):
        if abs(acc_exp - res_exp) > 16:
            raise ImportError_("%s: accumulator grid 2^%d and hidden grid 2^%d differ by more than "
                               "16" % (name, acc_exp, res_exp))
        self.add({"name": name, "type": "residual_add", "inputs": [acc, res],
                  "out_exp": min(acc_exp, res_exp)},
                 bias=on_grid(bias, acc_exp, name + ".bias").astype(np.int32))
        return min(acc_exp, res_exp)

    def bspn(self, name, inp, in_exp, group, factor, beta, what):
        """factor: float per-channel gamma to snap to a signed power of two (half to even on
        log2, as the official BSPN weight); beta: float per-channel bias."""
        fac = np.asarray(factor, dtype=np.float64)
        sign = np.sign(fac).astype(np.int8)
        ex = np.where(fac != 0, np.log2(np.abs(fac) + (fac == 0)), 0.0)
        ex = np.round(ex).astype(np.int64)
        clamped = int(((ex < -24) | (ex > 24)).sum())
        if clamped:
            self.ties.append("%s: %d BSPN factors outside 2^±24 clamped" % (what, clamped))
        beta = np.asarray(beta, dtype=np.float64)
        bmax = float(np.abs(beta).max()) if beta.size else 0.0
        beta_exp = int(min(8, max(-40, (math.ceil(math.log2(bmax)) if bmax > 0 else 0) - 30)))
        self.add({"name": name, "type": "bspn", "inputs": [inp], "in_exp": in_exp, "group": group,
                  "beta_exp": beta_exp, "out_exp": HIDDEN_EXP},
                 gamma_sign=sign, gamma_exp=np.clip(ex, -24, 24).astype(np.int8),
                 beta=on_grid(beta, beta_exp, what + ".bias").astype(np.int32))
        return HIDDEN_EXP


def _int8_table(x, what):
    x = np.asarray(x, dtype=np.float64)
    mx = float(np.abs(x).max()) if x.size else 0.0
    e = math.ceil(math.log2(mx / 127.0)) if mx > 0 else -8
    return e


def build(sd, cfg, max_seq_len, pool_calib=POOL_CALIB_SENTENCES):
    """-> (ops, tensors, info) where info holds what the card reports."""
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    inter, nl = cfg["intermediate_size"], cfg["num_labels"]
    dh = H // nh
    if cfg["hidden_act"] != "relu":
        raise ImportError_("config.json: hidden_act = %r: the hardware FFN implements relu only "
                           "(the clamp at 0 of an unsigned fire)" % cfg["hidden_act"])
    if max_seq_len > cfg["max_position_embeddings"]:
        raise ImportError_("--max-seq-len %d exceeds the checkpoint's max_position_embeddings %d"
                           % (max_seq_len, cfg["max_position_embeddings"]))
    if dh & (dh - 1) or dh > 256:
        raise ImportError_("head dimension %d: the hardware BSPN needs a power-of-two group of at "
                           "most 256 channels" % dh)
    b = _Builder(sd, cfg)
    info = {}
    eh = HIDDEN_EXP

    # Embedding: one power-of-two word scale, int8 position / type tables.
    p = "bert.embeddings."
    w = sd[p + "word_embeddings.weight"]
    signs = torch.sign(w - w.mean())
    if int((signs == 0).sum()):
        b.ties.append("word embedding: %d entries equal the table mean (official 0, package +1)"
                      % int((signs == 0).sum()))
    wscale = float(w.abs().sum() / w.numel())
    we = pow2_exp(wscale)
    b.snaps.append(("word_embeddings", "BWN scale (one for the table)", wscale, we))
    rows = (w.abs().sum(dim=1) / w.shape[1]).double()
    info["word_rows"] = (float(rows.min()), float(rows.max()))
    pos = f64(sd[p + "position_embeddings.weight"][:max_seq_len])
    typ = f64(sd[p + "token_type_embeddings.weight"])
    pe, te = _int8_table(pos, "position table"), _int8_table(typ, "token type table")
    lo = max(we, pe, te) - 16       # the reader's limit: exponents at most 16 apart
    pe, te = max(pe, lo), max(te, lo)
    we = max(we, lo)
    p8 = np.clip(round_half_up(pos * 2.0 ** -pe), -128, 127).astype(np.int8)
    t8 = np.clip(round_half_up(typ * 2.0 ** -te), -128, 127).astype(np.int8)
    info.update(word_exp=we, pos_exp=pe, type_exp=te)
    b.add({"name": "embed", "type": "embedding", "inputs": ["tokens"], "word_exp": we,
           "pos_exp": pe, "type_exp": te},
          word=pkgmod.pack_bits(np.where(signs.numpy() >= 0, 1, -1).astype(np.int8)),
          pos=p8, type=t8)
    e_emb = min(we, pe, te)
    b.bspn("embed.norm", "embed", e_emb, dh, f64(sd[p + "LayerNorm.weight"]),
           f64(sd[p + "LayerNorm.bias"]), "bert.embeddings.LayerNorm")
    h = "embed.norm"

    log2_sqrt_dh = math.log2(dh) / 2
    sqrt_exp = int(math.floor(log2_sqrt_dh + 0.5))
    info["attn_scale_exact"] = (sqrt_exp == log2_sqrt_dh)
    info["dh"] = dh
    move_fold = []
    for l in range(cfg["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % l
        n = "layers.%d." % l
        a = p + "attention.self."
        fe = {}
        for site, short in (("query", "q"), ("key", "k"), ("value", "v")):
            key = a + site
            ai = b.alpha_exp(key + ".input_clip_val")
            b.fire(n + "attn.%s.in" % short, h, eh, ai, f64(sd[key + ".move.bias"]), 8, H)
            acc_exp, _, _ = b.binary(n + "attn." + short, n + "attn.%s.in" % short, ai, key)
            fe[short] = b.alpha_exp(a + "clip_" + site)
            b.fire(n + "attn.%s.fire" % short, n + "attn." + short, acc_exp, fe[short],
                   f64(sd[key + ".bias"]), 8, H)
        b.add({"name": n + "attn.scores", "type": "qk_scores",
               "inputs": [n + "attn.q.fire", n + "attn.k.fire"], "heads": nh,
               "score_shift": sqrt_exp - (fe["q"] + fe["k"])})
        p_exp = b.alpha_exp(a + "clip_attn")
        b.add({"name": n + "attn.softmax", "type": "ptsoftmax", "inputs": [n + "attn.scores"],
               "frac_bits": SOFTMAX_FRAC, "out_exp": p_exp})
        ctx_exp = p_exp + fe["v"]
        b.add({"name": n + "attn.context", "type": "pv_matmul",
               "inputs": [n + "attn.softmax", n + "attn.v.fire"], "heads": nh,
               "out_exp": ctx_exp})
        key = p + "attention.output.dense"
        ao = b.alpha_exp(key + ".input_clip_val")
        b.fire(n + "attn.out.in", n + "attn.context", ctx_exp, ao, f64(sd[key + ".move.bias"]),
               8, H)
        acc_exp, _, _ = b.binary(n + "attn.out", n + "attn.out.in", ao, key)
        r_exp = b.residual(n + "attn.residual", n + "attn.out", acc_exp, h, eh,
                           f64(sd[key + ".bias"]))
        lnk = p + "attention.output.LayerNorm"
        b.bspn(n + "attn.norm", n + "attn.residual", r_exp, dh,
               f64(off.bspn_weight(sd[lnk + ".weight"], sd[lnk + ".running_phi"])),
               f64(sd[lnk + ".bias"]), lnk)
        h = n + "attn.norm"

        key = p + "intermediate.dense"
        af = b.alpha_exp(key + ".input_clip_val")
        b.fire(n + "ffn.in", h, eh, af, f64(sd[key + ".move.bias"]), 8, H)
        up_exp, _, _ = b.binary(n + "ffn.up", n + "ffn.in", af, key)
        dkey = p + "output.dense"
        ad = b.alpha_exp(dkey + ".input_clip_val")
        # relu(W x + b) quantized unsigned: the clamp at 0 is the ReLU; move and minimum dropped
        b.fire(n + "ffn.down.in", n + "ffn.up", up_exp, ad, f64(sd[key + ".bias"]), 0, inter)
        down_exp, dsigns, dwe = b.binary(n + "ffn.down", n + "ffn.down.in", ad, dkey)
        dbias = f64(sd[dkey + ".bias"])
        if FOLD_FFN_MOVE:
            fold = 2.0 ** dwe * (dsigns.astype(np.float64) @ f64(sd[dkey + ".move.bias"]))
            move_fold.append(float(np.abs(fold).max()))
            dbias = dbias + fold
        r2 = b.residual(n + "ffn.residual", n + "ffn.down", down_exp, h, eh, dbias)
        lnk = p + "output.LayerNorm2"
        b.bspn(n + "ffn.norm", n + "ffn.residual", r2, dh,
               f64(off.bspn_weight(sd[lnk + ".weight"], sd[lnk + ".running_phi"])),
               f64(sd[lnk + ".bias"]), lnk)
        h = n + "ffn.norm"
    info["move_fold"] = move_fold

    b.add({"name": "pool.cls", "type": "select_cls", "inputs": [h]})
    key = "bert.pooler.dense"
    ap = b.alpha_exp(key + ".input_clip_val")
    b.fire("pool.in", "pool.cls", eh, ap, f64(sd[key + ".move.bias"]), 8, H)
    d_exp, _, _ = b.binary("pool.dense", "pool.in", ap, key)
    step, mean = pool_step(sd, cfg, pool_calib)
    a_act = pow2_exp(step)
    b.snaps.append(("pooler output (calibrated)", "step", step, a_act))
    info.update(pool_step=step, pool_mean=mean, pool_exp=a_act, pool_calib=pool_calib)
    b.fire("pool.act", "pool.dense", d_exp, a_act, f64(sd[key + ".bias"]), 0, H)
    cw = f64(sd["classifier.weight"])
    mx = float(np.abs(cw).max())
    cwe = math.ceil(math.log2(mx / 127.0)) if mx > 0 else 0
    q = np.clip(round_half_up(cw * 2.0 ** -cwe), -127, 127).astype(np.int8)
    c_out = a_act + cwe
    info["cls_exp"] = cwe
    b.add({"name": "classifier", "type": "int_linear", "inputs": ["pool.act"],
           "in_features": H, "out_features": nl, "in_exp": a_act, "weight_exp": cwe,
           "out_exp": c_out},
          weight=q, bias=on_grid(f64(sd["classifier.bias"]), c_out, "classifier.bias")
          .astype(np.int32))
    info["snaps"] = b.snaps
    info["ties"] = b.ties
    return b.ops, b.tensors, info


def divergences(info):
    """One line per divergence from the official eval forward that the hardware mapping
    introduces (the package card lists them)."""
    st = [s for s in info["snaps"] if s[1] == "step" and not s[0].startswith("pooler output")]
    bw = [s for s in info["snaps"] if s[1] != "step"]

    def worst(lst):
        return max((abs(math.log2(v) - e) for _, _, v, e in lst), default=0.0)

    out = [
        "Steps: every learnt step alpha (%d sites, used as max(alpha, 1e-5)) is snapped to "
        "2^round(log2 alpha) (largest change a factor 2^%.2f; D10)." % (len(st), worst(st)),
        "BWN scales: every mean|W| (%d matrices and the word table) is snapped to 2^round(log2 "
        "mean|W|) (largest change a factor 2^%.2f)." % (len(bw), worst(bw)),
        "Word embedding: one power-of-two scale 2^%d for the whole table instead of the official "
        "per-row mean|W_r| (rows range %.4g to %.4g; D8)."
        % (info["word_exp"], info["word_rows"][0], info["word_rows"][1]),
        "Position and token-type tables: int8 with exponents 2^%d and 2^%d instead of float (D15)."
        % (info["pos_exp"], info["type_exp"]),
        "Embedding LayerNorm replaced by a hardware BSPN (D9): gamma = the LayerNorm weight snapped "
        "to a signed power of two, beta = the LayerNorm bias; no mean subtraction, division by "
        "the per-head group's power-of-two scale instead of the standard deviation, output "
        "snapped to a power of two.",
        "Rounding: every quantizer rounds half up, not half to even (D1).",
        "Grids: moves and biases are rounded to the quantizer's input grid (fire) or the "
        "accumulator grid (residual); BSPN biases to a 2^-30-relative grid; the hidden state is "
        "signed powers of two on 2^%d (flushed below, saturated 30 above: D19)." % HIDDEN_EXP,
        "BSPN: group divisor 2^(floor(log2 mean)+1) and the exact sqrt(2) snap instead of the "
        "float32 ones; factor exponents clamped to [-24, 24] (D2, D3, D4).",
        "Attention probabilities: no tensor-wide minimum is subtracted, the learnt step is "
        "snapped and used as ptsoftmax out_exp (D12, D16); PTsoftmax terms more than %d powers "
        "of two below the row maximum are dropped (D21)." % SOFTMAX_FRAC,
        "FFN-down input: an unsigned fire directly on the FFN-up accumulator (its clamp at 0 is "
        "the ReLU); the official move after the ReLU and the tensor-wide minimum (with the raw "
        "minimum added back) cannot be represented and are dropped from the quantizer (D11)%s."
        % ("; the move's data-independent linear effect beta_down * sign(W_down) @ move is "
           "folded into the FFN-down residual bias (largest |fold| %.3g), the clamp at 15 and "
           "rounding position still differ" % max(info["move_fold"] or [0.0])
           if FOLD_FFN_MOVE else ""),
        "Pooler output: a 4-bit unsigned fire (officially unquantized float) with step 2^%d, "
        "from 4*mean/sqrt(15) = %.4g (mean pooler output %.4g over %d random token sequences "
        "through the official float forward) snapped (D14)."
        % (info["pool_exp"], info["pool_step"], info["pool_mean"], info["pool_calib"]),
        "Classifier: int8 weights with the power-of-two scale 2^%d = 2^ceil(log2(max|W|/127)) "
        "and the bias on the logit grid, instead of float (D14)." % info["cls_exp"],
    ]
    if not info["attn_scale_exact"]:
        out.append("Attention scale: 1/sqrt(%d) is not a power of two; snapped to 2^-%d."
                   % (info["dh"], int(math.floor(math.log2(info["dh"]) / 2 + 0.5))))
    out += info["ties"]
    return out


def snap_table(info):
    return "".join("| %s | %s | %.6g | 2^%d |\n" % (site, kind, v, e)
                   for site, kind, v, e in info["snaps"])


CARD = """# {name}

Imported from an official Sorbet checkpoint by `scripts/import-sorbet --profile hardware`
(Granita), numerics profile **hardware** (docs/numerics.md §0-§9, package version 1): the official
student mapped onto the hardware op set (powers of two everywhere, shifts only, half-up rounding, no
tensor minima) as faithfully as that profile allows. It approximates the official eval forward;
it does not reproduce it.

* checkpoint: `{ckpt}` ({layers} layers, hidden {hidden}, {heads} heads, FFN {ffn}, {labels} label(s))
* task: {task}; max_seq_len {seq} (the checkpoint has {maxpos} positions)
* Q, K and V keep separate input quantizers (three fires read the same hidden state); the two
  BSPNs per layer use the official snapped factor weight/sqrt(running_phi + 1e-5) and bias

## Divergences from the official eval forward (one line each)

{notes}
## What was snapped (value -> power of two, log2 rounded)

| site | what | official value | package |
|---|---|---|---|
{snaps}
Measure what these change with `scripts/sorbet-conformance`.
"""


def card(pkg, info, cfg, ckpt):
    """The package card: profile, divergences (one line each) and the table of snapped values."""
    c = pkg.arch
    return CARD.format(name=pkg.name, ckpt=ckpt, layers=c["layers"], hidden=c["hidden"],
                       heads=c["heads"], ffn=c["ffn"], labels=len(pkg.labels), task=pkg.task,
                       seq=c["max_seq_len"], maxpos=cfg["max_position_embeddings"],
                       notes="".join("* %s\n" % n for n in divergences(info)),
                       snaps=snap_table(info))


def import_checkpoint(ckpt_dir, task, max_seq_len=128, name=None, pool_calib=POOL_CALIB_SENTENCES):
    """-> (Package (not yet written), info, cfg). Raises CheckpointError / ImportError_."""
    sd, cfg = off.load_official_checkpoint(ckpt_dir)
    tinfo = glue.task_info(task)
    if cfg["num_labels"] != tinfo.num_labels:
        raise ImportError_("config.json: num_labels = %d, but %s has %d label(s)"
                           % (cfg["num_labels"], tinfo.name, tinfo.num_labels))
    with torch.no_grad():
        ops, tensors, info = build(sd, cfg, max_seq_len, pool_calib)
    arch = {"layers": cfg["num_hidden_layers"], "hidden": cfg["hidden_size"],
            "heads": cfg["num_attention_heads"], "ffn": cfg["intermediate_size"],
            "max_seq_len": max_seq_len, "vocab_size": cfg["vocab_size"],
            "type_vocab_size": cfg["type_vocab_size"], "bits": BITS, "time_steps": 16}
    pkg = pkgmod.Package(name or "official-hw-" + tinfo.name.lower(), tinfo.name, tinfo.labels,
                         arch, ops, tensors, version=pkgmod.HARDWARE_VERSION, profile="hardware")
    pkgmod.validate(pkg)
    return pkg, info, cfg
