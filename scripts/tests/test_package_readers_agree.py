# SPDX-License-Identifier: Apache-2.0
"""The Python package reader (scripts/granita_model/package/) and the C++ one
(src/model/model_package.cpp) accept the same packages and reject the others at the same place.

The per-op ranges (exponents within [-64, 64], shifts, frac_bits, group, ...) are written in both
readers; this test is what keeps them equal. Every integer attribute of the first op of each type,
in a hardware-profile and an official-profile package, is set to each value next to a range bound
either reader uses (and next to its own value); both readers must then agree on accept/reject and,
on reject, on file:line:col and field. The C++ reader is reached through the Python API module of
the build (build/python); without it the test is skipped."""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

try:
    from . import support
except ImportError:  # run with -s scripts/tests as the top level
    import support
from granita_model import official as O
from granita_model import package as pk
from granita_model import paths

BUILD = os.environ.get("GRANITA_BUILD", os.path.join(paths.REPO_ROOT, "build"))
try:
    sys.path.insert(0, os.path.join(BUILD, "python"))
    import granita
except ImportError:
    granita = None
finally:
    sys.path.pop(0)

# Each range bound of either reader, and the value past it.
_BOUNDS = (-64, 64, -40, 8, -30, 30, -24, 24, 0, 1, 16, 40, 60, 80, 256, 1 << 16, 1 << 30,
           1 << 40)
CANDIDATES = sorted({b + d for b in _BOUNDS for d in (-1, 0, 1)})


def _where(message):
    """'file:line:col: field' (or 'file: field') of a reader's message; 'OK' for no error."""
    return ": ".join(message.strip().split(": ")[:2])


@unittest.skipUnless(granita is not None, "the Python API module (build/python) is not built")
@unittest.skipUnless(support.HAVE_VOCAB, "needs the BERT vocabulary in $GRANITA_DATA")
class ReadersAgreeOnEveryOpAttribute(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from granita_model.export import export_model
        cls.tmp = tempfile.mkdtemp(prefix="granita-agree-")
        m, _, _, _ = support.tiny_model(seed=3, max_seq_len=8)
        cls.hardware = os.path.join(cls.tmp, "hardware")
        pk.write_package(export_model(m, "tiny", "SST-2", ["negative", "positive"]),
                         cls.hardware, support.VOCAB)
        ck = os.path.join(cls.tmp, "ck")
        O.make_official_checkpoint(ck, seed=2, num_labels=2, task="sst-2", layers=1, hidden=32,
                                   heads=2, intermediate=64, vocab_size=200, max_position=64)
        vocab = os.path.join(cls.tmp, "vocab.txt")
        with open(vocab, "w", encoding="utf-8") as f:
            f.write("\n".join(list(pk.SPECIAL_TOKENS) + ["t%d" % i for i in range(195)]) + "\n")
        cls.official = os.path.join(cls.tmp, "official")
        r = subprocess.run([sys.executable, os.path.join(support.SCRIPTS, "import-sorbet"), ck,
                            "-o", cls.official, "--vocab", vocab, "--max-seq-len", "16"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=300)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def outcomes(self, d):
        try:
            pk.read_package(d)
            py = "OK"
        except pk.PackageError as e:
            py = _where(str(e))
        try:
            granita.load_model(d)
            cpp = "OK"
        except granita.InputError as e:
            cpp = _where(str(e))
        return py, cpp

    def check(self, src, profile):
        work = os.path.join(self.tmp, "work-" + profile)
        shutil.copytree(src, work)
        with open(os.path.join(src, "model.yaml"), encoding="utf-8") as f:
            lines = f.read().split("\n")
        with open(os.path.join(src, "checksums.sha256"), encoding="ascii") as f:
            sums = [s for s in f.read().split("\n") if s and not s.endswith("  model.yaml")]
        self.assertEqual(self.outcomes(work), ("OK", "OK"))
        seen, mutants, rejected = set(), 0, 0
        for i, line in enumerate(lines):
            m = re.search(r"type: (\w+)", line)
            if not m or m.group(1) in seen:
                continue
            seen.add(m.group(1))
            for km in re.finditer(r"(\w+): (-?\d+)(?=[,}])", line):
                value = int(km.group(2))
                for v in sorted(set(CANDIDATES) | {value - 1, value + 1}):
                    if v == value:
                        continue
                    text = list(lines)
                    text[i] = line[:km.start(2)] + str(v) + line[km.end(2):]
                    data = "\n".join(text).encode("utf-8")
                    with open(os.path.join(work, "model.yaml"), "wb") as f:
                        f.write(data)
                    with open(os.path.join(work, "checksums.sha256"), "w") as f:
                        f.write("\n".join(sums + ["%s  model.yaml"
                                                  % hashlib.sha256(data).hexdigest()]) + "\n")
                    py, cpp = self.outcomes(work)
                    self.assertEqual(py, cpp, "%s op %s: %s = %d" % (profile, m.group(1),
                                                                     km.group(1), v))
                    mutants += 1
                    rejected += py != "OK"
        self.assertGreaterEqual(len(seen), 8, "op types mutated")
        self.assertGreater(rejected, mutants // 4, "mutants must reach the range checks")

    def test_hardware_profile(self):
        self.check(self.hardware, "hardware")

    def test_official_profile(self):
        self.check(self.official, "official")


if __name__ == "__main__":
    unittest.main()
