# SPDX-License-Identifier: Apache-2.0
"""The package limits have one source, src/model/package_limits.json: the Python reader takes its
numbers from it, the C++ header generated from it at build time holds the same numbers, and both
readers reject a package one past each arch limit, naming the same file, line, field and range."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

try:
    from . import support
except ImportError:  # run with -s scripts/tests as the top level
    import support
from granita_model import package as pk
from granita_model import paths
from granita_model.package import limits

BUILD = os.path.join(paths.REPO_ROOT, "build")
GRANITA = os.path.join(BUILD, "sim", "granita")
HEADER = os.path.join(BUILD, "generated", "src", "model", "package_limits.h")


def _camel(key):
    return "".join(p[:1].upper() + p[1:] for p in key.split("_"))


class LimitsFileTest(unittest.TestCase):
    def test_python_constants_are_the_file(self):
        with open(limits.LIMITS_FILE, encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(pk.ARCH_LIMITS, {k: (v["min"], v["max"]) for k, v in doc["arch"].items()})
        self.assertEqual(set(pk.ARCH_LIMITS), set(pk.ARCH_KEYS))
        values = {k: v["value"] for k, v in doc["values"].items()}
        for key, got in (("max_multiplier", pk.MAX_MULTIPLIER), ("max_wide", pk.MAX_WIDE),
                         ("max_official_shift", pk.MAX_OFFICIAL_SHIFT),
                         ("max_checksums_bytes", pk.MAX_CHECKSUMS_BYTES),
                         ("max_yaml_bytes", pk.MAX_YAML_BYTES),
                         ("max_vocab_bytes", pk.MAX_VOCAB_BYTES),
                         ("max_vocab_tokens", pk.MAX_VOCAB_TOKENS),
                         ("max_safetensors_header_bytes", pk.MAX_HEADER_BYTES),
                         ("max_json_depth", pk.MAX_JSON_DEPTH)):
            self.assertEqual(got, values.pop(key), key)
        self.assertEqual(values, {}, "limits no Python name reads")

    def test_a_changed_file_changes_the_limits(self):
        with open(limits.LIMITS_FILE, encoding="utf-8") as f:
            doc = json.load(f)
        doc["arch"]["layers"]["max"] = 7
        doc["values"]["max_wide"]["value"] = 99
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        try:
            arch, values = limits.load_limits(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(arch["layers"], (0, 7))
        self.assertEqual(values["max_wide"], 99)

    def test_malformed_file_names_the_field(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"version": 1, "arch": {"bits": {"min": 9, "max": 8}}, "values": {}}, f)
        try:
            with self.assertRaisesRegex(ValueError, r"arch\.bits: min 9 is above max 8"):
                limits.load_limits(f.name)
        finally:
            os.unlink(f.name)

    def test_generated_header_holds_the_same_numbers(self):
        if not os.path.exists(HEADER):
            self.skipTest("not built: %s missing" % HEADER)
        with open(HEADER, encoding="utf-8") as f:
            text = f.read()
        ranges = dict((k, (int(lo), int(hi))) for k, lo, hi in
                      re.findall(r"constexpr ArchRange kArch(\w+)\{(-?\d+), (-?\d+)\};", text))
        self.assertEqual(ranges, {_camel(k): v for k, v in pk.ARCH_LIMITS.items()},
                         "stale build? rerun scripts/build")
        values = dict((k, int(v)) for k, v in
                      re.findall(r"constexpr int64_t k(\w+) = (-?\d+);", text))
        self.assertEqual(values, {_camel(k): v for k, v in limits._VALUES.items()})


@unittest.skipUnless(support.HAVE_VOCAB, "needs the BERT vocabulary in $GRANITA_DATA")
class ReadersAgreeTest(unittest.TestCase):
    """One past each arch limit: the Python reader's message, and the C++ reader's when built."""

    @classmethod
    def setUpClass(cls):
        from granita_model.export import export_model
        m, _, _, _ = support.tiny_model(seed=2, max_seq_len=8)
        pkg = export_model(m, "tiny", "SST-2", ["negative", "positive"])
        cls.tmp = tempfile.mkdtemp(prefix="granita-limits-")
        cls.good = os.path.join(cls.tmp, "good")
        pk.write_package(pkg, cls.good, support.VOCAB)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def with_arch(self, key, value):
        d = os.path.join(self.tmp, "%s_%d" % (key, value))
        shutil.copytree(self.good, d)
        path = os.path.join(d, "model.yaml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text, n = re.subn(r"(?m)^(  %s: )\d+$" % key, r"\g<1>%d" % value, text)
        self.assertEqual(n, 1, key)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        sums = ""
        for name in pk.PACKAGE_FILES:
            with open(os.path.join(d, name), "rb") as f:
                sums += "%s  %s\n" % (hashlib.sha256(f.read()).hexdigest(), name)
        with open(os.path.join(d, "checksums.sha256"), "w") as f:
            f.write(sums)
        return d

    def test_one_past_each_limit(self):
        for key, (lo, hi) in pk.ARCH_LIMITS.items():
            for bad in (lo - 1, hi + 1):
                with self.subTest(key=key, value=bad):
                    d = self.with_arch(key, bad)
                    want = "arch.%s: %d is out of range [%d, %d]" % (key, bad, lo, hi)
                    with self.assertRaises(pk.PackageError) as cm:
                        pk.read_package(d)
                    self.assertIn(want, str(cm.exception))
                    if os.access(GRANITA, os.X_OK):
                        r = subprocess.run([GRANITA, "eval", "--model", d, "--text", "a"],
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           universal_newlines=True, timeout=60)
                        self.assertNotEqual(r.returncode, 0)
                        # Same place, field and range; the wording of the two readers differs
                        # ("N is out of range [lo, hi]" vs "expected an integer in [lo, hi],
                        # got N").
                        where = str(cm.exception).split(" is out of range")[0].rsplit(" ", 1)[0]
                        self.assertIn("error: " + where + " ", r.stderr)
                        self.assertIn("[%d, %d]" % (lo, hi), r.stderr)
                        self.assertIn(str(bad), r.stderr)


if __name__ == "__main__":
    unittest.main()
