# SPDX-License-Identifier: Apache-2.0
"""One training stage at a time: StageRunner trains a model for its epochs (resumable from the
per-epoch checkpoints, warm-up then linear decay), distilling from a teacher when given one;
calibrate sets the quantizer steps before a stage."""
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F
from tqdm import tqdm

from .data import collate, make_batches, model_device
from .distill import distill_loss
from .evaluate import evaluate, fmt_metrics, main_metric
from .optim import LazyAdamW, clip_grad_norm, param_groups
from .run_output import save_atomic

STAGES = ("teacher", "stage1", "stage2")


def stage_index(stage):
    """Seed offset of a stage; extra ensemble teachers ("teacher1", ...) come after the stages."""
    if stage in STAGES:
        return STAGES.index(stage)
    return 10 + int(stage[len("teacher"):])


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
