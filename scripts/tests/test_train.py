# SPDX-License-Identifier: Apache-2.0
"""train-sorbet's teacher ensemble, ablation switches and --device: the ensemble's soft targets
are the mean of its members' class probabilities; ablated students are trained, scored and not
exported; a later run can reuse a finished teacher with --teacher-ckpt; --device cpu trains and
exports end to end and the card records the device; --device cuda without CUDA is refused."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from scripts.tests import support  # noqa: F401  (sets the import path)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from granita_model import paths  # noqa: E402
from granita_model.model import ModelConfig, SorbetModel  # noqa: E402
from granita_model.train.distill import TeacherEnsemble  # noqa: E402
from granita_model.train.stages import STAGES, stage_index  # noqa: E402


def small_teacher(seed):
    torch.manual_seed(seed)
    m = SorbetModel(ModelConfig.teacher(vocab_size=50, layers=1, hidden=16, heads=1, ffn=32,
                                        max_seq_len=8))
    return m.eval()


class TeacherEnsembleTest(unittest.TestCase):
    def test_soft_targets_are_the_mean_of_member_probabilities(self):
        a, b, c = small_teacher(1), small_teacher(2), small_teacher(3)
        ens = TeacherEnsemble([a, b, c], regression=False).eval()
        g = torch.Generator().manual_seed(0)
        ids = torch.randint(0, 50, (5, 8), generator=g)
        types = torch.zeros_like(ids)
        mask = torch.ones_like(ids, dtype=torch.bool)
        with torch.no_grad():
            logits, hid = ens(ids, types, mask)
            members = [m(ids, types, mask) for m in (a, b, c)]
        want = sum(F.softmax(l, -1) for l, _ in members) / 3
        torch.testing.assert_close(F.softmax(logits, -1), want)
        self.assertEqual(len(hid), len(members[0][1]))
        for h, h0 in zip(hid, members[0][1]):
            self.assertTrue(torch.equal(h, h0))  # hidden targets: the first member's
        self.assertEqual(set(ens.state_dict()), set(a.state_dict()))

    def test_regression_averages_outputs(self):
        a, b = small_teacher(4), small_teacher(5)
        ens = TeacherEnsemble([a, b], regression=True).eval()
        ids = torch.randint(0, 50, (3, 8))
        types, mask = torch.zeros_like(ids), torch.ones_like(ids, dtype=torch.bool)
        with torch.no_grad():
            got, _ = ens(ids, types, mask)
            want = (a(ids, types, mask)[0] + b(ids, types, mask)[0]) / 2
        torch.testing.assert_close(got, want)

    def test_every_stage_has_its_own_seed_offset(self):
        names = list(STAGES) + ["teacher1", "teacher2", "teacher12"]
        offsets = [stage_index(n) for n in names]
        self.assertEqual(len(set(offsets)), len(offsets))


@unittest.skipUnless(support.HAVE_VOCAB, "needs the BERT vocabulary and GLUE in $GRANITA_DATA")
class AblationRunTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(paths.glue_path("SST-2", "train")):
            if os.environ.get("CI") == "true":
                self.fail("GLUE SST-2 missing in CI")
            self.skipTest("no GLUE SST-2")
        self.tmp = tempfile.mkdtemp(prefix="granita-train-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def train(self, name, *extra):
        out = os.path.join(self.tmp, name)
        cmd = [sys.executable, os.path.join(support.SCRIPTS, "train-sorbet"), "--name", name,
               "--out-dir", out, "--work-dir", out, "--layers", "1", "--hidden", "16",
               "--heads", "1", "--ffn", "32", "--max-seq-len", "16", "--teacher-epochs", "1",
               "--s1-epochs", "1", "--s2-epochs", "1", "--limit-train", "64", "--limit-dev",
               "16", "--batch-size", "16", "--calib-size", "16", "--bspn-batch-iters", "2",
               *extra]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        with open(os.path.join(out, "scores.json")) as f:
            return out, json.load(f)

    def test_ablated_students_are_scored_not_exported_and_share_a_teacher(self):
        out, scores = self.train("ln", "--student-norm", "layernorm", "--teacher-ensemble", "2")
        self.assertEqual(scores["student"]["norm"], "layernorm")
        self.assertEqual(scores["student"]["weight_mode"], "binary")
        for stage in ("teacher", "stage1", "stage2"):
            self.assertIn("accuracy", scores["dev"][stage])
        self.assertFalse(os.path.exists(os.path.join(out, "model.yaml")))
        with open(os.path.join(out, "train.log")) as f:
            log = f.read()
        self.assertIn("ensemble of 2 teachers dev", log)
        self.assertIn("not a Sorbet model: not exported", log)

        teacher = os.path.join(out, "ckpt", "teacher-final.pt")
        out2, scores2 = self.train("sm", "--student-softmax", "float", "--teacher-ckpt", teacher)
        self.assertEqual(scores2["student"]["softmax"], "float")
        self.assertEqual(scores2["seconds"]["teacher"], 0.0)
        with open(os.path.join(out2, "train.log")) as f:
            self.assertIn("teacher: loaded from " + teacher, f.read())
        self.assertFalse(os.path.exists(os.path.join(out2, "ckpt", "teacher-final.pt")))

    def test_device_cpu_end_to_end_and_recorded_in_the_card(self):
        out, scores = self.train("cpu", "--device", "cpu")
        self.assertEqual(scores["device"], "cpu")
        with open(os.path.join(out, "card.md")) as f:
            self.assertIn("trained on device cpu", f.read())
        with open(os.path.join(out, "train.json")) as f:
            self.assertEqual(json.load(f)["device"], "cpu")
        with open(os.path.join(out, "train.log")) as f:
            self.assertIn("device: cpu", f.read())


class DeviceOptionTest(unittest.TestCase):
    @unittest.skipIf(torch.cuda.is_available(), "CUDA is available here")
    def test_cuda_without_cuda_is_a_usage_error(self):
        r = subprocess.run([sys.executable, os.path.join(support.SCRIPTS, "train-sorbet"),
                            "--device", "cuda", "--work-dir", os.devnull, "--out-dir", os.devnull],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 2, r.stderr[-3000:])  # argparse's usage error
        self.assertIn("--device cuda: CUDA is not available", r.stderr)


if __name__ == "__main__":
    unittest.main()
