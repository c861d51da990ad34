# SPDX-License-Identifier: Apache-2.0
"""The Python API (`import granita`) against the `granita` CLI, an independent path to the same
results: run, eval and reprice give the CLI's reports, bad input raises granita.InputError, and
run() works several times in one process (the chip runs in forked children).

Run by CTest (test `python_api`), which sets PYTHONPATH to build/python and GRANITA_CLI to the
CLI of the same build. By hand, from the repository root:
    PYTHONPATH=build/python GRANITA_CLI=build/sim/granita \
        /usr/bin/python3 -m unittest -v tests/python_api/test_granita.py
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("GRANITA_BUILD", ROOT / "build"))
if not any(Path(p, "granita").is_dir() for p in sys.path if p):
    sys.path.insert(0, str(BUILD / "python"))
CLI = os.environ.get("GRANITA_CLI", str(BUILD / "sim" / "granita"))
MODEL = ROOT / "models" / "sst2-sorbet"
DATA = Path(os.environ.get("GRANITA_DATA", ROOT.parent / "shared")) / "glue" / "SST-2" / "dev.tsv"

import granita  # noqa: E402 (after the path set-up above)


def cli_json(*args):
    """Runs the CLI with --json into a temporary file and returns the parsed report."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        subprocess.run([CLI, *args, "--json", str(out)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads(out.read_text())


@unittest.skipUnless(DATA.is_file(), f"{DATA} missing (set GRANITA_DATA)")
class PythonApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = granita.load_model(MODEL)
        cls.run3 = granita.run(cls.model, "default", data=DATA, limit=3)
        cls.cli_run3 = cli_json("run", "--model", str(MODEL), "--hw", "configs/hw/default.yaml",
                                "--data", str(DATA), "-n", "3")

    def test_run_equals_cli(self):
        r, c = self.run3, self.cli_run3
        self.assertEqual(len(r), 3)
        self.assertEqual(r.predictions, [s["prediction"] for s in c["sentences"]])
        self.assertEqual(r.cycles, [s["cycles"] for s in c["sentences"]])
        self.assertEqual(r.logits, [s["logits"] for s in c["sentences"]])
        self.assertEqual(r.energy_pj, [s["energy_pj"] for s in c["sentences"]])
        # The whole report, counts and breakdowns included, is the CLI's.
        self.assertEqual(r.json, c)
        self.assertAlmostEqual(sum(r.by_component.values()), r.energy_pj_mean,
                               delta=1e-6 * r.energy_pj_mean)
        self.assertEqual(r.json["hw"], "default")
        self.assertTrue(all(s["bit_exact"] for s in r.sentences))

    def test_eval_equals_cli(self):
        e = granita.eval(self.model, data=DATA, limit=3, threads=1)
        c = cli_json("eval", "--model", str(MODEL), "--data", str(DATA), "-n", "3")
        self.assertEqual(e.logits, [s["logits"] for s in c["sentences"]])
        self.assertEqual(e.predictions, [s["prediction"] for s in c["sentences"]])
        # The chip is bit-exact with the reference.
        self.assertEqual(e.logits, self.run3.logits)

    def test_reprice_equals_run_with_that_table(self):
        repriced = granita.reprice(self.run3, "loihi")
        direct = granita.run(self.model, "default", data=DATA, limit=3, energy="loihi")
        self.assertEqual(repriced.energy_table, "loihi")
        self.assertEqual(repriced.json, direct.json)
        self.assertNotEqual(repriced.energy_pj, self.run3.energy_pj)
        # A saved run JSON file reprices too, and so does the CLI's.
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "run.json"
            self.run3.save(path)
            self.assertEqual(granita.reprice(path, "loihi").json, direct.json)
            self.assertEqual(granita.reprice(str(path), "loihi").json,
                             cli_json("energy", "--reprice", str(path), "--energy", "loihi"))

    def test_run_twice_with_texts_and_overrides(self):
        texts = ["a gorgeous, witty, seductive movie.", "a dull, lifeless mess."]
        a = granita.run(self.model, "default", {"mesh.x": 8}, texts=texts)
        b = granita.run(MODEL, "edge", texts=texts)
        self.assertEqual(a.predictions, b.predictions)  # bit-exact on both chips
        c = cli_json("run", "--model", str(MODEL), "--hw", "configs/hw/edge.yaml",
                     "--text", texts[0])
        self.assertEqual(b.sentences[0]["cycles"], c["sentences"][0]["cycles"])
        self.assertEqual(b.sentences[0]["logits"], c["sentences"][0]["logits"])
        self.assertEqual(a.labels, [-1, -1])

    def test_compile_and_mapping(self):
        mp = granita.compile(self.model, "default")
        self.assertGreater(mp.num_tasks, 0)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "mapping.yaml"
            mp.save(path)
            self.assertIn("version:", path.read_text())
            r = granita.run(self.model, "default", data=DATA, limit=3, mapping=path)
        self.assertEqual(r.json, self.run3.json)

    def test_hw_config_reads_overrides_as_the_cli_does(self):
        hw = granita.HwConfig("edge", ["router.routing=yx", "compiler.placement=greedy"])
        self.assertEqual((hw.routing, hw.placement), ("yx", "greedy"))
        self.assertEqual(granita.HwConfig("edge").placement, "metis")  # the default
        with self.assertRaises(granita.InputError):
            granita.HwConfig("edge", ["compiler.placement=scotch"])
        self.assertIsNone(granita.HwConfig("edge").tick_hz)  # no real-time tick
        self.assertEqual(granita.HwConfig("truenorth").tick_hz, 1000)
        self.assertEqual(granita.HwConfig("edge", ["tick_hz=250"]).tick_hz, 250)

    def test_jobs(self):
        r = granita.run(self.model, "default", data=DATA, limit=3, jobs=2)
        self.assertEqual(r.json, self.run3.json)

    def test_bad_model_path_raises_with_the_path(self):
        bad = "/nonexistent/granita-model"
        with self.assertRaises(granita.InputError) as cm:
            granita.load_model(bad)
        self.assertIn(bad, str(cm.exception))
        self.assertIsInstance(cm.exception, ValueError)
        with self.assertRaises(granita.InputError) as cm:
            granita.run(bad, "default", texts=["x"])
        self.assertIn(bad, str(cm.exception))

    def test_bad_inputs_raise_input_error(self):
        with self.assertRaises(granita.InputError) as cm:
            granita.load_hw("default", {"mesh.x": "four"})
        self.assertIn("mesh.x", str(cm.exception))
        with self.assertRaises(granita.InputError) as cm:
            granita.load_hw("no-such-preset")
        self.assertIn("no-such-preset", str(cm.exception))
        with self.assertRaises(granita.InputError):
            granita.run(self.model, "default", texts=[""])
        with self.assertRaises(granita.InputError):
            granita.run(self.model, "default", texts=["x"], energy="no-such-table")
        with self.assertRaises(granita.InputError) as cm:
            granita.run(self.model, "default", data="/nonexistent/dev.tsv")
        self.assertIn("/nonexistent/dev.tsv", str(cm.exception))
        with self.assertRaises(granita.InputError) as cm:  # the model does not fit
            granita.compile(self.model, "default", {"mesh.x": 1, "mesh.y": 1})
        self.assertIn("compilation failed", str(cm.exception))
        with self.assertRaises(granita.InputError):
            granita.reprice({"version": 2}, "loihi")
        # The session is still usable after the errors.
        self.assertEqual(granita.run(self.model, "edge", texts=["fine"]).json["hw"], "edge")


if __name__ == "__main__":
    unittest.main()
