# SPDX-License-Identifier: Apache-2.0
"""Staged knowledge distillation of an integer Sorbet model (entry point: scripts/train-sorbet).

Stages (each starting from the previous one's weights, as the paper's multi-step distillation):
  teacher  full-precision BERT-shaped model trained from scratch on the task (or loaded from a
           local Hugging Face checkpoint with --teacher-hf, then fine-tuned for --teacher-epochs);
  stage1   Sorbet structure with float weights, quantized activations, PTsoftmax and BSPN,
           initialised from the teacher; loss = soft CE on logits (T = 1) + MSE on all hidden
           states (embedding output and every layer's output);
  stage2   binary weights (BWN), initialised from stage 1, distilled from stage 1 (or the teacher).
Then the stage-2 model is exported to models/<name>/ and evaluated by the integer mode over the
full dev set; card.md records architecture, command, time and every score.
"""
import argparse
import json
import math
import os
import random
import shlex
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from . import glue, hf, intmode, paths
from . import package as pkgmod
from .export import export_model
from .model import ModelConfig, SorbetModel, load_matching
from .tokenizer import WordpieceTokenizer

STAGES = ("teacher", "stage1", "stage2")


def save_atomic(obj, path):
    """torch.save through a temporary file: a killed run leaves the previous checkpoint or the
    new one, never a truncated file that --resume would choke on."""
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def stage_index(stage):
    """Seed offset of a stage; extra ensemble teachers ("teacher1", ...) come after the stages."""
    if stage in STAGES:
        return STAGES.index(stage)
    return 10 + int(stage[len("teacher"):])


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


class Logger:
    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.dirname(path), exist_ok=True)

    def __call__(self, msg):
        line = "%s  %s" % (time.strftime("%Y-%m-%d %H:%M:%S"), msg)
        tqdm.write(line, file=sys.stderr)
        with open(self.path, "a") as f:
            f.write(line + "\n")


# ---------------------------------------------------------------------------------------------
# data
def encode_split(tok, task, split, max_len, cache_dir, limit=0):
    """[(ids, type_ids, label or score)] of a GLUE split; cached in cache_dir unless limited."""
    src = paths.glue_path(task.name, split)
    exs = None
    if limit:
        exs = glue.read_tsv(src, task)[:limit]
    else:
        cache = os.path.join(cache_dir, "%s-%s-%d.pt" % (task.name, split, max_len))
        if os.path.exists(cache):
            d = torch.load(cache, map_location="cpu")
            if d.get("src_size") == os.path.getsize(src) and d.get("vocab") == tok.vocab_path:
                return d["data"]
        exs = glue.read_tsv(src, task)
    data = []
    for ex in exs:
        ids, types = tok.encode(ex.text_a, ex.text_b, max_len)
        data.append((ids, types, ex.label if task.num_labels > 1 else ex.score))
    if not limit:
        os.makedirs(cache_dir, exist_ok=True)
        save_atomic({"src_size": os.path.getsize(src), "vocab": tok.vocab_path, "data": data},
                    cache)
    return data


def make_batches(data, batch_size, rng, shuffle=True):
    """Length-bucketed batches: sort by length (with random tie-breaking), chunk, shuffle order."""
    idx = list(range(len(data)))
    if shuffle:
        keys = {i: (len(data[i][0]) + rng.random()) for i in idx}
        idx.sort(key=lambda i: keys[i])
    else:
        idx.sort(key=lambda i: len(data[i][0]))
    batches = [idx[i:i + batch_size] for i in range(0, len(idx), batch_size)]
    if shuffle:
        rng.shuffle(batches)
    return batches


def model_device(model):
    return next(model.parameters()).device


def collate(data, batch, regression=False, device="cpu"):
    """(ids, types, mask, labels) of a batch, padded to its longest example, on `device`."""
    n = max(len(data[i][0]) for i in batch)
    ids = torch.zeros(len(batch), n, dtype=torch.long)
    types = torch.zeros(len(batch), n, dtype=torch.long)
    mask = torch.zeros(len(batch), n, dtype=torch.bool)
    for r, i in enumerate(batch):
        a, t, _ = data[i]
        ids[r, :len(a)] = torch.tensor(a)
        types[r, :len(t)] = torch.tensor(t)
        mask[r, :len(a)] = True
    labels = torch.tensor([data[i][2] for i in batch],
                          dtype=torch.float if regression else torch.long)
    return ids.to(device), types.to(device), mask.to(device), labels.to(device)


# ---------------------------------------------------------------------------------------------
def evaluate(model, data, task, batch_size=128):
    model.eval()
    device = model_device(model)
    logits_all = []
    with torch.no_grad():
        for b in make_batches(data, batch_size, None, shuffle=False):
            ids, types, mask, _ = collate(data, b, device=device)
            logits, _ = model(ids, types, mask)
            logits = logits.cpu()
            for r, i in enumerate(b):
                logits_all.append((i, logits[r]))
    logits_all.sort(key=lambda x: x[0])
    logits = torch.stack([l for _, l in logits_all])
    gold = [d[2] for d in data]
    if task.num_labels == 1:
        pred = logits[:, 0].tolist()
    else:
        pred = logits.argmax(-1).tolist()
    return glue.metrics(task, pred, gold), pred, logits


def main_metric(task, m):
    return m[task.metrics[0]]


def fmt_metrics(m):
    return ", ".join("%s %.4f" % (k, v) for k, v in m.items())


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


def calibrate(model, data, args, log):
    """Sets every quantizer step to its MSE-optimal power of two and BSPN's running phi from a
    calibration batch, layer by layer in forward order."""
    rng = random.Random(args.seed + 99)
    idx = rng.sample(range(len(data)), min(len(data), args.calib_size))
    model.train()
    model.set_calibrating(True)
    with torch.no_grad():
        ids, types, mask, _ = collate(data, idx, device=model_device(model))
        model(ids, types, mask)
    model.set_calibrating(False)
    log("calibrated %d quantizer steps: %s" % (len(model.fires()),
                                               [f.exp() for f in model.fires()]))


class StageRunner:
    def __init__(self, args, task, train, dev, log):
        self.args, self.task, self.train, self.dev, self.log = args, task, train, dev, log
        self.ckpt_dir = os.path.join(args.work_dir, "ckpt")
        os.makedirs(self.ckpt_dir, exist_ok=True)

    def final_path(self, stage):
        return os.path.join(self.ckpt_dir, "%s-final.pt" % stage)

    def epoch_path(self, stage, epoch):
        return os.path.join(self.ckpt_dir, "%s-epoch%d.pt" % (stage, epoch))

    def run(self, stage, model, epochs, lr, teacher=None, init_fn=None, bspn_iters=0,
            select_best=False):
        """Trains `model` for `epochs`; returns (model, dev metrics, seconds). With select_best
        the epoch with the best dev score is kept (used for the teacher only)."""
        args, task, log = self.args, self.task, self.log
        regression = task.num_labels == 1
        fp = self.final_path(stage)
        if args.resume and os.path.exists(fp):
            d = torch.load(fp, map_location=args.device)
            if d.get("epochs", epochs) == epochs:
                model.load_state_dict(d["model"])
                log("%s: resumed finished stage from %s (dev %s)"
                    % (stage, fp, fmt_metrics(d["dev"])))
                return model, d["dev"], d["seconds"]
        steps_per_epoch = math.ceil(len(self.train) / args.batch_size)
        total = max(1, steps_per_epoch * epochs)
        warm = max(1, int(args.warmup * total))
        opt = LazyAdamW(param_groups(model, lr, args.quant_lr, args.wd), lr=lr)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
        start_epoch, seconds, best = 0, 0.0, None
        if args.resume:
            for e in range(epochs, 0, -1):
                p = self.epoch_path(stage, e)
                if os.path.exists(p):
                    d = torch.load(p, map_location=args.device)
                    model.load_state_dict(d["model"])
                    opt.load_state_dict(d["opt"])
                    sched.load_state_dict(d["sched"])
                    start_epoch, seconds = e, d["seconds"]
                    best = d.get("best")
                    for m in model.bspns():
                        m.batch_stat_iters = d["bspn_iters"]
                    log("%s: resumed after epoch %d from %s" % (stage, e, p))
                    break
        if start_epoch == 0:
            if init_fn:
                init_fn(model)
            model.set_bspn_batch_iters(bspn_iters)
        bspn_target = model.bspns()[0].batch_stat_iters if model.bspns() else 0
        if teacher is not None:
            teacher.eval()
        dev_m = None
        for epoch in range(start_epoch, epochs):
            t0 = time.time()
            model.train()
            rng = random.Random(args.seed * 1000 + stage_index(stage) * 100 + epoch)
            torch.manual_seed(args.seed * 1000 + stage_index(stage) * 100 + epoch)
            batches = make_batches(self.train, args.batch_size, rng)
            bar = tqdm(batches, desc="%s epoch %d/%d" % (stage, epoch + 1, epochs),
                       mininterval=1.0 if sys.stderr.isatty() else 60.0, file=sys.stderr,
                       dynamic_ncols=True)
            run_loss, run_n = 0.0, 0
            for b in bar:
                ids, types, mask, labels = collate(self.train, b, regression, args.device)
                logits, hid = model(ids, types, mask)
                if teacher is None:
                    loss = (F.mse_loss(logits[:, 0], labels) if regression
                            else F.cross_entropy(logits, labels))
                    info = ""
                else:
                    with torch.no_grad():
                        t_logits, t_hid = teacher(ids, types, mask)
                    loss, soft, mse = distill_loss(logits, hid, t_logits, t_hid, mask, labels,
                                                   args, regression)
                    info = " soft %.3f mse %.3f" % (soft, mse)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if args.clip > 0:
                    clip_grad_norm(list(model.parameters()), args.clip)
                opt.step()
                sched.step()
                model.clamp_steps()
                run_loss += loss.item()
                run_n += 1
                if run_n % 20 == 0:
                    bar.set_postfix_str("loss %.4f%s" % (run_loss / run_n, info), refresh=False)
            bar.close()
            dt = time.time() - t0
            seconds += dt
            dev_m, _, _ = evaluate(model, self.dev, task)
            log("%s epoch %d/%d: %.0f s, train loss %.4f, dev %s"
                % (stage, epoch + 1, epochs, dt, run_loss / max(1, run_n), fmt_metrics(dev_m)))
            if select_best and (best is None or main_metric(task, dev_m) > main_metric(task, best[1])):
                best = ({k: v.clone() for k, v in model.state_dict().items()}, dev_m, epoch + 1)
            save_atomic({"model": model.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict(), "seconds": seconds, "dev": dev_m,
                        "bspn_iters": bspn_target, "best": best}, self.epoch_path(stage, epoch + 1))
            prev = self.epoch_path(stage, epoch)
            if epoch > 0 and os.path.exists(prev) and not args.keep_checkpoints:
                os.remove(prev)
        if dev_m is None:
            dev_m, _, _ = evaluate(model, self.dev, task)
        if select_best and best is not None:
            model.load_state_dict(best[0])
            dev_m = best[1]
            log("%s: keeping epoch %d (best dev %s)" % (stage, best[2], fmt_metrics(dev_m)))
        save_atomic({"model": model.state_dict(), "dev": dev_m, "seconds": seconds,
                    "epochs": epochs}, fp)
        return model, dev_m, seconds


# ---------------------------------------------------------------------------------------------
def integer_eval(pkg_dir, dev, task, float_pred=None, log=print):
    pkg = pkgmod.read_package(pkg_dir)
    im = intmode.IntModel(pkg)
    preds, logits = [], []
    for ids, types, _ in tqdm(dev, desc="integer dev", file=sys.stderr,
                              mininterval=1.0 if sys.stderr.isatty() else 60.0):
        l, _ = im.run(ids, types)
        logits.append(l)
        preds.append(int(np.argmax(l)) if task.num_labels > 1
                     else math.ldexp(l[0], pkg.info[pkg.output]["out_exp"]))
    m = glue.metrics(task, preds, [d[2] for d in dev])
    agree = None
    if float_pred is not None and task.num_labels > 1:
        agree = sum(int(a == b) for a, b in zip(preds, float_pred)) / len(preds)
    return m, agree, logits


def device_name(device):
    """The device as the log, scores and card record it: cpu, or cuda (<GPU name>)."""
    if device == "cuda":
        return "cuda (%s)" % torch.cuda.get_device_name()
    return device


def write_json_atomic(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def dir_size(d):
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
               if os.path.isfile(os.path.join(d, f)))


def build_parser():
    p = argparse.ArgumentParser(prog="train-sorbet", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", default="SST-2")
    p.add_argument("--name", default=None, help="package name (default: <task>-sorbet)")
    p.add_argument("--out-dir", default=None, help="package directory (default models/<name>)")
    p.add_argument("--work-dir", default=None, help="checkpoints and caches (default out/<name>)")
    p.add_argument("--vocab", default=None)
    a = p.add_argument_group("architecture")
    a.add_argument("--layers", type=int, default=2)
    a.add_argument("--hidden", type=int, default=128)
    a.add_argument("--heads", type=int, default=2)
    a.add_argument("--ffn", type=int, default=512)
    a.add_argument("--max-seq-len", type=int, default=64)
    a.add_argument("--bits", type=int, default=4)
    a.add_argument("--hidden-exp", type=int, default=-12)
    a.add_argument("--beta-exp", type=int, default=-12)
    t = p.add_argument_group("training")
    t.add_argument("--teacher-hf", default=None, help="local Hugging Face BERT checkpoint dir")
    t.add_argument("--teacher-ckpt", default=None,
                   help="a finished teacher of an earlier run (its ckpt/teacher-final.pt) to use "
                        "instead of training one (ablations share their teacher)")
    t.add_argument("--teacher-epochs", type=int, default=3)
    t.add_argument("--teacher-lr", type=float, default=5e-4)
    t.add_argument("--teacher-dropout", type=float, default=0.1)
    t.add_argument("--teacher-ensemble", type=int, default=1,
                   help="train N teachers (seeds SEED..SEED+N-1) and distil from their mean "
                        "class probabilities")
    t.add_argument("--teacher-select", choices=("best", "last"), default="best",
                   help="keep the teacher epoch with the best dev score, or the last one")
    t.add_argument("--s1-epochs", type=int, default=2)
    t.add_argument("--s1-lr", type=float, default=3e-4)
    t.add_argument("--s2-epochs", type=int, default=3)
    t.add_argument("--s2-lr", type=float, default=3e-4)
    t.add_argument("--s2-teacher", choices=("stage1", "teacher"), default="stage1")
    t.add_argument("--student-dropout", type=float, default=0.0)
    t.add_argument("--quant-lr", type=float, default=1e-4, help="LR of the quantizer steps")
    t.add_argument("--wd", type=float, default=0.01)
    t.add_argument("--warmup", type=float, default=0.1)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--clip", type=float, default=1.0)
    t.add_argument("--hidden-weight", type=float, default=1.0)
    t.add_argument("--hard-weight", type=float, default=0.0,
                   help="weight of a hard-label CE term in the students' loss (paper: 0)")
    t.add_argument("--bspn-batch-iters", type=int, default=1000,
                   help="stage-1 steps using BSPN batch statistics before the running phi")
    t.add_argument("--calib-size", type=int, default=512)
    t.add_argument("--no-recalibrate", action="store_true",
                   help="do not recalibrate quantizer steps at the start of stage 2")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--device", choices=("cuda", "cpu"), default=None,
                   help="where every model, teacher and batch lives (default: cuda if "
                        "torch.cuda.is_available(), else cpu)")
    t.add_argument("--resume", action="store_true")
    t.add_argument("--keep-checkpoints", action="store_true")
    t.add_argument("--limit-train", type=int, default=0, help="use the first N train examples")
    t.add_argument("--limit-dev", type=int, default=0, help="use the first N dev examples")
    t.add_argument("--no-export", action="store_true")
    ab = p.add_argument_group("ablation (students that are not Sorbet cannot be exported)")
    ab.add_argument("--student-softmax", choices=("pt", "float"), default="pt",
                    help="attention normalisation of the students: PTsoftmax or float softmax")
    ab.add_argument("--student-norm", choices=("bspn", "layernorm"), default="bspn",
                    help="normalisation of the students: BSPN or LayerNorm")
    return p


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.device is None:
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    elif args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: CUDA is not available to this PyTorch "
                     "(torch.cuda.is_available() is False); use --device cpu")
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    task = glue.task_info(args.task)
    name = args.name or (task.name.lower().replace("-", "") + "-sorbet")
    args.out_dir = args.out_dir or os.path.join(paths.REPO_ROOT, "models", name)
    args.work_dir = args.work_dir or os.path.join(paths.REPO_ROOT, "out", name)
    os.makedirs(args.out_dir, exist_ok=True)
    os.makedirs(args.work_dir, exist_ok=True)
    log = Logger(os.path.join(args.out_dir, "train.log"))
    command = "scripts/train-sorbet " + shlex.join(argv)
    log("command: " + command)
    log("device: " + device_name(args.device))
    t_start = time.time()

    tok = WordpieceTokenizer(args.vocab)
    train = encode_split(tok, task, "train", args.max_seq_len, args.work_dir, args.limit_train)
    dev = encode_split(tok, task, "dev", args.max_seq_len, args.work_dir, args.limit_dev)
    log("data: %d train, %d dev examples (mean length %.1f tokens)"
        % (len(train), len(dev), sum(len(d[0]) for d in train) / max(1, len(train))))

    base = dict(vocab_size=len(tok), layers=args.layers, hidden=args.hidden, heads=args.heads,
                ffn=args.ffn, max_seq_len=args.max_seq_len, num_labels=task.num_labels,
                bits=args.bits, hidden_exp=args.hidden_exp, beta_exp=args.beta_exp)
    tcfg = ModelConfig.teacher(dropout=args.teacher_dropout, **base)
    if args.teacher_hf:
        hcfg = hf.read_config(args.teacher_hf)
        tcfg = tcfg.variant(**hf.teacher_overrides(hcfg))
        hf.check_shapes(hcfg, tcfg)
    s1cfg = ModelConfig(weight_mode="float", act_quant=True, softmax=args.student_softmax,
                        norm=args.student_norm, dropout=args.student_dropout, **base)
    s2cfg = s1cfg.variant(weight_mode="binary")
    runner = StageRunner(args, task, train, dev, log)

    # (a) teacher
    teacher = SorbetModel(tcfg).to(args.device)
    teacher_params = count_params(teacher)
    log("teacher: %s, %d parameters" % (json.dumps(tcfg.to_dict()), teacher_params))
    init_t = (lambda m: hf.load_into(m, args.teacher_hf, log)) if args.teacher_hf else None
    if args.teacher_ckpt:
        d = torch.load(args.teacher_ckpt, map_location=args.device)
        teacher.load_state_dict(d["model"])
        t_dev, _, _ = evaluate(teacher, dev, task)
        t_sec = 0.0
        log("teacher: loaded from %s (trained in %.0f s by that run)"
            % (args.teacher_ckpt, d.get("seconds", 0.0)))
    elif args.teacher_hf and args.teacher_epochs == 0:
        init_t(teacher)
        t_dev, _, _ = evaluate(teacher, dev, task)
        t_sec = 0.0
    else:
        teacher, t_dev, t_sec = runner.run("teacher", teacher, args.teacher_epochs,
                                           args.teacher_lr, init_fn=init_t,
                                           select_best=args.teacher_select == "best")
    log("teacher dev: %s" % fmt_metrics(t_dev))
    if args.teacher_ensemble > 1:
        members = [teacher]
        for k in range(1, args.teacher_ensemble):
            torch.manual_seed(args.seed + k)
            extra = SorbetModel(tcfg).to(args.device)
            extra, k_dev, k_sec = runner.run("teacher%d" % k, extra, args.teacher_epochs,
                                             args.teacher_lr,
                                             select_best=args.teacher_select == "best")
            log("teacher %d dev: %s" % (k, fmt_metrics(k_dev)))
            members.append(extra)
            t_sec += k_sec
        teacher = TeacherEnsemble(members, task.num_labels == 1)
        t_dev, _, _ = evaluate(teacher, dev, task)
        log("ensemble of %d teachers dev: %s" % (len(members), fmt_metrics(t_dev)))

    # (b) stage 1: quantized activations, PTsoftmax, BSPN, float weights
    s1 = SorbetModel(s1cfg).to(args.device)

    def init_s1(m):
        load_matching(m, teacher.state_dict(), log)
        calibrate(m, train, args, log)

    s1, s1_dev, s1_sec = runner.run("stage1", s1, args.s1_epochs, args.s1_lr, teacher=teacher,
                                    init_fn=init_s1, bspn_iters=args.bspn_batch_iters)
    log("stage-1 student dev: %s" % fmt_metrics(s1_dev))

    # (c) stage 2: binary weights
    s2 = SorbetModel(s2cfg).to(args.device)

    def init_s2(m):
        load_matching(m, s1.state_dict(), log)
        if not args.no_recalibrate:
            calibrate(m, train, args, log)

    t2 = s1 if args.s2_teacher == "stage1" else teacher
    s2, s2_dev, s2_sec = runner.run("stage2", s2, args.s2_epochs, args.s2_lr, teacher=t2,
                                    init_fn=init_s2, bspn_iters=0)
    log("stage-2 (binary) student dev: %s" % fmt_metrics(s2_dev))
    scores = {"command": command, "student": s2cfg.to_dict(),
              "dev": {"teacher": t_dev, "stage1": s1_dev, "stage2": s2_dev},
              "seconds": {"teacher": t_sec, "stage1": s1_sec, "stage2": s2_sec},
              "device": device_name(args.device)}
    write_json_atomic(os.path.join(args.work_dir, "scores.json"), scores)
    if not s2cfg.exportable:
        log("the student (softmax %s, norm %s) is not a Sorbet model: not exported"
            % (s2cfg.softmax, s2cfg.norm))
        return 0
    if args.no_export:
        return 0

    # export + integer evaluation
    _, s2_pred, _ = evaluate(s2, dev, task)
    s2 = s2.cpu()  # export reads the tensors through numpy
    pkg = export_model(s2, name, task.name, task.labels)
    tmp_card = "# %s\n\n(training in progress)\n" % name
    pkg.card = tmp_card
    pkgmod.write_package(pkg, args.out_dir, tok.vocab_path)
    t0 = time.time()
    int_m, agree, _ = integer_eval(args.out_dir, dev, task, s2_pred, log)
    int_sec = time.time() - t0
    log("integer model dev: %s (agreement with the float binary student: %s) in %.0f s"
        % (fmt_metrics(int_m), "n/a" if agree is None else "%.4f" % agree, int_sec))
    total_sec = time.time() - t_start
    card = make_card(name, task, args, command, s2cfg, s2, pkg, {
        "teacher": t_dev, "stage1": s1_dev, "stage2": s2_dev, "integer": int_m},
        agree, {"teacher": t_sec, "stage1": s1_sec, "stage2": s2_sec, "total": total_sec},
        teacher_params, len(train), len(dev))
    pkg = pkgmod.read_package(args.out_dir)
    pkg.card = card
    pkgmod.write_package(pkg, args.out_dir, tok.vocab_path)
    size = dir_size(args.out_dir)
    log("package written to %s (%.2f MB)" % (args.out_dir, size / 1e6))
    if size > 10e6:
        log("WARNING: the package exceeds 10 MB")
    write_json_atomic(os.path.join(args.out_dir, "train.json"),
                      {"command": command, "dev": {"teacher": t_dev, "stage1": s1_dev,
                                                   "stage2": s2_dev, "integer": int_m},
                       "agreement": agree, "seconds": total_sec,
                       "device": device_name(args.device)})
    return 0


def make_card(name, task, args, command, cfg, model, pkg, scores, agree, secs, teacher_params,
              n_train, n_dev):
    mm = lambda m: ", ".join("%s %.2f%%" % (k, 100 * v) for k, v in m.items())
    n_params = count_params(model)
    from .model import QLinear
    binary = model.embed.word.weight.numel() + sum(
        m.weight.numel() for m in model.modules() if isinstance(m, QLinear))
    tsize = os.path.getsize(os.path.join(args.out_dir, "tensors.safetensors"))
    lines = [
        "# %s: integer Sorbet for GLUE %s" % (name, task.name), "",
        "A spiking, 1-bit-weight, %d-bit-activation BERT-style classifier (Sorbet: Tang, Yan, Wong, "
        "ICML 2025) trained from scratch in this repository by staged knowledge distillation and "
        "exported as a Granita integer model package (docs/model-format.md, docs/numerics.md)."
        % cfg.bits, "",
        "## Architecture", "",
        "| | |", "|---|---|",
        "| layers | %d |" % cfg.layers, "| hidden | %d |" % cfg.hidden,
        "| heads | %d (head dim %d) |" % (cfg.heads, cfg.head_dim), "| FFN | %d (ReLU) |" % cfg.ffn,
        "| max_seq_len | %d |" % cfg.max_seq_len,
        "| vocabulary | %d (bert-base-uncased WordPiece), binarised word table |" % cfg.vocab_size,
        "| weights | 1 bit (BWN, power-of-two scale); position/type tables and classifier int8 |",
        "| activations | %d-bit spike counts, T = %d |" % (cfg.bits, pkg.arch["time_steps"]),
        "| attention | PTsoftmax (frac_bits %d), probabilities on 2^%d |" % (cfg.frac_bits, -cfg.bits),
        "| normalization | BSPN, group = head dim, hidden grid 2^%d, beta grid 2^%d |"
        % (cfg.hidden_exp, cfg.beta_exp),
        "| parameters (float training copy) | %d (of which %d binarised) |" % (n_params, binary),
        "| tensors.safetensors | %d bytes |" % tsize, "",
        "## Scores (GLUE %s dev, %d sentences)" % (task.name, n_dev), "",
        "| model | dev |", "|---|---|",
        "| full-precision teacher%s (%d parameters%s) | %s |"
        % ("" if args.teacher_ensemble == 1 else " ensemble", teacher_params,
           "" if args.teacher_ensemble == 1 else " each", mm(scores["teacher"])),
        "| stage 1: float weights, quantized activations, PTsoftmax, BSPN | %s |"
        % mm(scores["stage1"]),
        "| stage 2: binary weights (float model, eval mode) | %s |" % mm(scores["stage2"]),
        "| **integer model (this package, Python integer mode)** | **%s** |" % mm(scores["integer"]),
        "",
    ]
    if agree is not None:
        lines += ["Integer-model predictions agree with the stage-2 float model on %.2f%% of the "
                  "dev sentences." % (100 * agree), ""]
    lines += [
        "## Training", "",
        "Data: GLUE %s train.tsv (%d examples), WordPiece-tokenized, truncated to %d tokens. No "
        "pretrained model was used: the teacher is trained from scratch%s." % (
            task.name, n_train, cfg.max_seq_len,
            "" if not args.teacher_hf else " (initialised from %s)" % args.teacher_hf), "",
        "1. Teacher%s: %d epochs, AdamW lr %g, dropout %g, cross-entropy; %s epoch kept (%.0f s)."
        % ("" if args.teacher_ensemble == 1 else
           " (an ensemble of %d, seeds %d..%d, trained alike; soft targets = their mean class "
           "probabilities, hidden-state targets = the first one's)"
           % (args.teacher_ensemble, args.seed, args.seed + args.teacher_ensemble - 1),
           args.teacher_epochs, args.teacher_lr, args.teacher_dropout,
           "the best dev" if args.teacher_select == "best" else "the last", secs["teacher"]),
        "2. Stage 1 (float weights, %d-bit activations, PTsoftmax, BSPN), initialised from the "
        "teacher, quantizer steps calibrated: %d epochs, lr %g, loss = soft CE (T = 1) + MSE on "
        "all %d hidden states (%.0f s)." % (cfg.bits, args.s1_epochs, args.s1_lr, cfg.layers + 1,
                                             secs["stage1"]),
        "3. Stage 2 (binary weights), initialised from stage 1, distilled from the %s: %d epochs, "
        "lr %g (%.0f s)." % ("stage-1 model" if args.s2_teacher == "stage1" else "teacher",
                             args.s2_epochs, args.s2_lr, secs["stage2"]),
        "",
        "All stages: AdamW, weight decay %g, %d%% linear warm-up then linear decay, batch %d, "
        "quantizer-step learning rate %g, seed %d, trained on device %s, %d CPU thread(s). Total "
        "wall time %.1f min."
        % (args.wd, round(100 * args.warmup), args.batch_size, args.quant_lr, args.seed,
           device_name(args.device), args.threads, secs["total"] / 60), "",
        "Command:", "", "```", command, "```", "",
        "## Use", "", "```",
        "scripts/sorbet-intmode --model models/%s --task %s --data ../shared/glue/%s/dev.tsv"
        % (name, task.name, task.name),
        "build/sim/granita eval --model models/%s --data ../shared/glue/%s/dev.tsv"
        % (name, task.name), "```", "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
