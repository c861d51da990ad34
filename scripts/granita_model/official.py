# SPDX-License-Identifier: Apache-2.0
"""The official Sorbet checkpoint format and inference path, re-implemented from its semantics
(/work/shared/SORBET-OFFICIAL.md): a writer of synthetic checkpoints in exactly the official layout
(``pytorch_model.bin`` + ``config.json`` of the student ``BertForSequenceClassification`` of
``transformer/modeling_bert_quant_snn.py``), a validating reader, and a float32 forward pass equal
to the official EVAL forward at batch 1 without padding.

Contract of the forward: spikes are replaced by their counts (a 16-step IF spike train of a 4-bit
level ``c`` holds exactly ``c`` spikes, and every consumer sums the steps linearly), so integer
levels are computed directly. Products of levels with binary weights are exact; the official code
sums per-time-step float products instead, so the two agree up to float rounding, except that an
exactly integer attention score (a zero Q.K dot product) is ceil'd to 0 here and, about half the
time, to 1 by the official float noise (see ``official_forward``). ``emulate_spikes=True``
reproduces the official summation order (checked: bit-equal logits with the official code on CPU).
Everything else (quantiser inputs, minima, BSPN) uses the same float32 operations in the same order
as the official code, so equal inputs give equal bits there.
"""
import collections
import json
import math
import os
import re

import torch

WEIGHTS_NAME = "pytorch_model.bin"
CONFIG_NAME = "config.json"

#: number of labels of each GLUE task of the official trainer (``utils_glue.processors``)
TASK_LABELS = {"cola": 2, "mnli": 3, "mnli-mm": 3, "mrpc": 2, "sst-2": 2, "sts-b": 1, "qqp": 2,
               "qnli": 2, "rte": 2, "wnli": 2}

#: the quantisation fields the official trainer writes into the student config, with the values of
#: the official student (quant_task_distill_glue.py, run_glue.sh)
QUANT_FIELDS = collections.OrderedDict([
    ("weight_bits", 1), ("input_bits", 4), ("weight_quant_method", "bwn"),
    ("input_quant_method", "elastic"), ("clip_init_val", 2.5), ("learnable_scaling", True),
    ("sym_quant_qkvo", True), ("sym_quant_ffn_attn", False), ("embed_layerwise", False),
    ("weight_layerwise", True), ("input_layerwise", True), ("hidden_act", "relu"),
    ("not_quantize_attention", False)])

SPIKE_STEPS = 16          # T of the IF encoder; 4-bit levels are spike counts 0..15
SIGNED_OFFSET = 8         # signed levels -8..7 are sent as q + 8 spikes
BSPN_EPS = 1e-5           # MaskPowerNorm eps and GroupScaling1D eps
ALPHA_EPS = 1e-5          # step sizes are used as max(alpha, 1e-5)
LN_EPS = 1e-12            # BertLayerNorm of the embeddings


class CheckpointError(ValueError):
    """A checkpoint folder that is not an official Sorbet student checkpoint this code can run."""


# --------------------------------------------------------------------------------------------
# Layout


def _linear_keys(prefix, out_f, in_f):
    return [(prefix + ".weight", (out_f, in_f)), (prefix + ".bias", (out_f,)),
            (prefix + ".input_clip_val", ()), (prefix + ".move.bias", (in_f,))]


def _bspn_keys(prefix, hidden):
    return [(prefix + ".weight", (hidden,)), (prefix + ".bias", (hidden,)),
            (prefix + ".running_phi", (1, hidden, 1, 1)), (prefix + ".ema_gz", (1, hidden, 1, 1)),
            (prefix + ".iters", (1,))]


def official_layout(cfg):
    """[(key, shape)] of the official student state_dict, in the official (state_dict) order."""
    H, I = cfg["hidden_size"], cfg["intermediate_size"]
    keys = [("bert.embeddings.word_embeddings.weight", (cfg["vocab_size"], H)),
            ("bert.embeddings.position_embeddings.weight", (cfg["max_position_embeddings"], H)),
            ("bert.embeddings.token_type_embeddings.weight", (cfg["type_vocab_size"], H)),
            ("bert.embeddings.LayerNorm.weight", (H,)), ("bert.embeddings.LayerNorm.bias", (H,))]
    for l in range(cfg["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % l
        keys += [(p + "attention.self.clip_" + n, ()) for n in ("query", "key", "value", "attn")]
        for n in ("query", "key", "value"):
            keys += _linear_keys(p + "attention.self." + n, H, H)
        keys += [(p + "attention.self.move_%s.bias" % n, (H,)) for n in "qkv"]
        keys += _linear_keys(p + "attention.output.dense", H, H)
        keys += _bspn_keys(p + "attention.output.LayerNorm", H)
        keys += _linear_keys(p + "intermediate.dense", I, H)
        keys += _linear_keys(p + "output.dense", H, I)
        keys += [(p + "output.LayerNorm.weight", (H,)), (p + "output.LayerNorm.bias", (H,))]
        keys += _bspn_keys(p + "output.LayerNorm2", H)
    keys += _linear_keys("bert.pooler.dense", H, H)
    nl = cfg["num_labels"]
    keys += [("classifier.weight", (nl, H)), ("classifier.bias", (nl,))]
    return keys


def official_metadata(cfg):
    """The ``_metadata`` of the official ``state_dict()``: every module prefix, in module order,
    with its version (1), including the parameter-less dropouts, activations and BSPN ``gp``."""
    names = ["", "bert", "bert.embeddings"]
    names += ["bert.embeddings." + n for n in ("word_embeddings", "position_embeddings",
                                               "token_type_embeddings", "LayerNorm", "dropout")]
    names += ["bert.encoder", "bert.encoder.layer"]
    for l in range(cfg["num_hidden_layers"]):
        p = "bert.encoder.layer.%d" % l
        a = p + ".attention.self"
        names += [p, p + ".attention", a]
        for n in ("query", "key", "value"):
            names += [a + "." + n, a + "." + n + ".move"]
        names += [a + ".move_q", a + ".move_k", a + ".move_v", a + ".dropout"]
        o = p + ".attention.output"
        names += [o, o + ".dense", o + ".dense.move", o + ".LayerNorm", o + ".LayerNorm.gp",
                  o + ".dropout"]
        names += [p + ".intermediate", p + ".intermediate.dense", p + ".intermediate.dense.move"]
        o = p + ".output"
        names += [o, o + ".dense", o + ".dense.move", o + ".LayerNorm", o + ".LayerNorm2",
                  o + ".LayerNorm2.gp", o + ".dropout"]
    names += ["bert.pooler", "bert.pooler.dense", "bert.pooler.dense.move",
              "bert.pooler.activation", "dropout", "classifier"]
    return collections.OrderedDict((n, {"version": 1}) for n in names)


def official_config(*, layers, hidden, heads, intermediate, num_labels, vocab_size, max_position,
                    task=None):
    """The config dict the official trainer writes (``BertConfig.to_json_file`` of the student)."""
    cfg = {
        # PretrainedConfig
        "finetuning_task": task, "num_labels": num_labels, "output_attentions": False,
        "output_hidden_states": False, "output_past": True, "torchscript": False,
        "use_bfloat16": False, "pruned_heads": {},
        # BertConfig
        "vocab_size": vocab_size, "hidden_size": hidden, "num_hidden_layers": layers,
        "num_attention_heads": heads, "hidden_act": "relu", "intermediate_size": intermediate,
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": max_position, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
    }
    cfg.update(QUANT_FIELDS)
    return cfg


# --------------------------------------------------------------------------------------------
# Reading


def _check_config(cfg, where):
    def bad(field, why):
        raise CheckpointError("%s: %s = %r: %s" % (where, field, cfg.get(field), why))

    for f in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
              "intermediate_size", "max_position_embeddings", "type_vocab_size", "num_labels",
              "weight_bits", "input_bits", "weight_quant_method", "input_quant_method",
              "sym_quant_qkvo", "sym_quant_ffn_attn", "embed_layerwise", "weight_layerwise",
              "input_layerwise", "hidden_act", "not_quantize_attention", "learnable_scaling"):
        if f not in cfg:
            raise CheckpointError("%s: missing config field '%s'" % (where, f))
    for f in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
              "intermediate_size", "max_position_embeddings", "type_vocab_size", "num_labels"):
        if not isinstance(cfg[f], int) or isinstance(cfg[f], bool) or cfg[f] < 1:
            bad(f, "must be a positive integer")
    if cfg["hidden_size"] % cfg["num_attention_heads"]:
        bad("hidden_size",
            "not a multiple of num_attention_heads = %d" % cfg["num_attention_heads"])
    if cfg["weight_quant_method"] != "bwn":
        bad("weight_quant_method", "unknown weight quantisation method (only 'bwn' is supported)")
    if cfg["weight_bits"] != 1:
        bad("weight_bits", "'bwn' needs weight_bits = 1")
    if cfg["input_quant_method"] != "elastic":
        bad("input_quant_method", "unknown input quantisation method (only 'elastic' is supported)")
    if cfg["input_bits"] != 4:
        bad("input_bits", "the spiking path encodes 4-bit levels as 16-step spike trains; "
            "only input_bits = 4 is supported")
    if cfg["learnable_scaling"] is not True:
        bad("learnable_scaling", "'elastic' needs learnable step sizes (true)")
    if cfg["input_layerwise"] is not True:
        bad("input_layerwise", "the official elastic quantisers implement only true")
    if cfg["sym_quant_qkvo"] is not True:
        bad("sym_quant_qkvo", "the official spiking attention decodes Q/K/V as signed levels; "
            "only true is supported")
    if cfg["sym_quant_ffn_attn"] is not False:
        bad("sym_quant_ffn_attn", "the official spiking attention decodes probabilities as "
            "unsigned levels; only false is supported")
    if cfg["not_quantize_attention"] is not False:
        bad("not_quantize_attention", "the official spiking attention fails without the "
            "probability quantiser; only false is supported")
    for f in ("embed_layerwise", "weight_layerwise"):
        if not isinstance(cfg[f], bool):
            bad(f, "must be true or false")
    if cfg["hidden_act"] not in ("relu", "gelu"):
        bad("hidden_act", "only 'relu' and 'gelu' are supported")


def load_official_checkpoint(directory):
    """Reads an official Sorbet student checkpoint folder. Returns (state_dict, config): every
    tensor float32 (``iters`` stays int64), the config as the JSON dict. Raises CheckpointError
    naming the file and the key for a missing or unexpected key, a wrong shape, or a config the
    official eval path does not support."""
    cpath = os.path.join(directory, CONFIG_NAME)
    wpath = os.path.join(directory, WEIGHTS_NAME)
    try:
        with open(cpath) as f:
            cfg = json.load(f)
    except OSError as e:
        raise CheckpointError("%s: cannot read: %s" % (cpath, e.strerror)) from None
    except ValueError as e:
        raise CheckpointError("%s: not JSON: %s" % (cpath, e)) from None
    if not isinstance(cfg, dict):
        raise CheckpointError("%s: not a JSON object" % cpath)
    _check_config(cfg, cpath)
    try:
        raw = torch.load(wpath, map_location="cpu")
    except OSError as e:
        raise CheckpointError("%s: cannot read: %s" % (wpath, e.strerror)) from None
    except Exception as e:  # torch raises assorted types on a corrupt file
        raise CheckpointError("%s: not a torch state_dict: %s" % (wpath, e)) from None
    if not isinstance(raw, dict):
        raise CheckpointError("%s: not a state_dict (a %s)" % (wpath, type(raw).__name__))
    layout = official_layout(cfg)
    sd = collections.OrderedDict()
    for key, shape in layout:
        if key not in raw:
            raise CheckpointError("%s: missing key '%s'" % (wpath, key))
        t = raw[key]
        if not torch.is_tensor(t):
            raise CheckpointError("%s: key '%s' is not a tensor" % (wpath, key))
        if tuple(t.shape) != shape:
            raise CheckpointError("%s: key '%s' has shape %s, expected %s"
                                  % (wpath, key, list(t.shape), list(shape)))
        if key.endswith(".iters"):
            sd[key] = t.to(torch.int64)
            continue
        if not t.is_floating_point():
            raise CheckpointError("%s: key '%s' has dtype %s, expected a float tensor"
                                  % (wpath, key, t.dtype))
        t = t.to(torch.float32)
        if not torch.isfinite(t).all():
            raise CheckpointError("%s: key '%s' holds a non-finite value" % (wpath, key))
        sd[key] = t
    expected = set(k for k, _ in layout)
    extra = sorted(k for k in raw if k not in expected)
    if extra:
        raise CheckpointError("%s: unexpected key '%s'" % (wpath, extra[0]))
    for key, _ in layout:
        if key.endswith(("clip_val", "clip_query", "clip_key", "clip_value", "clip_attn")):
            # AlphaInit re-initialises from data any step still at exactly 1.0 (never trained)
            if float(sd[key]) == 1.0:
                raise CheckpointError("%s: key '%s' is exactly 1.0, the untrained AlphaInit value "
                                      "that the official code replaces with a data-dependent step"
                                      % (wpath, key))
    return sd, cfg


# --------------------------------------------------------------------------------------------
# Forward


def bwn(w, layerwise):
    """BWN binarisation as the official BwnQuantizer: sign around the GLOBAL mean, scale mean|W|
    per matrix (layerwise) or per row."""
    e = w.mean()
    if layerwise:
        m = w.norm(p=1).div(w.nelement())
    else:
        m = w.norm(1, 1, keepdim=True).div(w[0].nelement())
    return (w - e).sign().mul(m.expand(w.size()))


def _alpha(a):
    return torch.where(a > ALPHA_EPS, a, torch.tensor(ALPHA_EPS, dtype=torch.float32))


def quant_signed(x, alpha):
    """Signed 4-bit level clamp(round(x/alpha), -8, 7) with alpha = max(alpha, 1e-5)."""
    return (x / _alpha(alpha)).round().clamp(-SIGNED_OFFSET, SIGNED_OFFSET - 1)


def closest_pow2(x):
    """Closest power of two to a positive Python float, ties to the larger one (the official
    find_closest_power_of_two of utils_quant_snn.py, on Python floats)."""
    lo = 2.0 ** math.floor(math.log2(x))
    hi = 2.0 ** math.ceil(math.log2(x))
    return lo if abs(x - lo) < abs(x - hi) else hi


def if_spikes(levels):
    """The 16-step spike trains of 4-bit spike counts (0..15) under the official IF encoder
    (constant input, threshold 0.95*(16-0.0001), reset by subtraction): [..., 16] of 0/1, with
    exactly ``levels`` spikes per train. Used only to reproduce the official float summation
    order."""
    theta = torch.tensor(0.95 * (SPIKE_STEPS - 0.0001), dtype=torch.float32)
    v = torch.zeros_like(levels)
    out = []
    for _ in range(SPIKE_STEPS):
        v = v + levels
        s = (v >= theta).to(levels.dtype)
        v = v - s * theta
        out.append(s)
    return torch.stack(out, dim=-1)


def quant_unsigned(x, alpha):
    """Unsigned 4-bit quantiser with the official tensor-wide data-dependent offset.
    Returns (level q in 0..15, offset) so that the dequantised value is alpha*q + offset:
      min < 0: shift by +P (P closest power of two to |min|, ties up), offset = the RAW min;
      min = 0: no shift, offset 0;
      min > 0: shift by -M (M = 2^round(log2 min)), offset = M."""
    mn = x.min().item()
    if mn < 0:
        xs = x + closest_pow2(abs(mn))
        offset = mn
    elif mn == 0:
        xs = x
        offset = 0.0
    else:
        offset = 2.0 ** round(math.log2(mn))
        xs = x - offset
    q = (xs / _alpha(alpha)).round().clamp(0, SPIKE_STEPS - 1)
    return q, offset


def pt_softmax(scores):
    """Power-of-two softmax of ceil'd scores: A = 2^(S - max), Zhat = closest power of two to
    sum(A) (ties up), p = A / Zhat. Returns (A, Zhat, p)."""
    m = scores.max(dim=-1, keepdim=True)[0]
    a = 2 ** (scores - m)
    z = a.sum(dim=-1, keepdim=True)
    lo = 2 ** torch.floor(torch.log2(z))
    hi = 2 ** torch.ceil(torch.log2(z))
    zhat = torch.where((z - lo).abs() < (z - hi).abs(), lo, hi)
    return a, zhat, a / zhat


def group_scale(x, groups):
    """BSPN GroupScaling1D: x / 2^ceil(log2(mean|x| over each token's group + 1e-5))."""
    L, C = x.shape
    g = x.reshape(L, groups, C // groups).abs().mean(dim=2, keepdim=True)
    div = 2 ** torch.ceil(torch.log2(g + BSPN_EPS))
    div = div.expand(L, groups, C // groups).reshape(L, C)
    return x / div, div


def snap_pow2(y):
    """sign(y) * 2^round(log2|y|) (torch.round: half to even on the exponent), 0 stays 0."""
    out = y.clone()
    neg = out < 0
    out[neg] = -2 ** torch.round(torch.log2(torch.abs(out[neg])))
    pos = out > 0
    out[pos] = 2 ** torch.round(torch.log2(torch.abs(out[pos])))
    return out


def bspn_weight(weight, running_phi):
    """The eval-mode BSPN scale weight / sqrt(running_phi + eps) (float32), snapped to a signed
    power of two."""
    w = weight / (running_phi.reshape(-1) + BSPN_EPS).sqrt()
    return torch.sign(w) * 2 ** torch.round(torch.log2(torch.abs(w)))


def layer_norm(x, weight, bias):
    u = x.mean(-1, keepdim=True)
    s = (x - u).pow(2).mean(-1, keepdim=True)
    x = (x - u) / torch.sqrt(s + LN_EPS)
    return weight * x + bias


def gelu(x):
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


class _Tracer:
    def __init__(self, trace):
        self.trace = trace

    def __call__(self, name, t):
        if self.trace is not None:
            if name in self.trace:
                raise ValueError("trace: op '%s' recorded twice" % name)
            self.trace[name] = t.detach().clone() if torch.is_tensor(t) else t
        return t


def official_forward(sd, cfg, input_ids, token_type_ids=None, trace=None, emulate_spikes=False,
                     _hook=None):
    """The official Sorbet EVAL forward at batch 1, no padding, in float32. ``input_ids`` and
    ``token_type_ids`` are [L] or [1, L] integer tensors. Returns the logits [num_labels].

    By default every product of levels is exact (``attn.dot`` holds the integer Q.K dot products)
    and the dequantisation is applied once: ``alpha * (q @ Wq^T)``, scores
    ``ceil(dot * (aq * ak) / sqrt(d))``, attention values ``ap * q + offset``. The official code
    instead sums 16 per-time-step float products; where an exact score is an integer (a zero dot
    product) its float noise decides the ceil. ``emulate_spikes=True`` reproduces that: every
    spike consumer (linears, scores, context) is computed from IF spike trains with the official
    sequence of torch operations (same shapes, so the same CPU summation order).

    When ``trace`` is a dict, every intermediate tensor is stored under a stable op name, in
    execution order (dict order). Levels (``*_in``, ``*_lvl``) are float tensors of integers; all
    names are listed by ``trace_op_names(cfg)``.
    """
    ids = torch.as_tensor(input_ids).reshape(-1).long()
    L = ids.numel()
    if token_type_ids is None:
        types = torch.zeros_like(ids)
    else:
        types = torch.as_tensor(token_type_ids).reshape(-1).long()
        if types.numel() != L:
            raise ValueError("token_type_ids has %d entries, input_ids %d" % (types.numel(), L))
    if L < 1 or L > cfg["max_position_embeddings"]:
        raise ValueError("sequence length %d outside 1..%d" % (L, cfg["max_position_embeddings"]))
    rec = _Tracer(trace)
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    d = H // nh
    act = torch.relu if cfg["hidden_act"] == "relu" else gelu

    def lin_signed(prefix, x, name):
        """Signed QuantizeLinear: alpha * (q @ Wq^T) + bias, q = level of x + move."""
        xm = x + sd[prefix + ".move.bias"]
        if _hook is not None:
            _hook(prefix + ".input_clip_val", x, xm, True)
        alpha = _alpha(sd[prefix + ".input_clip_val"])
        q = rec(name + "_in", quant_signed(xm, alpha))
        wq = bwn(sd[prefix + ".weight"], cfg["weight_layerwise"])
        if not emulate_spikes:
            out = alpha * (q @ wq.t())
        elif prefix == "bert.pooler.dense":   # the official 3-d input branch
            s = (if_spikes(q + SIGNED_OFFSET) - 0.5).permute(0, 2, 1)   # q is [1, H]
            out = torch.sum((s * alpha).matmul(wq.t()).permute(0, 2, 1), dim=-1)
        else:
            s = (if_spikes(q + SIGNED_OFFSET)[None] - 0.5).permute(0, 3, 1, 2)
            out = (torch.sum(s.matmul(wq.t()).permute(0, 2, 3, 1), dim=-1) * alpha)[0]
        return rec(name, out + sd[prefix + ".bias"])

    def bspn(prefix, x, name):
        xs, _ = group_scale(x, nh)
        rec(name + ".scaled", xs)
        w = bspn_weight(sd[prefix + ".weight"], sd[prefix + ".running_phi"])
        y = w * xs + sd[prefix + ".bias"]
        rec(name + ".affine", y)
        return rec(name, snap_pow2(y))

    # Embeddings: BWN word table (per-row scale unless embed_layerwise), float position/type.
    with torch.no_grad():
        eq = bwn(sd["bert.embeddings.word_embeddings.weight"], cfg["embed_layerwise"])
        x = rec("embed.word", eq[ids])
        x = x + sd["bert.embeddings.position_embeddings.weight"][:L]
        x = rec("embed.sum", x + sd["bert.embeddings.token_type_embeddings.weight"][types])
        h = rec("embed", layer_norm(x, sd["bert.embeddings.LayerNorm.weight"],
                                    sd["bert.embeddings.LayerNorm.bias"]))

        for l in range(cfg["num_hidden_layers"]):
            p = "bert.encoder.layer.%d." % l
            n = "layer%d." % l
            a = p + "attention.self."
            q = lin_signed(a + "query", h, n + "attn.q")
            k = lin_signed(a + "key", h, n + "attn.k")
            v = lin_signed(a + "value", h, n + "attn.v")
            # per-head [nh, L, d]; move_q/k/v are dead in the official code
            q, k, v = (t.reshape(L, nh, d).permute(1, 0, 2) for t in (q, k, v))
            levels = []
            for t, site, tag in ((q, "clip_query", "q"), (k, "clip_key", "k"),
                                 (v, "clip_value", "v")):
                if _hook is not None:
                    _hook(a + site, t, t, True)
                levels.append(rec(n + "attn.%s_lvl" % tag, quant_signed(t, sd[a + site])))
            aq, ak, av = (_alpha(sd[a + s]) for s in ("clip_query", "clip_key", "clip_value"))
            qi, ki, vi = levels
            dot = rec(n + "attn.dot", qi @ ki.transpose(-1, -2))   # exact integers
            if emulate_spikes:
                qs = ((if_spikes(qi + SIGNED_OFFSET) - 0.5) * aq)[None].permute(0, 4, 1, 2, 3)
                raw = qs.matmul((ki * ak)[None].unsqueeze(1).transpose(-1, -2))
                raw = torch.sum(raw.permute(0, 2, 3, 4, 1), dim=-1)[0] / math.sqrt(d)
            else:
                raw = dot * (aq * ak) / math.sqrt(d)
            scores = rec(n + "attn.scores", torch.ceil(raw))
            expo, zhat, probs = pt_softmax(scores)
            rec(n + "attn.exp", expo)
            rec(n + "attn.zhat", zhat)
            rec(n + "attn.probs", probs)
            if _hook is not None:
                _hook(a + "clip_attn", probs, probs, False)
            plvl, poff = quant_unsigned(probs, sd[a + "clip_attn"])
            rec(n + "attn.probs_offset", torch.tensor(poff, dtype=torch.float32))
            rec(n + "attn.probs_lvl", plvl)
            ap = _alpha(sd[a + "clip_attn"])
            if emulate_spikes:
                ps = ((if_spikes(plvl) + poff / ap / 16) * ap)[None].permute(0, 4, 1, 2, 3)
                ctx = torch.sum(ps.matmul((vi * av)[None].unsqueeze(1)).permute(0, 2, 3, 4, 1),
                                dim=-1)[0]
            else:
                ctx = (ap * plvl + poff) @ (vi * av)
            ctx = ctx.permute(1, 0, 2).reshape(L, H)
            rec(n + "attn.context", ctx)
            o = lin_signed(p + "attention.output.dense", ctx, n + "attn.o")
            r = rec(n + "attn.residual", o + h)
            h1 = bspn(p + "attention.output.LayerNorm", r, n + "bspn1")

            up = act(lin_signed(p + "intermediate.dense", h1, n + "ffn.up"))
            rec(n + "ffn.act", up)
            dn = p + "output.dense"
            xm = up + sd[dn + ".move.bias"]
            if _hook is not None:
                _hook(dn + ".input_clip_val", up, xm, False)
            rec(n + "ffn.down_min", torch.tensor(xm.min().item(), dtype=torch.float32))
            dlvl, doff = quant_unsigned(xm, sd[dn + ".input_clip_val"])
            rec(n + "ffn.down_offset", torch.tensor(doff, dtype=torch.float32))
            rec(n + "ffn.down_in", dlvl)
            wq = bwn(sd[dn + ".weight"], cfg["weight_layerwise"])
            alpha = _alpha(sd[dn + ".input_clip_val"])
            if emulate_spikes:
                s = (if_spikes(dlvl) + doff / alpha / 16)[None].permute(0, 3, 1, 2)
                dout = (torch.sum(s.matmul(wq.t()).permute(0, 2, 3, 1), dim=-1) * alpha)[0]
            else:
                dout = (alpha * dlvl + doff) @ wq.t()
            dout = rec(n + "ffn.down", dout + sd[dn + ".bias"])
            r2 = rec(n + "ffn.residual", dout + h1)
            h = bspn(p + "output.LayerNorm2", r2, n + "bspn2")

        pooled = torch.relu(lin_signed("bert.pooler.dense", h[:1], "pooler.dense"))
        rec("pooler", pooled)
        logits = pooled @ sd["classifier.weight"].t() + sd["classifier.bias"]
        return rec("logits", logits.reshape(-1))


def trace_op_names(cfg):
    """The op names ``official_forward`` records, in execution order."""
    names = ["embed.word", "embed.sum", "embed"]
    for l in range(cfg["num_hidden_layers"]):
        n = "layer%d." % l
        for t in ("q", "k", "v"):
            names += [n + "attn.%s_in" % t, n + "attn.%s" % t]
        names += [n + "attn.q_lvl", n + "attn.k_lvl", n + "attn.v_lvl", n + "attn.dot",
                  n + "attn.scores", n + "attn.exp", n + "attn.zhat", n + "attn.probs",
                  n + "attn.probs_offset", n + "attn.probs_lvl", n + "attn.context",
                  n + "attn.o_in", n + "attn.o", n + "attn.residual",
                  n + "bspn1.scaled", n + "bspn1.affine", n + "bspn1",
                  n + "ffn.up_in", n + "ffn.up", n + "ffn.act", n + "ffn.down_min",
                  n + "ffn.down_offset", n + "ffn.down_in", n + "ffn.down", n + "ffn.residual",
                  n + "bspn2.scaled", n + "bspn2.affine", n + "bspn2"]
    return names + ["pooler.dense_in", "pooler.dense", "pooler", "logits"]


class OfficialForward:
    """A loaded official checkpoint, callable on one sentence: ``OfficialForward(dir)(ids)``."""

    def __init__(self, directory=None, *, state_dict=None, config=None):
        if directory is not None:
            state_dict, config = load_official_checkpoint(directory)
        if state_dict is None or config is None:
            raise ValueError("OfficialForward needs a directory or state_dict and config")
        self.sd, self.cfg = state_dict, config

    def __call__(self, input_ids, token_type_ids=None, trace=None, emulate_spikes=False):
        return official_forward(self.sd, self.cfg, input_ids, token_type_ids, trace,
                                emulate_spikes)


# --------------------------------------------------------------------------------------------
# Synthetic checkpoints


def _is_ffn_down(key):
    return re.search(r"\.layer\.\d+\.output\.dense\.", key) is not None


class _Calibrate(Exception):
    def __init__(self, key):
        self.key = key


def random_sentence(gen, vocab_size, max_len, min_len=2):
    """A random [CLS] ... [SEP] id sequence (ids 101/102 when the vocabulary has them)."""
    L = int(torch.randint(min_len, max_len + 1, (1,), generator=gen))
    ids = torch.randint(1000 if vocab_size > 2000 else 1, vocab_size, (L,), generator=gen)
    if vocab_size > 102:
        ids[0], ids[-1] = 101, 102
    return ids


def make_official_checkpoint(directory, *, layers=2, hidden=128, heads=2, intermediate=512,
                             num_labels=2, vocab_size=30522, max_position=512, seed=0, task=None):
    """Writes a random checkpoint in exactly the official layout into ``directory`` (created if
    needed): ``pytorch_model.bin`` (the state_dict of the official student, with every dead entry)
    and ``config.json``. ``task`` (a GLUE task name of the official trainer) sets
    ``finetuning_task`` and, when given, must agree with ``num_labels``.

    The values look trained: latent weights ~N(0, 0.05), moves small and of both signs (so the
    FFN-down quantiser takes its negative-minimum branch), and every step size calibrated, site
    after site in execution order, on random sentences as LSQ would initialise it
    (2 mean|x|/sqrt(7) signed, 4 mean|x|/sqrt(15) unsigned) times a random factor in [0.7, 1.4],
    so steps are no powers of two and levels spread over the 4-bit range. running_phi is the
    measured mean square of the group-scaled BSPN input times a factor in [0.8, 1.25].
    Deterministic given the arguments. Returns (state_dict, config)."""
    if task is not None:
        if task not in TASK_LABELS:
            raise ValueError("unknown task '%s' (one of %s)"
                             % (task, ", ".join(sorted(TASK_LABELS))))
        if num_labels != TASK_LABELS[task]:
            raise ValueError("task '%s' has %d labels, num_labels = %d"
                             % (task, TASK_LABELS[task], num_labels))
    cfg = official_config(layers=layers, hidden=hidden, heads=heads, intermediate=intermediate,
                          num_labels=num_labels, vocab_size=vocab_size, max_position=max_position,
                          task=task)
    _check_config(cfg, "make_official_checkpoint")
    g = torch.Generator().manual_seed(seed)

    def randn(*shape, std=1.0, mean=0.0):
        return torch.randn(*shape, generator=g) * std + mean

    def unif(lo, hi):
        return float(torch.rand((), generator=g)) * (hi - lo) + lo

    # scores grow with sqrt(d) and with |Q||K| ~ H: keep their spread near that of H=128, d=64
    qk_gain = math.sqrt(128.0 / hidden) * (64.0 * heads / hidden) ** 0.25
    sd = collections.OrderedDict()
    pending = set()
    for key, shape in official_layout(cfg):
        if key.endswith(".iters"):
            sd[key] = torch.tensor([int(torch.randint(20000, 60000, (1,), generator=g))])
        elif key.endswith(("input_clip_val", "clip_query", "clip_key", "clip_value", "clip_attn")):
            sd[key] = torch.tensor(float("nan"))
            pending.add(key)
        elif key.endswith("running_phi"):
            sd[key] = torch.ones(shape)
            pending.add(key)
        elif key.endswith("ema_gz"):
            sd[key] = randn(*shape, std=1e-3)
        elif ".move." in key:
            sd[key] = torch.zeros(shape)   # set from the measured input scale below
            pending.add(key)
        elif ".move_" in key:
            sd[key] = randn(*shape, std=0.02)   # dead
        elif "LayerNorm" in key and key.endswith(".weight"):
            sd[key] = randn(*shape, std=0.15, mean=1.0)
        elif "LayerNorm" in key and key.endswith(".bias"):
            sd[key] = randn(*shape, std=0.1)
        elif key.startswith("bert.embeddings.word"):
            sd[key] = randn(*shape, std=0.05)
        elif key.startswith("bert.embeddings."):
            sd[key] = randn(*shape, std=0.03)
        elif key.endswith("attention.self.query.weight"):
            # trained attention is peaked: large, correlated Q and K spread the scores
            sd[key] = randn(*shape, std=0.12 * qk_gain)
        elif key.endswith("attention.self.key.weight"):
            sd[key] = 0.4 * sd[key.replace(".key.", ".query.")] + randn(*shape, std=0.11 * qk_gain)
        elif key.endswith(".weight"):
            sd[key] = randn(*shape, std=0.05)
        elif key == "bert.pooler.dense.bias":
            sd[key] = randn(*shape, std=0.05, mean=0.02)
        else:   # linear and classifier biases
            sd[key] = randn(*shape, std=0.05)

    calib_g = torch.Generator().manual_seed(seed + 1)
    sentences = [random_sentence(calib_g, vocab_size, min(40, max_position), min(8, max_position))
                 for _ in range(8)]
    stats = {}

    def hook(key, x_raw, x_moved, signed):
        move_key = key.replace("input_clip_val", "move.bias")
        if move_key in pending and move_key != key:
            stats.setdefault(move_key, []).append(x_raw)
            raise _Calibrate(move_key)
        if key in pending:
            stats.setdefault(key, []).append(x_moved)
            raise _Calibrate(key)

    def bspn_hook(prefix, x):
        key = prefix + ".running_phi"
        if key in pending:
            stats.setdefault(key, []).append(group_scale(x, heads)[0])
            raise _Calibrate(key)

    while pending:
        stats.clear()
        key = None
        for ids in sentences:
            try:
                _calib_forward(sd, cfg, ids, hook, bspn_hook)
            except _Calibrate as c:
                key = c.key
        if key is None:
            break
        xs = torch.cat([t.reshape(-1) for t in stats[key]]) if not key.endswith("running_phi") \
            else torch.cat(stats[key], dim=0)
        if key.endswith("move.bias"):
            scale = xs.abs().mean().item()
            n = sd[key].numel()
            mean = -0.03 * scale if _is_ffn_down(key) else 0.0
            sd[key] = randn(n, std=0.05 * scale, mean=mean)
        elif key.endswith("running_phi"):
            phi = xs.pow(2).mean(dim=0)
            sd[key] = (phi * torch.exp(randn(hidden, std=0.1))).reshape(1, hidden, 1, 1)
        else:
            signed = not (key.endswith("clip_attn") or _is_ffn_down(key))
            if signed:
                step = 2 * xs.abs().mean().item() / math.sqrt(7)
            else:
                # the unsigned quantiser sees x - min: calibrate on that
                step = 4 * (xs - xs.min()).abs().mean().item() / math.sqrt(15)
            step *= math.exp(unif(math.log(0.7), math.log(1.4)))
            if step == 1.0 or not math.isfinite(step) or step <= 0:
                step = 0.0123
            sd[key] = torch.tensor(step, dtype=torch.float32)
        pending.discard(key)

    sd._metadata = official_metadata(cfg)
    os.makedirs(directory, exist_ok=True)
    torch.save(sd, os.path.join(directory, WEIGHTS_NAME))
    with open(os.path.join(directory, CONFIG_NAME), "w", encoding="utf-8") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    return sd, cfg


def _calib_forward(sd, cfg, ids, hook, bspn_hook):
    """official_forward with calibration hooks on the quantiser inputs and the BSPN inputs."""
    official_forward(sd, cfg, ids, None, _BspnProbe(bspn_hook), False, hook)


class _BspnProbe(dict):
    """A trace dict that hands every BSPN input (residual) to the calibration hook."""

    def __init__(self, bspn_hook):
        super().__init__()
        self.bspn_hook = bspn_hook

    def __setitem__(self, name, value):
        if name.endswith(("attn.residual", "ffn.residual")):
            l = int(name[len("layer"):name.index(".")])
            norm = ("attention.output.LayerNorm" if name.endswith("attn.residual")
                    else "output.LayerNorm2")
            self.bspn_hook("bert.encoder.layer.%d.%s" % (l, norm), value)
        super().__setitem__(name, value)
