# SPDX-License-Identifier: Apache-2.0
"""The Sorbet model in PyTorch: one graph, many variants.

The graph is exactly the op list of docs/model-format.md (embed, embed.norm, per layer attn.in,
attn.q/k/v, attn.q/k/v.fire, attn.scores, attn.softmax, attn.context, attn.out.in, attn.out,
attn.residual, attn.norm, ffn.in, ffn.up, ffn.act, ffn.down, ffn.residual, ffn.norm, then
pool.cls, pool.in, pool.dense, pool.act, classifier), so that a fully quantized model exports 1:1.
Linear layers return their accumulator *without* bias; the bias is applied by the op that the
integer graph applies it in (the following fire or residual_add).

Variants (ModelConfig):
* weight_mode 'float' | 'binary' (BWN: sign(W - mean W), 0 -> +1, times 2^round_half_up(log2
  mean|W|); identity straight-through gradient to the float weight, as BiT's BwnQuantizer). In
  binary mode the word table is binarised the same way, position/type tables and the classifier
  are int8 with a power-of-two scale.
* act_quant: k-bit quantizers ("fire") with a learnable log2 step snapped to an integer exponent
  (STE), round half up, signed clamp [-2^(k-1), 2^(k-1)-1] or unsigned [0, 2^k-1] (ReLU folded),
  learnable per-channel "move" offsets before each linear's input quantizer; biases are rounded
  to the integer grid they live on in the package (STE), so that in eval mode the float model
  computes what the integer model computes.
* softmax 'float' | 'pt' (PTsoftmax, masked for padded batches; STE through ceil and the
  power-of-two snaps, gradient of a base-2 softmax).
* norm 'layernorm' | 'bspn' (numerics.md §6 with a running quadratic mean phi).
The full-precision teacher is weight_mode='float', act_quant=False, softmax='float',
norm='layernorm'.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

SQRT2 = math.sqrt(2.0)
STEP_EXP_RANGE = (-20, 12)


@dataclass
class ModelConfig:
    vocab_size: int = 30522
    type_vocab_size: int = 2
    layers: int = 2
    hidden: int = 128
    heads: int = 2
    ffn: int = 512
    max_seq_len: int = 64
    num_labels: int = 2
    bits: int = 4
    weight_mode: str = "float"      # 'float' | 'binary'
    act_quant: bool = False
    softmax: str = "float"          # 'float' | 'pt'
    norm: str = "layernorm"         # 'layernorm' | 'bspn'
    ffn_act: str = "relu"           # teacher only: 'relu' | 'gelu' (quantized: always ReLU)
    pool_act: str = "relu"          # teacher only: 'relu' | 'tanh'
    dropout: float = 0.0
    ln_eps: float = 1e-12
    hidden_exp: int = -12           # grid of every BSPN output
    beta_exp: int = -12             # grid of BSPN's beta
    frac_bits: int = 16             # PTsoftmax fraction bits
    bspn_eps: float = 1e-5

    @property
    def head_dim(self):
        return self.hidden // self.heads

    @property
    def levels(self):
        return (1 << self.bits) - 1

    @property
    def offset(self):
        return 1 << (self.bits - 1)

    @property
    def exportable(self):
        return (self.weight_mode == "binary" and self.act_quant and self.softmax == "pt"
                and self.norm == "bspn")

    def to_dict(self):
        return asdict(self)

    @staticmethod
    def from_dict(d):
        return ModelConfig(**d)

    def variant(self, **kw):
        d = self.to_dict()
        d.update(kw)
        return ModelConfig(**d)

    @staticmethod
    def teacher(**kw):
        return ModelConfig(weight_mode="float", act_quant=False, softmax="float", norm="layernorm",
                           **kw)

    def check(self):
        dh = self.head_dim
        if self.hidden % self.heads:
            raise ValueError("hidden %d is not divisible by heads %d" % (self.hidden, self.heads))
        if self.softmax == "pt" or self.norm == "bspn" or self.act_quant:
            if dh & (dh - 1) or (dh.bit_length() - 1) % 2:
                raise ValueError("head dim %d must be a power of 4 (sqrt(d_h) a power of two)" % dh)
        if self.act_quant and (self.ffn_act != "relu" or self.pool_act != "relu"):
            raise ValueError("quantized activations imply ReLU in the FFN and the pooler")
        return self


# ---------------------------------------------------------------------------------------------
# straight-through helpers
def ste(x, hard):
    """Forward `hard`, backward identity to x."""
    return x + (hard - x).detach()


def round_half_up(x):
    return torch.floor(x + 0.5)


def round_half_up_ste(x):
    return ste(x, round_half_up(x))


def quant_to_grid(b, exp):
    """b rounded (half up) to the 2^exp grid, STE."""
    s = 2.0 ** exp
    return ste(b, round_half_up(b / s) * s)


def bwn_scale(w):
    """(mean W, integer exponent round_half_up(log2 mean|W|)) of BWN."""
    with torch.no_grad():
        m = w.abs().mean()
        e = int(torch.floor(torch.log2(m) + 0.5).item()) if m > 0 else 0
        return w.mean(), e


def bwn_params(w):
    """(signs ±1 float tensor, integer exponent) of BWN: sign(W - mean W) with 0 -> +1 and
    2^round_half_up(log2 mean|W|). Used by the forward pass and by export alike."""
    mean, e = bwn_scale(w)
    with torch.no_grad():
        signs = torch.where(w - mean >= 0, 1.0, -1.0).to(w.dtype)
    return signs, e


def int8_params(w, min_exp=None):
    """(int8-valued float tensor, exponent) with the power-of-two scale 2^ceil(log2(max|W|/127))."""
    with torch.no_grad():
        mx = w.abs().max().item()
        e = int(math.ceil(math.log2(mx / 127.0))) if mx > 0 else -8
        if min_exp is not None:
            e = max(e, min_exp)
        q = torch.clamp(round_half_up(w / 2.0 ** e), -128, 127)
    return q, e


def snap_factor(f):
    """BSPN's per-channel factor gamma/sqrt(phi+eps) as (sign, exponent): the signed power of two
    nearest f with log2 rounded half to even; exponents below -24 give sign 0, above 24 clamp."""
    with torch.no_grad():
        sign = torch.sign(f)
        a = f.abs()
        n = torch.round(torch.log2(torch.where(a > 0, a, torch.ones_like(a))))
        sign = torch.where((a > 0) & (n >= -24), sign, torch.zeros_like(sign))
        n = torch.clamp(n, -24, 24)
    return sign, n


def snap_pow2_float(y, out_exp):
    """sign(y) * 2^round(log2|y|) (round up iff |y| >= sqrt2 * 2^floor), flush below 2^out_exp,
    saturate at 2^(out_exp+30)."""
    with torch.no_grad():
        a = y.abs()
        m, ex = torch.frexp(a)                      # a = m * 2^ex, m in [0.5, 1)
        n = (ex - 1) + ((m.double() * 2.0) >= SQRT2).to(ex.dtype)
        keep = (a > 0) & (n >= out_exp)
        n = torch.clamp(n, max=out_exp + 30)
        mag = torch.exp2(n.to(y.dtype))
        return torch.where(keep, torch.sign(y) * mag, torch.zeros_like(y))


# ---------------------------------------------------------------------------------------------
class Fire(nn.Module):
    """Spike generation (numerics.md §2): c = clamp(round_half_up((x + b)/2^e) + offset, 0, L),
    value (c - offset) * 2^e. In float (teacher) mode: x + b, then the activation if unsigned."""

    def __init__(self, cfg, features, signed, move, act="relu"):
        super().__init__()
        self.cfg = cfg
        self.signed = signed
        self.act = act
        self.log2_step = nn.Parameter(torch.tensor(-2.0))
        self.move = nn.Parameter(torch.zeros(features)) if move else None
        self.calibrating = False

    def exp(self):
        e = int(math.floor(self.log2_step.item() + 0.5))
        return min(max(e, STEP_EXP_RANGE[0]), STEP_EXP_RANGE[1])

    def bounds(self):
        if self.signed:
            return -self.cfg.offset, self.cfg.offset - 1
        return 0, self.cfg.levels

    def total_bias(self, bias):
        b = bias
        if self.move is not None:
            b = self.move if b is None else b + self.move
        return b

    def _calibrate(self, y, valid):
        """Sets the step to the power of two with the least quantization MSE on y."""
        with torch.no_grad():
            v = y if valid is None else y[valid]
            v = v.reshape(-1).float()
            if v.numel() > 200000:
                v = v[torch.randperm(v.numel(), generator=torch.Generator().manual_seed(0))[:200000]]
            lo, hi = self.bounds()
            best, best_e = None, -2
            for e in range(STEP_EXP_RANGE[0], STEP_EXP_RANGE[1] + 1):
                s = 2.0 ** e
                err = ((torch.clamp(round_half_up(v / s), lo, hi) * s - v) ** 2).mean().item()
                if best is None or err < best:
                    best, best_e = err, e
            self.log2_step.fill_(float(best_e))

    def forward(self, x, bias=None, in_exp=None, valid=None):
        cfg = self.cfg
        b = self.total_bias(bias)
        if not cfg.act_quant:
            y = x if b is None else x + b
            if self.signed:
                return y, None
            if self.act == "gelu":
                return F.gelu(y), None
            if self.act == "tanh":
                return torch.tanh(y), None
            return F.relu(y), None
        if b is not None and in_exp is not None:
            b = quant_to_grid(b, in_exp)
        y = x if b is None else x + b
        if self.calibrating:
            self._calibrate(y, valid)
        e = self.exp()
        t = self.log2_step
        alpha = torch.exp2(ste(t, torch.full_like(t, float(e))))
        lo, hi = self.bounds()
        q = torch.clamp(round_half_up_ste(y / alpha), lo, hi)
        return q * alpha, e


class QLinear(nn.Module):
    """A linear layer returning the accumulator x W^T without bias (the bias is applied by the
    next op). Binary (BWN) in binary mode, float otherwise."""

    def __init__(self, cfg, din, dout):
        super().__init__()
        self.cfg = cfg
        self.weight = nn.Parameter(torch.randn(dout, din) * 0.02)
        self.bias = nn.Parameter(torch.zeros(dout))

    def effective_weight(self):
        if self.cfg.weight_mode != "binary":
            return self.weight, None
        signs, e = bwn_params(self.weight)
        return ste(self.weight, signs * 2.0 ** e), e

    def forward(self, x):
        w, e = self.effective_weight()
        return F.linear(x, w), e


class Classifier(nn.Module):
    """int_linear: int8 weights with a power-of-two scale, bias on the output grid (binary mode);
    a float linear layer otherwise."""

    def __init__(self, cfg, din, dout):
        super().__init__()
        self.cfg = cfg
        self.weight = nn.Parameter(torch.randn(dout, din) * 0.02)
        self.bias = nn.Parameter(torch.zeros(dout))

    def forward(self, x, in_exp):
        if self.cfg.weight_mode != "binary":
            return F.linear(x, self.weight, self.bias)
        q, e = int8_params(self.weight)
        w = ste(self.weight, q * 2.0 ** e)
        b = quant_to_grid(self.bias, in_exp + e) if in_exp is not None else self.bias
        return F.linear(x, w, b)


class BSPN(nn.Module):
    """Bit-shifting power normalization (numerics.md §6) with a running quadratic mean phi:
    batch statistics (over valid tokens) for the first `batch_stat_iters` training steps, then
    the running phi (momentum 0.9); eval always uses the running phi."""

    def __init__(self, cfg, features, group):
        super().__init__()
        self.cfg = cfg
        self.group = group
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))
        self.register_buffer("running_phi", torch.ones(features))
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))
        self.batch_stat_iters = 0
        self.momentum = 0.9
        self.calibrating = False

    def group_exponent(self, x):
        """c per token and group: 2^c = 2^(floor(log2 mean|x|) + 1), 0 for an all-zero group."""
        with torch.no_grad():
            sh = x.shape
            s = x.reshape(*sh[:-1], sh[-1] // self.group, self.group).abs().double().sum(-1)
            _, ex = torch.frexp(s)                 # floor(log2 s) = ex - 1
            g = self.group.bit_length() - 1
            return torch.where(s > 0, ex - g, torch.zeros_like(ex))

    def factor(self):
        """(sign, exponent) per channel of gamma / sqrt(phi + eps) at inference."""
        return snap_factor(self.weight.detach() / torch.sqrt(self.running_phi + self.cfg.bspn_eps))

    def forward(self, x, mask=None):
        cfg = self.cfg
        sh = x.shape
        c = self.group_exponent(x)
        xg = x.reshape(*sh[:-1], sh[-1] // self.group, self.group)
        xs = (xg * torch.exp2(-c.to(x.dtype)).unsqueeze(-1)).reshape(sh)
        if self.training or self.calibrating:
            flat = xs.reshape(-1, sh[-1])
            if mask is not None:
                flat = flat[mask.reshape(-1)]
            phi_b = (flat ** 2).mean(0)
            with torch.no_grad():
                if self.calibrating:
                    self.running_phi.copy_(phi_b.detach())
                else:
                    self.running_phi.mul_(self.momentum).add_((1 - self.momentum) * phi_b.detach())
            use_batch = self.calibrating or int(self.steps) < self.batch_stat_iters
            if self.training:
                self.steps += 1
            phi = phi_b if use_batch else self.running_phi
        else:
            phi = self.running_phi
        f = self.weight / torch.sqrt(phi + cfg.bspn_eps)
        sign, n = snap_factor(f)
        f = ste(f, sign * torch.exp2(n))
        beta = quant_to_grid(self.bias, cfg.beta_exp)
        y = f * xs + beta
        return ste(y, snap_pow2_float(y, cfg.hidden_exp))


class Norm(nn.Module):
    def __init__(self, cfg, features):
        super().__init__()
        self.kind = cfg.norm
        if cfg.norm == "bspn":
            self.impl = BSPN(cfg, features, cfg.head_dim)
        else:
            self.impl = nn.LayerNorm(features, eps=cfg.ln_eps)

    def forward(self, x, mask=None):
        if self.kind == "bspn":
            return self.impl(x, mask)
        return self.impl(x)


# ---------------------------------------------------------------------------------------------
def pt_softmax(scores, key_mask, frac_bits):
    """PTsoftmax of integer-valued scores (numerics.md §4) over the keys where key_mask is True.
    Returns (p_exact, p_soft): p_exact powers of two (terms more than frac_bits below the row
    maximum dropped, Z snapped to the nearest power of two, ties up)."""
    neg = torch.finfo(scores.dtype).min
    s = scores.masked_fill(~key_mask, neg)
    with torch.no_grad():
        m = s.max(-1, keepdim=True).values
        d = m - s
        keep = key_mask & (d <= frac_bits)
        a = torch.where(keep, torch.exp2(-torch.where(keep, d, torch.zeros_like(d))),
                        torch.zeros_like(d))
        z = a.double().sum(-1, keepdim=True)
        _, ex = torch.frexp(z)
        zp = torch.exp2((ex - 1).double())
        zp = torch.where(z - zp >= 2 * zp - z, 2 * zp, zp)
        p = (a.double() / zp).to(scores.dtype)
    return p


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        h = cfg.hidden
        self.inp = Fire(cfg, h, signed=True, move=True)
        self.q, self.k, self.v = QLinear(cfg, h, h), QLinear(cfg, h, h), QLinear(cfg, h, h)
        self.q_fire = Fire(cfg, h, signed=True, move=False)
        self.k_fire = Fire(cfg, h, signed=True, move=False)
        self.v_fire = Fire(cfg, h, signed=True, move=False)
        self.out_in = Fire(cfg, h, signed=True, move=True)
        self.out = QLinear(cfg, h, h)
        self.norm = Norm(cfg, h)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, hidden, h_exp, mask):
        cfg = self.cfg
        B, n, H = hidden.shape
        nh, dh = cfg.heads, cfg.head_dim
        valid = mask
        x, a_in = self.inp(hidden, in_exp=h_exp, valid=valid)
        outs = []
        for lin, fire in ((self.q, self.q_fire), (self.k, self.k_fire), (self.v, self.v_fire)):
            acc, we = lin(x)
            acc_exp = a_in + we if (a_in is not None and we is not None) else None
            y, e = fire(acc, bias=lin.bias, in_exp=acc_exp, valid=valid)
            outs.append((y, e))
        (q, qe), (k, ke), (v, ve) = outs
        q = q.view(B, n, nh, dh).transpose(1, 2)
        k = k.view(B, n, nh, dh).transpose(1, 2)
        v = v.view(B, n, nh, dh).transpose(1, 2)
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(dh))
        key_mask = mask[:, None, None, :]
        if cfg.softmax == "pt":
            scores = ste(scores, torch.ceil(scores))
            p_exact = pt_softmax(scores, key_mask, cfg.frac_bits)
            p_soft = torch.softmax(scores.masked_fill(~key_mask, -1e9) * math.log(2.0), -1)
            probs = ste(p_soft, p_exact)
        else:
            probs = torch.softmax(scores.masked_fill(~key_mask, -1e9), -1)
        p_exp = None
        if cfg.act_quant:
            p_exp = -cfg.bits
            s = 2.0 ** p_exp
            probs = torch.clamp(round_half_up_ste(probs / s), 0, cfg.levels) * s
        probs = self.drop(probs)
        ctx = (probs @ v).transpose(1, 2).reshape(B, n, H)
        ctx_exp = p_exp + ve if (p_exp is not None and ve is not None) else None
        x2, a_o = self.out_in(ctx, in_exp=ctx_exp, valid=valid)
        acc, we = self.out(x2)
        acc_exp = a_o + we if (a_o is not None and we is not None) else None
        b = quant_to_grid(self.out.bias, acc_exp) if acc_exp is not None else self.out.bias
        res = self.drop(acc + b) + hidden
        return self.norm(res, mask), {"scores": scores, "probs": probs}


class FFN(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.inp = Fire(cfg, cfg.hidden, signed=True, move=True)
        self.up = QLinear(cfg, cfg.hidden, cfg.ffn)
        self.act = Fire(cfg, cfg.ffn, signed=False, move=False, act=cfg.ffn_act)
        self.down = QLinear(cfg, cfg.ffn, cfg.hidden)
        self.norm = Norm(cfg, cfg.hidden)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, hidden, h_exp, mask):
        x, a_in = self.inp(hidden, in_exp=h_exp, valid=mask)
        acc, we = self.up(x)
        acc_exp = a_in + we if (a_in is not None and we is not None) else None
        y, a_act = self.act(acc, bias=self.up.bias, in_exp=acc_exp, valid=mask)
        acc2, we2 = self.down(y)
        acc2_exp = a_act + we2 if (a_act is not None and we2 is not None) else None
        b = quant_to_grid(self.down.bias, acc2_exp) if acc2_exp is not None else self.down.bias
        res = self.drop(acc2 + b) + hidden
        return self.norm(res, mask)


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn = Attention(cfg)
        self.ffn = FFN(cfg)

    def forward(self, hidden, h_exp, mask):
        h1, extra = self.attn(hidden, h_exp, mask)
        return self.ffn(h1, h_exp, mask), extra


class Embed(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        # sparse gradients: the optimizer (train/optim.py's LazyAdamW) updates only a batch's rows
        self.word = nn.Embedding(cfg.vocab_size, cfg.hidden, sparse=True)
        self.pos = nn.Embedding(cfg.max_seq_len, cfg.hidden)
        self.typ = nn.Embedding(cfg.type_vocab_size, cfg.hidden)
        for e in (self.word, self.pos, self.typ):
            nn.init.normal_(e.weight, std=0.02)
        self.norm = Norm(cfg, cfg.hidden)
        self.drop = nn.Dropout(cfg.dropout)

    def quant_params(self, signs=True):
        """(word signs or mean W, word_exp, pos int8, pos_exp, type int8, type_exp); exponents at
        most 16 apart (the package reader's limit), the small ones raised if needed."""
        mean, we = bwn_scale(self.word.weight)
        _, pe = int8_params(self.pos.weight)
        _, te = int8_params(self.typ.weight)
        top = max(we, pe, te)
        p8, pe = int8_params(self.pos.weight, min_exp=top - 16)
        t8, te = int8_params(self.typ.weight, min_exp=top - 16)
        first = bwn_params(self.word.weight)[0] if signs else mean
        return first, we, p8, pe, t8, te

    def forward(self, ids, types, mask):
        cfg = self.cfg
        if cfg.weight_mode == "binary":
            mean, we, p8, pe, t8, te = self.quant_params(signs=False)
            wrows = F.embedding(ids, self.word.weight, sparse=True)
            srows = torch.where(wrows.detach() - mean >= 0, 1.0, -1.0) * 2.0 ** we
            wrows = ste(wrows, srows)
            pos = ste(self.pos.weight, p8 * 2.0 ** pe)
            typ = ste(self.typ.weight, t8 * 2.0 ** te)
            x = wrows + pos[: ids.shape[1]].unsqueeze(0) + F.embedding(types, typ)
        else:
            x = (self.word(ids) + self.pos.weight[: ids.shape[1]].unsqueeze(0)
                 + self.typ(types))
        return self.drop(self.norm(x, mask))


class SorbetModel(nn.Module):
    """forward(ids, types, mask) -> (logits [B, labels], hidden states list [B, n, H] of
    embed.norm and every layer's ffn.norm). Padded positions (mask False) are ignored by
    attention and by BSPN's statistics; their outputs are meaningless."""

    def __init__(self, cfg):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        h = cfg.hidden
        self.embed = Embed(cfg)
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg.layers)])
        self.pool_in = Fire(cfg, h, signed=True, move=True)
        self.pool = QLinear(cfg, h, h)
        self.pool_act = Fire(cfg, h, signed=False, move=False, act=cfg.pool_act)
        self.classifier = Classifier(cfg, h, cfg.num_labels)
        self.drop = nn.Dropout(cfg.dropout)

    def hidden_exp(self):
        return self.cfg.hidden_exp if (self.cfg.norm == "bspn" and self.cfg.act_quant) else None

    def forward(self, ids, types, mask):
        h_exp = self.hidden_exp()
        h = self.embed(ids, types, mask)
        hiddens = [h]
        for layer in self.layers:
            h, _ = layer(h, h_exp, mask)
            hiddens.append(h)
        cls = h[:, 0]
        x, a_in = self.pool_in(cls, in_exp=h_exp)
        acc, we = self.pool(x)
        acc_exp = a_in + we if (a_in is not None and we is not None) else None
        y, a_act = self.pool_act(acc, bias=self.pool.bias, in_exp=acc_exp)
        logits = self.classifier(self.drop(y), a_act)
        return logits, hiddens

    # -- helpers for training
    def fires(self):
        return [m for m in self.modules() if isinstance(m, Fire)]

    def bspns(self):
        return [m for m in self.modules() if isinstance(m, BSPN)]

    def set_calibrating(self, on):
        for m in self.fires() + self.bspns():
            m.calibrating = on

    def set_bspn_batch_iters(self, n):
        for m in self.bspns():
            m.batch_stat_iters = int(m.steps) + n

    def clamp_steps(self):
        with torch.no_grad():
            for f in self.fires():
                f.log2_step.clamp_(STEP_EXP_RANGE[0] - 0.49, STEP_EXP_RANGE[1] + 0.49)


def load_matching(dst, src_state, log=None):
    """Copies every tensor of src_state whose name and shape match dst's; returns the names."""
    own = dst.state_dict()
    copied = []
    with torch.no_grad():
        for k, v in src_state.items():
            if k in own and own[k].shape == v.shape:
                own[k].copy_(v)
                copied.append(k)
    if log:
        log("initialised %d/%d tensors from the source model" % (len(copied), len(own)))
    return copied
