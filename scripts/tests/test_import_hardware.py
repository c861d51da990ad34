# SPDX-License-Identifier: Apache-2.0
"""scripts/import-sorbet --profile hardware: an official Sorbet checkpoint (synthetic, in exactly
the official layout) -> a version-1 package of the hardware profile. The package reads back, has
the checkpoint's shapes and the snapped steps / BWN scales, its card lists the divergences, the
default profile stays official, and the integer mode predicts (mostly) what the official float
forward predicts."""
import contextlib
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

try:
    from . import support
except ImportError:  # run with -s scripts/tests as the top level
    import support
from granita_model import import_cli
from granita_model import importer_hardware as IH
from granita_model import official as O
from granita_model import package as P
from granita_model.intmode import IntModel
from granita_model.tokenizer import WordpieceTokenizer

IMPORT = os.path.join(support.SCRIPTS, "import-sorbet")
GRANITA = os.path.join(os.path.dirname(support.SCRIPTS), "build", "sim", "granita")
SMALL = dict(layers=1, hidden=32, heads=2, intermediate=64, vocab_size=200, max_position=64)
SEQ = 32
SEED = 1
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


class HardwareImport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="granita-import-hw-test-")
        cls.ck = os.path.join(cls.tmp, "ck")
        cls.sd, cls.cfg = O.make_official_checkpoint(cls.ck, seed=SEED, task="sst-2", **SMALL)
        cls.vocab = os.path.join(cls.tmp, "vocab.txt")
        with open(cls.vocab, "w", encoding="utf-8") as f:
            toks = SPECIALS + ["tok%d" % i for i in range(SMALL["vocab_size"] - len(SPECIALS))]
            f.write("\n".join(toks) + "\n")
        cls.out = os.path.join(cls.tmp, "hw")
        r = subprocess.run([sys.executable, IMPORT, cls.ck, "-o", cls.out, "--vocab", cls.vocab,
                            "--max-seq-len", str(SEQ), "--profile", "hardware"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=120)
        cls.rc, cls.stdout, cls.stderr = r.returncode, r.stdout, r.stderr
        cls.pkg = P.read_package(cls.out) if r.returncode == 0 else None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_cli_writes_a_version_1_hardware_package(self):
        self.assertEqual(self.rc, 0, self.stderr)
        self.assertEqual(self.stderr, "")
        self.assertIn("hardware profile", self.stdout)
        self.assertEqual(self.pkg.profile, "hardware")
        self.assertEqual(self.pkg.version, 1)
        with open(os.path.join(self.out, "model.yaml")) as f:
            text = f.read()
        self.assertIn("\nversion: 1\n", text)
        self.assertNotIn("profile:", text)
        self.assertEqual(self.pkg.task, "SST-2")
        self.assertEqual(sorted(os.listdir(self.tmp)), ["ck", "hw", "vocab.txt"])  # no temp left

    def test_default_profile_stays_official(self):
        out = os.path.join(self.tmp, "default")
        with contextlib.redirect_stdout(io.StringIO()):
            rc = import_cli.main([self.ck, "-o", out, "--vocab", self.vocab, "--max-seq-len",
                                  str(SEQ)])
        self.assertEqual(rc, 0)
        pkg = P.read_package(out)
        self.assertEqual((pkg.profile, pkg.version), ("official", P.FORMAT_VERSION))
        shutil.rmtree(out)

    def test_shapes_match_the_checkpoint(self):
        c, a, pkg = self.cfg, self.pkg.arch, self.pkg
        H, I = c["hidden_size"], c["intermediate_size"]
        self.assertEqual((a["layers"], a["hidden"], a["heads"], a["ffn"], a["vocab_size"],
                          a["type_vocab_size"], a["max_seq_len"], a["bits"]),
                         (c["num_hidden_layers"], H, c["num_attention_heads"], I,
                          c["vocab_size"], c["type_vocab_size"], SEQ, 4))
        T = pkg.tensors
        self.assertEqual(T["embed.word"].shape, (c["vocab_size"], (H + 7) // 8))
        self.assertEqual((T["embed.pos"].dtype, T["embed.pos"].shape), (np.int8, (SEQ, H)))
        self.assertEqual(T["embed.type"].shape, (c["type_vocab_size"], H))
        dh = H // c["num_attention_heads"]
        for op in pkg.ops:
            if op["type"] == "bspn":
                self.assertEqual(op["group"], dh, op["name"])
            if op["type"] == "fire":
                self.assertEqual(op["out_exp"], op["in_exp"] + op["shift"], op["name"])
        n = "layers.0."
        # three separate Q/K/V input fires on the same hidden state
        ins = [pkg.op(n + "attn.%s.in" % s) for s in "qkv"]
        self.assertEqual({tuple(o["inputs"]) for o in ins}, {("embed.norm",)})
        for s, site in zip("qkv", ("query", "key", "value")):
            lin = pkg.op(n + "attn." + s)
            self.assertEqual((lin["in_features"], lin["out_features"]), (H, H))
            key = "bert.encoder.layer.0.attention.self." + site
            w = self.sd[key + ".weight"]
            self.assertEqual(lin["weight_exp"],
                             math.floor(math.log2(float(w.abs().mean())) + 0.5))
            self.assertEqual(pkg.op(n + "attn.%s.in" % s)["out_exp"],
                             IH.pow2_exp(float(self.sd[key + ".input_clip_val"])))
            signs = P.unpack_bits(T[n + "attn." + s + ".weight"], H)
            np.testing.assert_array_equal(signs, np.where((w - w.mean()).numpy() >= 0, 1, -1))
        self.assertEqual((pkg.op(n + "ffn.up")["in_features"], pkg.op(n + "ffn.up")["out_features"]),
                         (H, I))
        down_in = pkg.op(n + "ffn.down.in")
        self.assertEqual((down_in["inputs"], down_in["offset"], down_in["features"]),
                         ([n + "ffn.up"], 0, I))
        self.assertEqual(pkg.op(n + "attn.softmax")["out_exp"],
                         IH.pow2_exp(float(self.sd["bert.encoder.layer.0.attention.self.clip_attn"])))
        self.assertEqual(pkg.op("pool.act")["offset"], 0)
        cls_w = T["classifier.weight"]
        self.assertEqual((cls_w.dtype, cls_w.shape), (np.int8, (2, H)))
        self.assertGreaterEqual(int(np.abs(cls_w).max()), 64)     # the int8 range is used

    def test_card_names_profile_and_divergences(self):
        card = self.pkg.card
        self.assertIn("**hardware**", card)
        for needle in ("snapped to 2^round(log2 alpha)", "one power-of-two scale",
                       "int8", "Embedding LayerNorm replaced by a hardware BSPN",
                       "LayerNorm weight", "LayerNorm bias", "move after the ReLU",
                       "tensor-wide minimum", "dropped", "4*mean/sqrt(15)",
                       "random token sequences", "Classifier: int8"):
            self.assertIn(needle, card)
        # one line per divergence, every snapped site in the table
        lines = [l for l in card.split("\n") if l.startswith("* ")]
        self.assertGreaterEqual(len(lines), 12)
        self.assertIn("bert.pooler.dense.input_clip_val", card)
        self.assertIn("pooler output (calibrated)", card)

    def test_cpp_reader_accepts_it(self):
        if not os.access(GRANITA, os.X_OK):
            self.skipTest("granita binary not built")
        r = subprocess.run([GRANITA, "eval", "--model", self.out, "--text", "tok1 tok7 tok30"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"^logits (.*)$", r.stdout, re.M)
        self.assertIsNotNone(m, r.stdout)
        ids, types = WordpieceTokenizer(self.vocab).encode("tok1 tok7 tok30", None, SEQ)
        logits, _ = IntModel(self.pkg).run(ids, types)
        self.assertEqual([int(v) for v in m.group(1).split()], logits)

    def test_intmode_predicts_like_the_official_forward(self):
        # The hardware profile is an approximation of the official forward (steps and BWN scales
        # snapped to powers of two, BSPN for the embedding LayerNorm, no tensor minima, a
        # quantized pooler and an int8 classifier), so predictions agree only mostly. Measured
        # when this test was written: 20 of 20 on this checkpoint (seed 1; official logit margins
        # ~0.06), and 242 of 300 over seeds 1-15 (where seeds 3, 9 and 13, whose logit margins are
        # ~0.01, gave 10, 0 and 12). Threshold 17: a bit below the measured 20, above the 14 of 20
        # the task asks for.
        fwd = O.OfficialForward(state_dict=self.sd, config=self.cfg)
        im = IntModel(self.pkg)
        g = torch.Generator().manual_seed(777)
        agree = 0
        for _ in range(20):
            ids = O.random_sentence(g, SMALL["vocab_size"], SEQ, 4)
            with torch.no_grad():
                want = int(torch.argmax(fwd(ids)))
            got, logits = im.predict(ids.tolist())
            self.assertEqual(len(logits), 2)
            agree += int(got == want)
        self.assertGreaterEqual(agree, 17)


if __name__ == "__main__":
    unittest.main()
