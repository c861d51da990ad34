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
import os
import random
import shlex
import sys
import time

import numpy as np
import torch

from .. import glue, hf, paths
from .. import package as pkgmod
from ..export import export_model
from ..model import ModelConfig, SorbetModel, load_matching
from ..tokenizer import WordpieceTokenizer
from .card import count_params, make_card
from .data import encode_split
from .distill import TeacherEnsemble
from .evaluate import evaluate, fmt_metrics, integer_eval
from .run_output import Logger, device_name, dir_size, write_json_atomic
from .stages import StageRunner, calibrate


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
