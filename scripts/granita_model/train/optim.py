# SPDX-License-Identifier: Apache-2.0
"""Optimisation: parameter groups (quantizer steps get their own learning rate), AdamW that
accepts the word table's sparse gradients, and gradient clipping that handles them too."""
import math

import torch


def param_groups(model, lr, quant_lr, wd):
    steps, decay, no_decay = [], [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.endswith("log2_step"):
            steps.append(p)
        elif name.endswith("bias") or ".norm." in name or name.endswith("move"):
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "lr": lr, "weight_decay": wd},
              {"params": no_decay, "lr": lr, "weight_decay": 0.0}]
    if steps:
        groups.append({"params": steps, "lr": quant_lr, "weight_decay": 0.0})
    return groups


class LazyAdamW(torch.optim.Optimizer):
    """AdamW (decoupled weight decay, bias-corrected with the global step) that also accepts
    sparse gradients, for which it updates only the rows present in the batch (as TensorFlow's
    LazyAdam): the word table has 30522 rows, of which a batch touches a few hundred."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["exp_avg"] = torch.zeros_like(p)
                    st["exp_avg_sq"] = torch.zeros_like(p)
                st["step"] += 1
                t = st["step"]
                bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
                m, v = st["exp_avg"], st["exp_avg_sq"]
                g = p.grad
                if g.is_sparse:
                    g = g.coalesce()
                    idx, vals = g.indices()[0], g.values()
                    mr = m[idx].mul_(b1).add_(vals, alpha=1 - b1)
                    vr = v[idx].mul_(b2).addcmul_(vals, vals, value=1 - b2)
                    m[idx] = mr
                    v[idx] = vr
                    rows = p[idx].mul_(1 - lr * wd)
                    rows.addcdiv_(mr, (vr / bc2).sqrt_().add_(eps), value=-lr / bc1)
                    p[idx] = rows
                else:
                    p.mul_(1 - lr * wd)
                    m.mul_(b1).add_(g, alpha=1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    p.addcdiv_(m, (v / bc2).sqrt_().add_(eps), value=-lr / bc1)


def clip_grad_norm(params, max_norm):
    """clip_grad_norm_ that also handles sparse gradients."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    sq = 0.0
    for g in grads:
        if g.is_sparse:
            g = g.coalesce()
            sq += float((g.values() ** 2).sum())
        else:
            sq += float((g ** 2).sum())
    norm = math.sqrt(sq)
    if norm > max_norm:
        coef = max_norm / (norm + 1e-6)
        for p in params:
            if p.grad is not None:
                if p.grad.is_sparse:
                    p.grad = p.grad.coalesce() * coef
                else:
                    p.grad.mul_(coef)
    return norm
