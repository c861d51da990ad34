# SPDX-License-Identifier: Apache-2.0
"""scripts/import-sorbet: official Sorbet checkpoints (synthetic, in exactly the official layout)
-> Granita packages of the official profile. Happy paths for 1, 2 and 3 labels through the CLI,
broken checkpoints and arguments (exit 1, the key named, nothing left behind), and the integer
package predicting what the official float forward predicts."""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

import torch

try:
    from . import support
except ImportError:  # run with -s scripts/tests as the top level
    import support
from granita_model import official as O
from granita_model import package as P
from granita_model.intmode import IntModel

IMPORT = os.path.join(support.SCRIPTS, "import-sorbet")
SMALL = dict(layers=1, hidden=32, heads=2, intermediate=64, vocab_size=200, max_position=64)
SEQ = 32            # --max-seq-len of every import below (the checkpoints have 64 positions)
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def write_vocab(path, n=SMALL["vocab_size"], specials=SPECIALS):
    toks = list(specials) + ["tok%d" % i for i in range(n - len(specials))]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(toks) + "\n")
    return path


def run_import(*args):
    """-> (exit code, stdout, stderr) of scripts/import-sorbet ARGS."""
    r = subprocess.run([sys.executable, IMPORT] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       timeout=120)
    return r.returncode, r.stdout, r.stderr


class _Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="granita-import-test-")
        self.ck = os.path.join(self.tmp, "ck")
        self.vocab = write_vocab(os.path.join(self.tmp, "vocab.txt"))
        self.parent = os.path.join(self.tmp, "out")
        os.makedirs(self.parent)
        self.out = os.path.join(self.parent, "pkg")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def make(self, num_labels=2, task="sst-2", seed=1):
        return O.make_official_checkpoint(self.ck, seed=seed, num_labels=num_labels, task=task,
                                          **SMALL)

    def leftovers(self):
        return sorted(n for n in os.listdir(self.parent) if n.startswith(".import-"))


# --------------------------------------------------------------------------------------------
class HappyPath(_Tmp):
    def check_import(self, cfg_task, num_labels, cli_task, expect_task):
        self.make(num_labels, cfg_task)
        args = [self.ck, "-o", self.out, "--vocab", self.vocab, "--max-seq-len", SEQ]
        if cli_task is not None:
            args += ["--task", cli_task]
        rc, out, err = run_import(*args)
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")
        self.assertIn("wrote " + self.out, out)
        self.assertEqual(os.listdir(self.parent), ["pkg"])   # no temporary folder left behind
        pkg = P.read_package(self.out)
        self.assertEqual(pkg.profile, "official")
        self.assertEqual(pkg.task, expect_task)
        self.assertEqual(len(pkg.labels), num_labels)
        self.assertEqual(pkg.op("classifier")["out_features"], num_labels)
        a = pkg.arch
        self.assertEqual((a["layers"], a["hidden"], a["heads"], a["ffn"], a["max_seq_len"],
                          a["vocab_size"]), (1, 32, 2, 64, SEQ, 200))
        with open(self.vocab, "rb") as f, open(os.path.join(self.out, "vocab.txt"), "rb") as g:
            self.assertEqual(f.read(), g.read())
        card = pkg.card
        self.assertIn(os.path.abspath(self.ck), card)                      # the checkpoint
        self.assertIn("%d label(s)" % num_labels, card)
        self.assertIn("max_seq_len %d (the checkpoint has 64 positions)" % SEQ, card)
        self.assertIn("What was snapped or approximated", card)            # snapped quantities
        self.assertIn("24 significant bits", card)
        self.assertIn("hidden state 2^-20", card)
        self.assertIn("embedding tables 2^-24", card)
        self.assertIn("attention probabilities 2^-32", card)
        self.assertIn("max(alpha, 1e-5)", card)
        return pkg

    def test_sts_b_one_label(self):
        self.check_import("sts-b", 1, "STS-B", "STS-B")

    def test_sst2_two_labels(self):
        self.check_import("sst-2", 2, "SST-2", "SST-2")

    def test_mrpc_two_labels(self):
        self.check_import("mrpc", 2, "MRPC", "MRPC")

    def test_mnli_three_labels(self):
        self.check_import("mnli", 3, "MNLI", "MNLI")

    def test_task_from_config(self):
        # no --task: the config's finetuning_task ('sst-2' as the official trainer spells it)
        self.check_import("sst-2", 2, None, "SST-2")

    def test_force_replaces(self):
        os.makedirs(self.out)
        with open(os.path.join(self.out, "old.txt"), "w") as f:
            f.write("old")
        self.make()
        rc, _, err = run_import(self.ck, "-o", self.out, "--task", "SST-2", "--vocab",
                                self.vocab, "--max-seq-len", SEQ, "--force")
        self.assertEqual(rc, 0, err)
        self.assertFalse(os.path.exists(os.path.join(self.out, "old.txt")))
        self.assertEqual(P.read_package(self.out).profile, "official")
        self.assertEqual(self.leftovers(), [])

    # Regression: the package folder was the tempfile.mkdtemp folder renamed and kept mode 0700,
    # so another user could not read the package.
    def test_package_folder_mode_follows_umask(self):
        self.make()
        rc, _, err = run_import(self.ck, "-o", self.out, "--task", "SST-2", "--vocab",
                                self.vocab, "--max-seq-len", SEQ)
        self.assertEqual(rc, 0, err)
        mask = os.umask(0)
        os.umask(mask)
        self.assertEqual(oct(stat.S_IMODE(os.stat(self.out).st_mode)), oct(0o777 & ~mask))


# --------------------------------------------------------------------------------------------
class Broken(_Tmp):
    def setUp(self):
        super().setUp()
        self.sd, self.cfg = self.make()

    def save_sd(self, sd):
        torch.save(sd, os.path.join(self.ck, O.WEIGHTS_NAME))

    def save_cfg(self, cfg):
        with open(os.path.join(self.ck, O.CONFIG_NAME), "w") as f:
            json.dump(cfg, f)

    def expect_error(self, names, *extra, task="SST-2", seq=SEQ, vocab=None):
        """Runs the import; expects exit 1, every string of `names` in the one-line message on
        stderr, and no package and no temporary folder left behind."""
        args = [self.ck, "-o", self.out, "--vocab", vocab or self.vocab, "--max-seq-len", seq]
        if task is not None:
            args += ["--task", task]
        rc, out, err = run_import(*(args + list(extra)))
        self.assertEqual(rc, 1, "stdout: %s\nstderr: %s" % (out, err))
        self.assertTrue(err.startswith("import-sorbet: error: "), err)
        self.assertNotIn("Traceback", err)
        for n in names:
            self.assertIn(n, err)
        self.assertNotIn("wrote", out)
        self.assertEqual(self.leftovers(), [])
        return err

    def expect_nothing_written(self, *a, **k):
        err = self.expect_error(*a, **k)
        self.assertFalse(os.path.exists(self.out))
        return err

    def test_missing_key(self):
        key = "bert.encoder.layer.0.attention.self.clip_query"
        del self.sd[key]
        self.save_sd(self.sd)
        self.expect_nothing_written([O.WEIGHTS_NAME, "missing key", key])

    def test_wrong_shape(self):
        # three classifier rows in a checkpoint whose config says num_labels = 2
        self.sd["classifier.weight"] = torch.randn(3, SMALL["hidden"])
        self.save_sd(self.sd)
        self.expect_nothing_written([O.WEIGHTS_NAME, "classifier.weight", "[3, 32]", "[2, 32]"])

    def test_unexpected_key(self):
        key = "bert.encoder.layer.0.attention.self.teacher_scale"
        self.sd[key] = torch.tensor(0.5)
        self.save_sd(self.sd)
        self.expect_nothing_written([O.WEIGHTS_NAME, "unexpected key", key])

    def test_unknown_input_quant_method(self):
        self.cfg["input_quant_method"] = "uniform"
        self.save_cfg(self.cfg)
        self.expect_nothing_written([O.CONFIG_NAME, "input_quant_method", "uniform"])

    def test_gelu_rejected(self):
        # the reader accepts gelu (official_forward runs it); the integer FFN cannot
        self.cfg["hidden_act"] = "gelu"
        self.save_cfg(self.cfg)
        self.expect_nothing_written(["hidden_act", "gelu"])

    def test_num_labels_do_not_match_task(self):
        shutil.rmtree(self.ck)
        self.make(num_labels=3, task="mnli")
        self.expect_nothing_written(["num_labels", "3", "SST-2"], task="SST-2")

    def test_step_exactly_one(self):
        key = "bert.encoder.layer.0.attention.self.clip_attn"
        self.sd[key] = torch.tensor(1.0)
        self.save_sd(self.sd)
        self.expect_nothing_written([O.WEIGHTS_NAME, key, "exactly 1.0"])

    def test_missing_config(self):
        os.remove(os.path.join(self.ck, O.CONFIG_NAME))
        self.expect_nothing_written([O.CONFIG_NAME, "cannot read"])

    def test_corrupt_weights(self):
        g = torch.Generator().manual_seed(7)
        data = bytes(torch.randint(0, 256, (4096,), generator=g, dtype=torch.uint8).tolist())
        with open(os.path.join(self.ck, O.WEIGHTS_NAME), "wb") as f:
            f.write(data)
        self.expect_nothing_written([O.WEIGHTS_NAME, "not a torch state_dict"])

    def test_max_seq_len_beyond_positions(self):
        self.expect_nothing_written(["--max-seq-len 65", "max_position_embeddings 64"], seq=65)

    def test_unknown_task(self):
        self.expect_nothing_written(["task", "'SST-3'"], task="SST-3")

    def snapshot(self, d):
        out = {}
        for root, _, files in os.walk(d):
            for n in files:
                with open(os.path.join(root, n), "rb") as f:
                    out[os.path.relpath(os.path.join(root, n), d)] = f.read()
        return out

    def test_existing_output_without_force(self):
        os.makedirs(self.out)
        with open(os.path.join(self.out, "keep.txt"), "w") as f:
            f.write("user data")
        before = self.snapshot(self.out)
        self.expect_error([self.out, "exists", "--force"])
        self.assertEqual(self.snapshot(self.out), before)

    def test_force_with_broken_checkpoint_keeps_existing_output(self):
        os.makedirs(self.out)
        with open(os.path.join(self.out, "keep.txt"), "w") as f:
            f.write("user data")
        before = self.snapshot(self.out)
        key = "bert.pooler.dense.move.bias"
        del self.sd[key]
        self.save_sd(self.sd)
        self.expect_error([key], "--force")
        self.assertEqual(self.snapshot(self.out), before)

    def test_vocab_too_large_writes_nothing(self):
        # checked before anything is written; the message names the given file
        big = write_vocab(os.path.join(self.tmp, "big.txt"), n=250)
        self.expect_nothing_written(["big.txt", "250 tokens", "200"], vocab=big)

    # Regression: a vocabulary rejected on read-back was reported under the path of the deleted
    # temporary copy (".../out/.import-XXXX/vocab.txt"), not the --vocab file the user gave.
    def test_vocab_error_names_the_given_file(self):
        big = write_vocab(os.path.join(self.tmp, "big.txt"), n=250)
        err = self.expect_nothing_written(["250 tokens"], vocab=big)
        self.assertIn("big.txt", err)
        self.assertNotIn(".import-", err)


# --------------------------------------------------------------------------------------------
class AgreesWithOfficialForward(_Tmp):
    def test_argmax_agrees(self):
        sd, cfg = self.make(num_labels=2, task="sst-2", seed=5)
        g = torch.Generator().manual_seed(11)
        seqs = []
        for _ in range(20):
            L = int(torch.randint(2, SEQ + 1, (1,), generator=g))
            seqs.append(torch.randint(5, SMALL["vocab_size"], (L,), generator=g))
        # An untrained random checkpoint predicts one class almost always, which would make the
        # comparison vacuous: move classifier.bias[1] so the float decision boundary falls in the
        # widest gap between the middle logit differences (at least 5 sequences per class).
        with torch.no_grad():
            d = sorted(float(l[0] - l[1]) for l in (O.official_forward(sd, cfg, s) for s in seqs))
            i = max(range(5, 15), key=lambda j: d[j] - d[j - 1])
            sd["classifier.bias"][1] += (d[i] + d[i - 1]) / 2
        torch.save(sd, os.path.join(self.ck, O.WEIGHTS_NAME))
        sd, cfg = O.load_official_checkpoint(self.ck)

        rc, _, err = run_import(self.ck, "-o", self.out, "--vocab", self.vocab, "--max-seq-len",
                                SEQ)
        self.assertEqual(rc, 0, err)
        im = IntModel(P.read_package(self.out))
        floats, ints = [], []
        for s in seqs:
            floats.append(int(torch.argmax(O.official_forward(sd, cfg, s))))
            ints.append(im.predict(s.tolist(), [0] * len(s))[0])
        self.assertEqual(set(floats), {0, 1})          # both classes occur: not a vacuous test
        agree = sum(a == b for a, b in zip(floats, ints))
        # 19/20, not 20/20: the fixed-point package rounds products and factors differently from
        # float32, and where a value sits on a rounding boundary a quantiser level can flip, which
        # can flip a near-tie of this untrained model's logits.
        self.assertGreaterEqual(agree, 19, "float %s\nint   %s" % (floats, ints))


if __name__ == "__main__":
    unittest.main()
