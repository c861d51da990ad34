# SPDX-License-Identifier: Apache-2.0
"""scripts/sweep-encodings on a hand-made result store: one row per encoding, ratios to rate
coding computed per chip and energy table, and a clear error when events were not recorded."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

try:
    from . import support  # noqa: F401
except ImportError:
    import support  # noqa: F401

SCRIPT = os.path.join(support.SCRIPTS, "sweep-encodings")


def row(enc, rows, table, energy_pj, cycles, synops, events=True):
    r = {"status": "ok", "axes": {"core.crossbar.rows": rows, "core.crossbar.cols": rows,
                                  "mesh.x": "4", "mesh.y": "4", "encoding": enc,
                                  "energy_table": table},
         "energy_pj_per_sentence": energy_pj, "cycles_mean": cycles,
         "latency_us_mean": cycles / 200, "metrics": {"accuracy": 0.75}}
    if events:
        r["events_per_sentence"] = {"accumulate.synop": {"count": synops},
                                    "crossbar.row_read": {"count": synops / 128},
                                    "link.bit": {"count": 1000.0}}
    return r


def run(rows):
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "results.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return subprocess.run([sys.executable, SCRIPT, d], capture_output=True, text=True)


class SweepEncodingsTest(unittest.TestCase):
    def test_ratios_to_rate_per_chip_and_table(self):
        p = run([row("signed_rate", "128", "t", 2e6, 300, 12800.0),
                 row("rate", "128", "t", 8e6, 1200, 51200.0),
                 row("rate", "256", "t", 4e6, 1000, 51200.0)])
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 2 + 3)
        # Rate first within its group; 2 / 8 uJ = 0.25x, 300 / 1200 cycles = 0.25x.
        self.assertIn("| 128x128, 4x4 mesh | t | rate | 8.0 | 1,200 |", lines[2])
        self.assertIn("| signed_rate | 2.0 (0.25x) | 300.0 (0.25x) | 1.5 (0.25x) |", lines[3])
        self.assertIn("12,800 (0.25x)", lines[3])
        self.assertTrue(lines[3].endswith("| 0.7500 |"))
        # The 256 chip has no other encoding: no ratio.
        self.assertNotIn("x)", lines[4])

    def test_missing_events_is_an_error(self):
        p = run([row("rate", "128", "t", 8e6, 1200, 1.0, events=False)])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("results.jsonl: expected finished points with events", p.stderr)


if __name__ == "__main__":
    unittest.main()
