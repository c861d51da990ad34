# SPDX-License-Identifier: Apache-2.0
"""Float Sorbet model (fully quantized variant, eval mode) -> integer model package.

Every integer parameter is computed with the same helper the forward pass uses (bwn_params,
int8_params, Fire.exp, quant_to_grid's rounding, BSPN.factor), so the package computes what the
float model computes in eval mode (numerics.md):
* fire bias      B = round_half_up((b + move) * 2^-in_exp) + (shift > 0 ? 2^(shift-1) : 0)
* residual bias  B = round_half_up(b * 2^-acc_exp)
* bspn           gamma_sign * 2^gamma_exp = signed power of two nearest gamma/sqrt(phi+1e-5)
                 (log2 rounded half to even), beta = round_half_up(beta * 2^-beta_exp)
* classifier     int8 W with 2^ceil(log2(max|W|/127)), B = round_half_up(b * 2^-out_exp)
"""

import numpy as np
import torch

from . import package as pkgmod
from .model import bwn_params, int8_params, round_half_up


def _grid(b, exp):
    """round_half_up(b / 2^exp) as int64 numpy, computed in the tensor's dtype like the forward."""
    with torch.no_grad():
        v = round_half_up(b.detach() / (2.0 ** exp))
    a = v.double().numpy()
    if np.abs(a).max(initial=0) >= 2 ** 31 - 2 ** 30:
        raise ValueError("a bias does not fit 32 bits on the 2^%d grid (max %g)" % (exp, np.abs(a).max()))
    return a.astype(np.int64)


def export_model(model, name, task, labels, card=""):
    cfg = model.cfg
    if not cfg.exportable:
        raise ValueError("only the fully quantized Sorbet variant (binary weights, quantized "
                         "activations, PTsoftmax, BSPN) can be exported")
    model.eval()
    eh = cfg.hidden_exp
    off = cfg.offset
    dh = cfg.head_dim
    ops, tensors = [], {}

    def add(op, **t):
        ops.append(op)
        for role, arr in t.items():
            tensors[op["name"] + "." + role] = arr

    def fire(name, inp, in_exp, module, bias, offset, features):
        e = module.exp()
        shift = e - in_exp
        b = module.total_bias(bias)
        if b is None:
            B = np.zeros(features, np.int64)
        else:
            B = _grid(b, in_exp)
        if shift > 0:
            B = B + (1 << (shift - 1))
        add({"name": name, "type": "fire", "inputs": [inp], "in_exp": in_exp, "shift": shift,
             "out_exp": e, "offset": offset, "features": features}, bias=B.astype(np.int32))
        return e

    def linear(name, inp, in_exp, module):
        signs, we = bwn_params(module.weight)
        out_f, in_f = module.weight.shape
        add({"name": name, "type": "binary_linear", "inputs": [inp], "in_features": in_f,
             "out_features": out_f, "in_exp": in_exp, "weight_exp": we, "out_exp": in_exp + we},
            weight=pkgmod.pack_bits(signs.numpy()))
        return in_exp + we

    def bspn(name, inp, in_exp, norm):
        m = norm.impl
        sign, n = m.factor()
        beta = _grid(m.bias, cfg.beta_exp)
        add({"name": name, "type": "bspn", "inputs": [inp], "in_exp": in_exp, "group": m.group,
             "beta_exp": cfg.beta_exp, "out_exp": eh},
            gamma_sign=sign.numpy().astype(np.int8), gamma_exp=n.numpy().astype(np.int8),
            beta=beta.astype(np.int32))

    def residual(name, acc, acc_exp, res, res_exp, bias):
        add({"name": name, "type": "residual_add", "inputs": [acc, res],
             "out_exp": min(acc_exp, res_exp)}, bias=_grid(bias, acc_exp).astype(np.int32))
        return min(acc_exp, res_exp)

    with torch.no_grad():
        signs, we, p8, pe, t8, te = model.embed.quant_params()
        add({"name": "embed", "type": "embedding", "inputs": ["tokens"], "word_exp": we,
             "pos_exp": pe, "type_exp": te},
            word=pkgmod.pack_bits(signs.numpy()), pos=p8.numpy().astype(np.int8),
            type=t8.numpy().astype(np.int8))
        bspn("embed.norm", "embed", min(we, pe, te), model.embed.norm)
        hidden = "embed.norm"
        H = cfg.hidden
        log2_sqrt_dh = (dh.bit_length() - 1) // 2
        for l, layer in enumerate(model.layers):
            p = "layers.%d." % l
            at, ff = layer.attn, layer.ffn
            a_in = fire(p + "attn.in", hidden, eh, at.inp, None, off, H)
            exps = {}
            for nm, lin in (("q", at.q), ("k", at.k), ("v", at.v)):
                exps[nm] = linear(p + "attn." + nm, p + "attn.in", a_in, lin)
            fe = {}
            for nm, lin, fm in (("q", at.q, at.q_fire), ("k", at.k, at.k_fire),
                                ("v", at.v, at.v_fire)):
                fe[nm] = fire(p + "attn.%s.fire" % nm, p + "attn." + nm, exps[nm], fm, lin.bias,
                              off, H)
            add({"name": p + "attn.scores", "type": "qk_scores",
                 "inputs": [p + "attn.q.fire", p + "attn.k.fire"], "heads": cfg.heads,
                 "score_shift": log2_sqrt_dh - (fe["q"] + fe["k"])})
            p_exp = -cfg.bits
            add({"name": p + "attn.softmax", "type": "ptsoftmax", "inputs": [p + "attn.scores"],
                 "frac_bits": cfg.frac_bits, "out_exp": p_exp})
            ctx_exp = p_exp + fe["v"]
            add({"name": p + "attn.context", "type": "pv_matmul",
                 "inputs": [p + "attn.softmax", p + "attn.v.fire"], "heads": cfg.heads,
                 "out_exp": ctx_exp})
            a_o = fire(p + "attn.out.in", p + "attn.context", ctx_exp, at.out_in, None, off, H)
            acc_exp = linear(p + "attn.out", p + "attn.out.in", a_o, at.out)
            r_exp = residual(p + "attn.residual", p + "attn.out", acc_exp, hidden, eh, at.out.bias)
            bspn(p + "attn.norm", p + "attn.residual", r_exp, at.norm)
            a_f = fire(p + "ffn.in", p + "attn.norm", eh, ff.inp, None, off, H)
            up_exp = linear(p + "ffn.up", p + "ffn.in", a_f, ff.up)
            a_act = fire(p + "ffn.act", p + "ffn.up", up_exp, ff.act, ff.up.bias, 0, cfg.ffn)
            down_exp = linear(p + "ffn.down", p + "ffn.act", a_act, ff.down)
            r2 = residual(p + "ffn.residual", p + "ffn.down", down_exp, p + "attn.norm", eh,
                          ff.down.bias)
            bspn(p + "ffn.norm", p + "ffn.residual", r2, ff.norm)
            hidden = p + "ffn.norm"
        add({"name": "pool.cls", "type": "select_cls", "inputs": [hidden]})
        a_p = fire("pool.in", "pool.cls", eh, model.pool_in, None, off, H)
        d_exp = linear("pool.dense", "pool.in", a_p, model.pool)
        a_act = fire("pool.act", "pool.dense", d_exp, model.pool_act, model.pool.bias, 0, H)
        q, cwe = int8_params(model.classifier.weight)
        c_out = a_act + cwe
        add({"name": "classifier", "type": "int_linear", "inputs": ["pool.act"],
             "in_features": H, "out_features": cfg.num_labels, "in_exp": a_act,
             "weight_exp": cwe, "out_exp": c_out},
            weight=q.numpy().astype(np.int8), bias=_grid(model.classifier.bias, c_out).astype(np.int32))

    arch = {"layers": cfg.layers, "hidden": cfg.hidden, "heads": cfg.heads, "ffn": cfg.ffn,
            "max_seq_len": cfg.max_seq_len, "vocab_size": cfg.vocab_size,
            "type_vocab_size": cfg.type_vocab_size, "bits": cfg.bits,
            "time_steps": max(16, (1 << cfg.bits) - 1)}
    pkg = pkgmod.Package(name, task, labels, arch, ops, tensors, card=card)
    pkgmod.validate(pkg)
    return pkg
