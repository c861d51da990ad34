# SPDX-License-Identifier: Apache-2.0
"""card.md of a trained package: architecture, scores of every stage, the training recipe and
the command that reproduces it."""
import os

from .run_output import device_name


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def make_card(name, task, args, command, cfg, model, pkg, scores, agree, secs, teacher_params,
              n_train, n_dev):
    mm = lambda m: ", ".join("%s %.2f%%" % (k, 100 * v) for k, v in m.items())
    n_params = count_params(model)
    from ..model import QLinear
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
