# SPDX-License-Identifier: Apache-2.0
"""granita_model.official: synthetic checkpoints in exactly the official Sorbet layout, the
validating reader, and the float32 re-implementation of the official eval forward, checked on
hand-derived micro-cases (PTsoftmax ties, the FFN-down negative-minimum branch, BSPN divisors)."""
import json
import math
import os
import shutil
import tempfile
import unittest

import torch

try:
    from . import support  # noqa: F401  (sets the import path)
except ImportError:  # run with -s scripts/tests as the top level
    import support  # noqa: F401
from granita_model import official as O

SMALL = dict(layers=1, hidden=16, heads=2, intermediate=32, vocab_size=300, max_position=40)

# The state_dict of the official student BertForSequenceClassification (modeling_bert_quant_snn.py)
# for 1 layer, H=16, I=32, V=300, 512 positions, 2 labels, as printed by the official code.
OFFICIAL_KEYS_1L = """
bert.embeddings.word_embeddings.weight 300,16
bert.embeddings.position_embeddings.weight 40,16
bert.embeddings.token_type_embeddings.weight 2,16
bert.embeddings.LayerNorm.weight 16
bert.embeddings.LayerNorm.bias 16
bert.encoder.layer.0.attention.self.clip_query -
bert.encoder.layer.0.attention.self.clip_key -
bert.encoder.layer.0.attention.self.clip_value -
bert.encoder.layer.0.attention.self.clip_attn -
bert.encoder.layer.0.attention.self.query.weight 16,16
bert.encoder.layer.0.attention.self.query.bias 16
bert.encoder.layer.0.attention.self.query.input_clip_val -
bert.encoder.layer.0.attention.self.query.move.bias 16
bert.encoder.layer.0.attention.self.key.weight 16,16
bert.encoder.layer.0.attention.self.key.bias 16
bert.encoder.layer.0.attention.self.key.input_clip_val -
bert.encoder.layer.0.attention.self.key.move.bias 16
bert.encoder.layer.0.attention.self.value.weight 16,16
bert.encoder.layer.0.attention.self.value.bias 16
bert.encoder.layer.0.attention.self.value.input_clip_val -
bert.encoder.layer.0.attention.self.value.move.bias 16
bert.encoder.layer.0.attention.self.move_q.bias 16
bert.encoder.layer.0.attention.self.move_k.bias 16
bert.encoder.layer.0.attention.self.move_v.bias 16
bert.encoder.layer.0.attention.output.dense.weight 16,16
bert.encoder.layer.0.attention.output.dense.bias 16
bert.encoder.layer.0.attention.output.dense.input_clip_val -
bert.encoder.layer.0.attention.output.dense.move.bias 16
bert.encoder.layer.0.attention.output.LayerNorm.weight 16
bert.encoder.layer.0.attention.output.LayerNorm.bias 16
bert.encoder.layer.0.attention.output.LayerNorm.running_phi 1,16,1,1
bert.encoder.layer.0.attention.output.LayerNorm.ema_gz 1,16,1,1
bert.encoder.layer.0.attention.output.LayerNorm.iters 1
bert.encoder.layer.0.intermediate.dense.weight 32,16
bert.encoder.layer.0.intermediate.dense.bias 32
bert.encoder.layer.0.intermediate.dense.input_clip_val -
bert.encoder.layer.0.intermediate.dense.move.bias 16
bert.encoder.layer.0.output.dense.weight 16,32
bert.encoder.layer.0.output.dense.bias 16
bert.encoder.layer.0.output.dense.input_clip_val -
bert.encoder.layer.0.output.dense.move.bias 32
bert.encoder.layer.0.output.LayerNorm.weight 16
bert.encoder.layer.0.output.LayerNorm.bias 16
bert.encoder.layer.0.output.LayerNorm2.weight 16
bert.encoder.layer.0.output.LayerNorm2.bias 16
bert.encoder.layer.0.output.LayerNorm2.running_phi 1,16,1,1
bert.encoder.layer.0.output.LayerNorm2.ema_gz 1,16,1,1
bert.encoder.layer.0.output.LayerNorm2.iters 1
bert.pooler.dense.weight 16,16
bert.pooler.dense.bias 16
bert.pooler.dense.input_clip_val -
bert.pooler.dense.move.bias 16
classifier.weight 2,16
classifier.bias 2
"""

# config.json of the official trainer (BertConfig.to_json_file of the student config)
OFFICIAL_CONFIG_KEYS = {
    "attention_probs_dropout_prob", "clip_init_val", "embed_layerwise", "finetuning_task",
    "hidden_act", "hidden_dropout_prob", "hidden_size", "initializer_range", "input_bits",
    "input_layerwise", "input_quant_method", "intermediate_size", "layer_norm_eps",
    "learnable_scaling", "max_position_embeddings", "not_quantize_attention",
    "num_attention_heads", "num_hidden_layers", "num_labels", "output_attentions",
    "output_hidden_states", "output_past", "pruned_heads", "sym_quant_ffn_attn", "sym_quant_qkvo",
    "torchscript", "type_vocab_size", "use_bfloat16", "vocab_size", "weight_bits",
    "weight_layerwise", "weight_quant_method"}

STEP_SUFFIXES = ("input_clip_val", "clip_query", "clip_key", "clip_value", "clip_attn")


def parse_keys(text):
    out = []
    for line in text.strip().splitlines():
        k, s = line.split()
        out.append((k, () if s == "-" else tuple(int(x) for x in s.split(","))))
    return out


class Checkpoint(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.dir = os.path.join(cls.tmp, "ck")
        cls.sd, cls.cfg = O.make_official_checkpoint(cls.dir, seed=3, **SMALL)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_layout_is_official(self):
        raw = torch.load(os.path.join(self.dir, O.WEIGHTS_NAME))
        got = [(k, tuple(v.shape)) for k, v in raw.items()]
        self.assertEqual(got, parse_keys(OFFICIAL_KEYS_1L))
        for k, v in raw.items():
            self.assertEqual(v.dtype, torch.int64 if k.endswith(".iters") else torch.float32, k)
        meta = list(raw._metadata)   # module versions, as state_dict() saves them
        self.assertEqual(len(meta), 45)
        self.assertEqual(meta[:3], ["", "bert", "bert.embeddings"])
        self.assertIn("bert.encoder.layer.0.output.LayerNorm2.gp", meta)
        self.assertEqual(meta[-3:], ["bert.pooler.activation", "dropout", "classifier"])
        with open(os.path.join(self.dir, O.CONFIG_NAME)) as f:
            cfg = json.load(f)
        self.assertEqual(set(cfg), OFFICIAL_CONFIG_KEYS)
        for k, v in O.QUANT_FIELDS.items():
            self.assertEqual(cfg[k], v, k)
        self.assertEqual((cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_labels"]),
                         (16, 1, 2))

    def test_round_trip(self):
        sd, cfg = O.load_official_checkpoint(self.dir)
        self.assertEqual(cfg, json.loads(json.dumps(self.cfg)))
        self.assertEqual(list(sd), list(self.sd))
        for k in sd:
            self.assertTrue(torch.equal(sd[k], self.sd[k]), k)

    def test_deterministic(self):
        d2 = os.path.join(self.tmp, "again")
        sd2, _ = O.make_official_checkpoint(d2, seed=3, **SMALL)
        for k in sd2:
            self.assertTrue(torch.equal(sd2[k], self.sd[k]), k)
        sd3, _ = O.make_official_checkpoint(os.path.join(self.tmp, "other"), seed=4, **SMALL)
        self.assertFalse(torch.equal(sd3["classifier.weight"], self.sd["classifier.weight"]))

    def test_tasks(self):
        _, cfg = O.make_official_checkpoint(os.path.join(self.tmp, "stsb"), task="sts-b",
                                            num_labels=1, **SMALL)
        self.assertEqual((cfg["finetuning_task"], cfg["num_labels"]), ("sts-b", 1))
        with self.assertRaisesRegex(ValueError, "mnli.*3 labels"):
            O.make_official_checkpoint(os.path.join(self.tmp, "x"), task="mnli", **SMALL)

    def test_values_look_trained(self):
        steps = [float(v) for k, v in self.sd.items() if k.endswith(STEP_SUFFIXES)]
        self.assertEqual(len(steps), 11)
        for s in steps:
            self.assertGreater(s, 1e-4)
            self.assertNotEqual(s, 1.0)
            self.assertNotEqual(math.log2(s), round(math.log2(s)))   # no power of two
        moves = self.sd["bert.encoder.layer.0.output.dense.move.bias"]
        self.assertTrue((moves < 0).any() and (moves > 0).any())
        # levels spread over the 4-bit range, and the FFN-down negative-minimum branch taken
        g = torch.Generator().manual_seed(0)
        tr = {}
        O.official_forward(self.sd, self.cfg, O.random_sentence(g, 300, 30, 20), trace=tr)
        self.assertGreaterEqual(len(torch.unique(tr["layer0.attn.q_in"])), 6)
        self.assertGreaterEqual(len(torch.unique(tr["layer0.attn.k_lvl"])), 6)
        self.assertGreaterEqual(len(torch.unique(tr["layer0.ffn.down_in"])), 4)
        self.assertGreaterEqual(len(torch.unique(tr["layer0.attn.scores"])), 4)
        self.assertLess(float(tr["layer0.ffn.down_min"]), 0)


class BrokenCheckpoint(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.dir = os.path.join(self.tmp, "ck")
        self.sd, self.cfg = O.make_official_checkpoint(self.dir, seed=1, **SMALL)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, sd=None, cfg=None):
        if sd is not None:
            torch.save(sd, os.path.join(self.dir, O.WEIGHTS_NAME))
        if cfg is not None:
            with open(os.path.join(self.dir, O.CONFIG_NAME), "w") as f:
                json.dump(cfg, f)

    def expect(self, pattern):
        with self.assertRaisesRegex(O.CheckpointError, pattern):
            O.load_official_checkpoint(self.dir)

    def test_missing_key(self):
        sd = dict(self.sd)
        del sd["bert.encoder.layer.0.attention.self.move_k.bias"]
        self.write(sd=sd)
        self.expect(r"pytorch_model.bin: missing key "
                    r"'bert\.encoder\.layer\.0\.attention\.self\.move_k\.bias'")

    def test_wrong_shape(self):
        sd = dict(self.sd)
        sd["bert.encoder.layer.0.output.LayerNorm2.running_phi"] = torch.ones(16)
        self.write(sd=sd)
        self.expect(r"'bert\.encoder\.layer\.0\.output\.LayerNorm2\.running_phi' has shape "
                    r"\[16\], expected \[1, 16, 1, 1\]")

    def test_unexpected_key(self):
        sd = dict(self.sd)
        sd["bert.encoder.layer.0.attention.self.query.weight_clip_val"] = torch.tensor(1.0)
        self.write(sd=sd)
        self.expect(r"unexpected key 'bert\.encoder\.layer\.0\.attention\.self\.query\."
                    r"weight_clip_val'")

    def test_untrained_step(self):
        sd = dict(self.sd)
        sd["bert.pooler.dense.input_clip_val"] = torch.tensor(1.0)
        self.write(sd=sd)
        self.expect(r"'bert\.pooler\.dense\.input_clip_val' is exactly 1\.0")

    def test_bad_config(self):
        cases = [("weight_quant_method", "twn", "weight_quant_method = 'twn': unknown"),
                 ("input_quant_method", "uniform", "input_quant_method = 'uniform': unknown"),
                 ("input_bits", 8, "input_bits = 8"),
                 ("sym_quant_ffn_attn", True, "sym_quant_ffn_attn = True"),
                 ("not_quantize_attention", True, "not_quantize_attention = True"),
                 ("input_layerwise", False, "input_layerwise = False"),
                 ("hidden_act", "swish", "hidden_act = 'swish'"),
                 ("num_attention_heads", 3, "hidden_size = 16: not a multiple")]
        for field, value, pattern in cases:
            with self.subTest(field=field):
                self.write(cfg=dict(self.cfg, **{field: value}))
                self.expect(r"config\.json: " + pattern)
        cfg = dict(self.cfg)
        del cfg["weight_bits"]
        self.write(cfg=cfg)
        self.expect("missing config field 'weight_bits'")

    def test_missing_files(self):
        os.remove(os.path.join(self.dir, O.WEIGHTS_NAME))
        self.expect(r"pytorch_model\.bin: cannot read")
        os.remove(os.path.join(self.dir, O.CONFIG_NAME))
        self.expect(r"config\.json: cannot read")


class MicroCases(unittest.TestCase):
    def test_closest_power_of_two_ties_up(self):
        for x, want in [(1.5, 2.0), (3.0, 4.0), (0.75, 1.0), (1.49, 1.0), (1.51, 2.0),
                        (4.0, 4.0), (0.3, 0.25), (0.38, 0.5), (0.375, 0.5)]:
            self.assertEqual(O.closest_pow2(x), want, x)

    def test_pt_softmax(self):
        s = torch.tensor([[0., -1.],     # Z = 1.5: half-way between 1 and 2, up to 2
                          [3., 2.],      # the same after the max shift
                          [0., -2.]])    # Z = 1.25 -> 1
        a, zhat, p = O.pt_softmax(s)
        self.assertEqual(a.tolist(), [[1., 0.5], [1., 0.5], [1., 0.25]])
        self.assertEqual(zhat.reshape(-1).tolist(), [2., 2., 1.])
        self.assertEqual(p.tolist(), [[0.5, 0.25], [0.5, 0.25], [1.0, 0.25]])
        # Z = 3 lies half-way between 2 and 4: up to 4
        a, zhat, p = O.pt_softmax(torch.tensor([[0., -1., -1., -1., -1.]]))
        self.assertEqual(float(zhat), 4.0)
        self.assertEqual(p.tolist(), [[0.25, 0.125, 0.125, 0.125, 0.125]])
        # Z = 1.75 -> 2 (not a tie)
        self.assertEqual(float(O.pt_softmax(torch.tensor([[5., 4., 3.]]))[1]), 2.0)

    def test_unsigned_negative_min_adds_back_raw_min(self):
        x = torch.tensor([-0.3, 0.0, 0.5, 1.0])
        q, off = O.quant_unsigned(x, torch.tensor(0.25))
        # shift by +P = 0.25 (closest power of two to 0.3), offset = the raw min -0.3, not -P
        self.assertEqual(q.tolist(), [0., 1., 3., 5.])
        self.assertAlmostEqual(off, -0.3, places=6)
        value = 0.25 * q + off
        self.assertTrue(torch.allclose(value, torch.tensor([-0.3, -0.05, 0.45, 0.95])))

    def test_unsigned_zero_and_positive_min(self):
        q, off = O.quant_unsigned(torch.tensor([0.0, 0.6, 9.0]), torch.tensor(0.3))
        self.assertEqual((q.tolist(), off), ([0., 2., 15.], 0.0))
        # min 0.3: offset 2^round(log2 0.3) = 0.25 (geometric rounding, not closest)
        q, off = O.quant_unsigned(torch.tensor([0.3, 0.5]), torch.tensor(0.05))
        self.assertEqual(off, 0.25)
        self.assertEqual(q.tolist(), [1., 5.])
        # a step below 1e-5 is used as 1e-5
        q, _ = O.quant_unsigned(torch.tensor([0.0, 3e-5]), torch.tensor(1e-7))
        self.assertEqual(q.tolist(), [0., 3.])

    def test_signed(self):
        q = O.quant_signed(torch.tensor([-10., -0.25, 0.25, 0.75, 1.25, 10.]), torch.tensor(0.5))
        self.assertEqual(q.tolist(), [-8., -0., 0., 2., 2., 7.])   # round half to even

    def test_bspn_divisor(self):
        x = torch.tensor([[0.6, -0.6, 3.0, 1.0],
                          [0.0, 0.0, -0.25, 0.25]])
        xs, div = O.group_scale(x, 2)
        # mean|x| 0.6 -> 2^ceil(log2 0.60001) = 1; mean 2.0 -> 2.00001 -> 4 (the eps lifts an
        # exact power of two to the next one); 0 -> 2^ceil(log2 1e-5) = 2^-16; 0.25 -> 0.5
        self.assertEqual(div.tolist(), [[1., 1., 4., 4.], [2.0 ** -16] * 2 + [0.5, 0.5]])
        self.assertEqual(xs.tolist(), [[0.6000000238418579, -0.6000000238418579, 0.75, 0.25],
                                       [0., 0., -0.5, 0.5]])

    def test_bspn_snaps(self):
        w = O.bspn_weight(torch.tensor([1.0, -2.0, 0.0]), torch.tensor([3.0, 0.25, 1.0]))
        # 1/sqrt(3.00001) = 0.577 -> 0.5; -2/sqrt(0.25001) = -4.0 -> -4; 0 stays 0
        self.assertEqual(w.tolist(), [0.5, -4.0, 0.0])
        y = O.snap_pow2(torch.tensor([3.0, -0.7, 0.0, 1.4, 1.42, 5.0]))
        self.assertEqual(y.tolist(), [4.0, -0.5, 0.0, 1.0, 2.0, 4.0])

    def test_bwn(self):
        w = torch.tensor([[1., 2.], [3., 6.]])   # mean 3: signs around the mean, sign(0) = 0
        self.assertEqual(O.bwn(w, True).tolist(), [[-3., -3.], [0., 3.]])
        self.assertEqual(O.bwn(w, False).tolist(), [[-1.5, -1.5], [0., 4.5]])

    def test_if_spikes_count_levels(self):
        levels = torch.arange(16.0)
        s = O.if_spikes(levels)
        self.assertEqual(s.shape, (16, 16))
        self.assertEqual(s.sum(-1).tolist(), levels.tolist())


class Forward(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.sd, cls.cfg = O.make_official_checkpoint(os.path.join(cls.tmp, "ck"), seed=5,
                                                     num_labels=3, **dict(SMALL, layers=2))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_trace_order_and_ffn_down(self):
        g = torch.Generator().manual_seed(2)
        ids = O.random_sentence(g, 300, 20, 12)
        tr = {}
        logits = O.official_forward(self.sd, self.cfg, ids[None], trace=tr)
        self.assertEqual(list(tr), O.trace_op_names(self.cfg))
        self.assertEqual(logits.shape, (3,))
        self.assertTrue(torch.equal(tr["logits"], logits))
        # the FFN-down negative-min branch, recomputed from the trace
        p = "bert.encoder.layer.1.output.dense"
        xm = tr["layer1.ffn.act"] + self.sd[p + ".move.bias"]
        mn = float(xm.min())
        self.assertLess(mn, 0)
        alpha = self.sd[p + ".input_clip_val"]
        q = ((xm + O.closest_pow2(-mn)) / alpha).round().clamp(0, 15)
        self.assertTrue(torch.equal(tr["layer1.ffn.down_in"], q))
        self.assertEqual(float(tr["layer1.ffn.down_offset"]), float(torch.tensor(mn)))
        wq = O.bwn(self.sd[p + ".weight"], True)
        want = (alpha * q + mn) @ wq.t() + self.sd[p + ".bias"]
        self.assertTrue(torch.allclose(tr["layer1.ffn.down"], want, atol=1e-5))
        # every layer output is a signed power of two or 0
        h = tr["layer1.bspn2"]
        nz = h[h != 0].abs()
        self.assertTrue(torch.equal(nz, 2 ** torch.log2(nz).round()))
        # the scores are the ceil of the exact dot products
        aq = self.sd["bert.encoder.layer.0.attention.self.clip_query"]
        ak = self.sd["bert.encoder.layer.0.attention.self.clip_key"]
        self.assertTrue(torch.equal(tr["layer0.attn.scores"],
                                    torch.ceil(tr["layer0.attn.dot"] * (aq * ak) / math.sqrt(8))))

    def test_emulated_spikes_close(self):
        g = torch.Generator().manual_seed(3)
        fwd = O.OfficialForward(state_dict=self.sd, config=self.cfg)
        for _ in range(3):
            ids = O.random_sentence(g, 300, 16, 4)
            a = fwd(ids)
            b = fwd(ids, emulate_spikes=True)
            self.assertLess(float((a - b).abs().max()), 0.5)

    def test_token_types_and_length_checked(self):
        ids = torch.tensor([101, 5, 6, 102])
        with self.assertRaisesRegex(ValueError, "token_type_ids has 3 entries"):
            O.official_forward(self.sd, self.cfg, ids, torch.zeros(3, dtype=torch.long))
        with self.assertRaisesRegex(ValueError, "sequence length 41"):
            O.official_forward(self.sd, self.cfg, torch.ones(41, dtype=torch.long))
        ta, tb = {}, {}
        O.official_forward(self.sd, self.cfg, ids, torch.tensor([0, 0, 1, 1]), trace=ta)
        O.official_forward(self.sd, self.cfg, ids, trace=tb)
        self.assertTrue(torch.equal(ta["embed.sum"][:2], tb["embed.sum"][:2]))
        self.assertFalse(torch.equal(ta["embed.sum"][2:], tb["embed.sum"][2:]))


if __name__ == "__main__":
    unittest.main()
