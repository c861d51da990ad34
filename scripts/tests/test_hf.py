# SPDX-License-Identifier: Apache-2.0
"""The --teacher-hf path: a tiny randomly initialised Hugging Face-style BERT checkpoint written
by the test is loaded into the teacher, which must compute what an independent BERT forward pass
(written here from the HF parameter names) computes; then the whole train-sorbet pipeline runs on
it end to end (tiny data) and sorbet-intmode reads the exported package."""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import torch
import torch.nn.functional as F

try:
    from . import support
except ImportError:  # run with -s scripts/tests as the top level
    import support
from granita_model import hf
from granita_model.model import ModelConfig, SorbetModel

HF_CFG = {"architectures": ["BertForSequenceClassification"], "hidden_size": 16,
          "num_hidden_layers": 2, "num_attention_heads": 1, "intermediate_size": 32,
          "max_position_embeddings": 40, "type_vocab_size": 2, "hidden_act": "gelu",
          "layer_norm_eps": 1e-12, "model_type": "bert"}


def write_checkpoint(d, vocab_size, seed=0, classifier=True):
    cfg = dict(HF_CFG, vocab_size=vocab_size)
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g) * 0.2
    H, I, L = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    sd = {"bert.embeddings.word_embeddings.weight": r(vocab_size, H),
          "bert.embeddings.position_embeddings.weight": r(cfg["max_position_embeddings"], H),
          "bert.embeddings.token_type_embeddings.weight": r(2, H),
          "bert.embeddings.LayerNorm.weight": 1 + r(H), "bert.embeddings.LayerNorm.bias": r(H),
          "bert.pooler.dense.weight": r(H, H), "bert.pooler.dense.bias": r(H)}
    for l in range(L):
        p = "bert.encoder.layer.%d." % l
        for n, (o, i) in {"attention.self.query": (H, H), "attention.self.key": (H, H),
                          "attention.self.value": (H, H), "attention.output.dense": (H, H),
                          "intermediate.dense": (I, H), "output.dense": (H, I)}.items():
            sd[p + n + ".weight"] = r(o, i)
            sd[p + n + ".bias"] = r(o)
        for n in ("attention.output.LayerNorm", "output.LayerNorm"):
            sd[p + n + ".weight"] = 1 + r(H)
            sd[p + n + ".bias"] = r(H)
    if classifier:
        sd["classifier.weight"] = r(2, H)
        sd["classifier.bias"] = r(2)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f)
    torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    return cfg, sd


def reference_bert(sd, cfg, ids, types):
    """BERT-for-sequence-classification forward pass straight from the HF state dict."""
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    dh = H // nh
    g = lambda k: sd["bert." + k]
    ln = lambda x, k: F.layer_norm(x, (H,), g(k + ".weight"), g(k + ".bias"), 1e-12)
    lin = lambda x, k: x @ g(k + ".weight").T + g(k + ".bias")
    n = ids.shape[1]
    x = (g("embeddings.word_embeddings.weight")[ids]
         + g("embeddings.position_embeddings.weight")[:n]
         + g("embeddings.token_type_embeddings.weight")[types])
    x = ln(x, "embeddings.LayerNorm")
    for l in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % l
        split = lambda t: t.view(t.shape[0], n, nh, dh).transpose(1, 2)
        q, k, v = (split(lin(x, p + "attention.self." + s)) for s in ("query", "key", "value"))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), -1) @ v
        a = a.transpose(1, 2).reshape(x.shape)
        x = ln(lin(a, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = F.gelu(lin(x, p + "intermediate.dense"))
        x = ln(lin(h, p + "output.dense") + x, p + "output.LayerNorm")
    pooled = torch.tanh(lin(x[:, 0], "pooler.dense"))
    return pooled @ sd["classifier.weight"].T + sd["classifier.bias"]


class HfTeacherTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="granita-hf-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def teacher_cfg(self, hcfg, vocab):
        cfg = ModelConfig.teacher(vocab_size=vocab, layers=2, hidden=16, heads=1, ffn=32,
                                  max_seq_len=24, num_labels=2)
        return cfg.variant(**hf.teacher_overrides(hcfg))

    def test_loaded_teacher_matches_reference_bert(self):
        d = os.path.join(self.tmp, "ckpt")
        hcfg, sd = write_checkpoint(d, vocab_size=50)
        teacher = SorbetModel(self.teacher_cfg(hcfg, 50))
        self.assertEqual(hf.load_into(teacher, d, log=lambda m: None), 7 + 2 * 16 + 2)
        teacher.eval()
        torch.manual_seed(0)
        ids = torch.randint(0, 50, (3, 9))
        types = torch.cat([torch.zeros(3, 5), torch.ones(3, 4)], 1).long()
        mask = torch.ones(3, 9, dtype=torch.bool)
        with torch.no_grad():
            ours, _ = teacher(ids, types, mask)
        torch.testing.assert_close(ours, reference_bert(sd, hcfg, ids, types), rtol=1e-4,
                                   atol=1e-5)

    def test_shape_mismatch_is_named(self):
        d = os.path.join(self.tmp, "ckpt-mismatch")
        hcfg, _ = write_checkpoint(d, vocab_size=50)
        cfg = self.teacher_cfg(hcfg, 50).variant(ffn=64)
        with self.assertRaisesRegex(ValueError, "intermediate_size: the checkpoint has 32"):
            hf.load_into(SorbetModel(cfg), d, log=lambda m: None)

    @unittest.skipUnless(support.HAVE_VOCAB, "needs the BERT vocabulary and GLUE in $GRANITA_DATA")
    def test_train_pipeline_end_to_end_with_hf_teacher(self):
        from granita_model import paths
        if not os.path.exists(paths.glue_path("SST-2", "train")):
            self.skipTest("no GLUE SST-2")
        ck = os.path.join(self.tmp, "ckpt-full")
        write_checkpoint(ck, vocab_size=30522, classifier=False)
        out, work = os.path.join(self.tmp, "model"), os.path.join(self.tmp, "work")
        cmd = [sys.executable, os.path.join(support.SCRIPTS, "train-sorbet"), "--name", "e2e",
               "--out-dir", out, "--work-dir", work, "--teacher-hf", ck, "--layers", "2",
               "--hidden", "16", "--heads", "1", "--ffn", "32", "--max-seq-len", "24",
               "--teacher-epochs", "1", "--s1-epochs", "1", "--s2-epochs", "1",
               "--limit-train", "96", "--limit-dev", "24", "--batch-size", "16",
               "--calib-size", "32", "--bspn-batch-iters", "2"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        for f in ("model.yaml", "tensors.safetensors", "vocab.txt", "card.md",
                  "checksums.sha256", "train.log"):
            self.assertTrue(os.path.exists(os.path.join(out, f)), f)
        with open(os.path.join(out, "card.md")) as f:
            card = f.read()
        for want in ("integer model", "--teacher-hf", "stage 1", "stage 2", "teacher"):
            self.assertIn(want, card)
        with open(os.path.join(out, "train.json")) as f:
            res = json.load(f)
        self.assertIn("accuracy", res["dev"]["integer"])
        self.assertEqual(res["agreement"], 1.0)
        # sorbet-intmode: JSON lines with index, ids and integer logits
        r = subprocess.run([sys.executable, os.path.join(support.SCRIPTS, "sorbet-intmode"),
                            "--model", out, "--task", "SST-2", "--data",
                            paths.glue_path("SST-2", "dev"), "--limit", "3"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual([l["index"] for l in lines], [0, 1, 2])
        self.assertEqual(lines[0]["ids"][0], 101)
        self.assertTrue(all(isinstance(v, int) for v in lines[0]["logits"]))


if __name__ == "__main__":
    unittest.main()
