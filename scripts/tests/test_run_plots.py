# SPDX-License-Identifier: Apache-2.0
"""scripts/run-plots on the checked-in golden run report: three PNGs, and clear errors."""
import os
import subprocess
import sys
import tempfile
import unittest

try:
    from . import support  # noqa: F401
except ImportError:
    import support  # noqa: F401
from granita_model import plotstyle

ROOT = os.path.dirname(support.SCRIPTS)
GOLDEN = os.path.join(ROOT, "tests", "golden", "run_report.json")
PLOTS = os.path.join(support.SCRIPTS, "run-plots")


class RunPlots(unittest.TestCase):
    def test_writes_three_pngs(self):
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run([sys.executable, PLOTS, GOLDEN, "-o", d], capture_output=True,
                               text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            for s in ("mesh", "latency", "energy"):
                p = os.path.join(d, "run_report.%s.png" % s)
                with open(p, "rb") as f:
                    self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", p)
            self.assertEqual(sorted(os.listdir(d)),
                             ["run_report.energy.png", "run_report.latency.png",
                              "run_report.mesh.png"])

    def test_bad_input_exit_1_and_nothing_written(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "v1.json")
            with open(bad, "w") as f:
                f.write('{"version": 1}')
            r = subprocess.run([sys.executable, PLOTS, bad, "-o", d], capture_output=True,
                               text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("not a version 4 run report", r.stderr)
            self.assertEqual(os.listdir(d), ["v1.json"])

    def test_component_colours_are_fixed(self):
        # the same component gets the same colour whatever else a report holds
        self.assertEqual(plotstyle.component_color("crossbar"), plotstyle.component_color("crossbar"))
        self.assertEqual(len({plotstyle.component_color(c) for c in plotstyle.COMPONENTS}),
                         len(plotstyle.COMPONENTS))


if __name__ == "__main__":
    unittest.main()
