# SPDX-License-Identifier: Apache-2.0
"""scripts/sweep-report on hand-made result stores: one Pareto front per energy table (a point on
one table never dominates a point on another), every varying axis shown, no plots without a
successful point."""
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

REPORT = os.path.join(support.SCRIPTS, "sweep-report")


def row(index, table, mesh, energy_pj, latency_us, status="ok", area_mm2=None):
    r = {"version": 1, "hash": "h%02d" % index, "index": index, "sweep": "t", "status": status,
         "axes": {"energy_table": table, "mesh.x": str(mesh)}}
    if status == "ok":
        r.update({"energy_pj_per_sentence": energy_pj, "latency_us_mean": latency_us,
                  "energy_pj_by_component": {"crossbar": energy_pj * 0.75, "link": energy_pj * 0.25},
                  "metrics": {"accuracy": 0.5}, "cycles_mean": latency_us * 500})
        if area_mm2 is not None:
            r["area_mm2"] = area_mm2
    else:
        r["error"] = "does not fit"
    return r


def run(rows):
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "results.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    p = subprocess.run([sys.executable, REPORT, d], capture_output=True, text=True)
    return d, p


class SweepReport(unittest.TestCase):
    def test_one_front_per_energy_table(self):
        # On table A, #0 (1 nJ, 10 us) dominates #1 (2 nJ, 20 us). On table B, #2 (1000 nJ, 30 us)
        # would be dominated by #0 in a cross-table front, but it is alone on its table: it is
        # B's front. #3 (2000 nJ, 5 us) is also on B's front (faster).
        d, p = run([row(0, "A", 4, 1e3, 10), row(1, "A", 5, 2e3, 20), row(2, "B", 4, 1e6, 30),
                    row(3, "B", 5, 2e6, 5)])
        self.assertEqual(p.returncode, 0, p.stderr)
        md = open(os.path.join(d, "report.md")).read()
        front = md.split("## All successful configs")[0]
        self.assertIn("### energy table A", front)
        self.assertIn("### energy table B", front)
        b_section = front.split("### energy table B")[1]
        self.assertIn("| 2 |", b_section)
        self.assertIn("| 3 |", b_section)
        a_section = front.split("### energy table A")[1].split("### energy table B")[0]
        self.assertIn("| 0 |", a_section)
        self.assertNotIn("| 1 |", a_section)
        for png in ("energy_vs_latency.png", "energy_breakdown.png", "accuracy.png"):
            self.assertTrue(os.path.getsize(os.path.join(d, png)) > 1000, png)

    def test_area_is_a_third_objective(self):
        # #1 (2 nJ, 20 us) is slower and costlier than #0 (1 nJ, 10 us) but smaller (1 mm² vs
        # 4 mm²): with area it is on the front; #2 (3 nJ, 30 us, 5 mm²) is dominated by #0.
        d, p = run([row(0, "A", 4, 1e3, 10, area_mm2=4.0), row(1, "A", 5, 2e3, 20, area_mm2=1.0),
                    row(2, "A", 6, 3e3, 30, area_mm2=5.0)])
        self.assertEqual(p.returncode, 0, p.stderr)
        md = open(os.path.join(d, "report.md")).read()
        front = md.split("## All successful configs")[0]
        self.assertIn("latency and chip area, all minimised", front)
        self.assertIn("| area (mm²) |", front)
        self.assertIn("| 0 |", front)
        self.assertIn("| 1 |", front)
        self.assertNotIn("| 2 |", front)
        self.assertIn("| 1.00 |", front)

    def test_no_successful_point_is_an_error_and_writes_nothing(self):
        d, p = run([row(0, "A", 4, 0, 0, "failed"), row(1, "A", 5, 0, 0, "failed")])
        self.assertEqual(p.returncode, 1)
        self.assertIn("no successful point (2 rows, 2 failed)", p.stderr)
        self.assertEqual(sorted(os.listdir(d)), ["results.jsonl"])


if __name__ == "__main__":
    unittest.main()
