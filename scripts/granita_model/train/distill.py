# SPDX-License-Identifier: Apache-2.0
"""Knowledge distillation: the teacher ensemble and the students' loss (soft targets + MSE on
the hidden states, optionally a hard-label term)."""
import torch
import torch.nn.functional as F


class TeacherEnsemble(torch.nn.Module):
    """Several independently trained teachers as one: the soft targets are the mean of their
    class probabilities (returned as log-probabilities, so softmax() gives the mean back; the
    mean output for regression); hidden states are the first member's, since the members'
    hidden spaces are unrelated."""

    def __init__(self, members, regression):
        super().__init__()
        self.members = torch.nn.ModuleList(members)
        self.regression = regression

    def forward(self, ids, types, mask):
        outs = [m(ids, types, mask) for m in self.members]
        if self.regression:
            logits = torch.stack([o[0] for o in outs]).mean(0)
        else:
            probs = torch.stack([F.softmax(o[0], -1) for o in outs]).mean(0)
            logits = torch.log(probs.clamp_min(1e-12))
        return logits, outs[0][1]

    def state_dict(self, *a, **kw):  # stage 1 is initialised from the first member
        return self.members[0].state_dict(*a, **kw)


def distill_loss(s_logits, s_hid, t_logits, t_hid, mask, labels, args, regression):
    if regression:
        soft = F.mse_loss(s_logits, t_logits)
    else:
        soft = -(F.softmax(t_logits, -1) * F.log_softmax(s_logits, -1)).sum(-1).mean()
    m = mask.unsqueeze(-1).float()
    denom = m.sum() * s_hid[0].shape[-1]
    mse = sum((((s - t) ** 2) * m).sum() for s, t in zip(s_hid, t_hid)) / denom
    loss = soft + args.hidden_weight * mse
    if args.hard_weight > 0:
        hard = (F.mse_loss(s_logits[:, 0], labels) if regression
                else F.cross_entropy(s_logits, labels))
        loss = loss + args.hard_weight * hard
    return loss, soft.item(), mse.item()
