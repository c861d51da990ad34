# SPDX-License-Identifier: Apache-2.0
"""Model package writer/reader (docs/model-format.md): round trip, checksums, version, errors."""
import hashlib
import os
import shutil
import struct
import tempfile
import unittest

import numpy as np

try:
    from . import support
except ImportError:  # run with -s scripts/tests as the top level
    import support
from granita_model import package as pk


def _rewrite_checksums(d):
    lines = []
    for f in pk.PACKAGE_FILES:
        with open(os.path.join(d, f), "rb") as fh:
            lines.append("%s  %s\n" % (hashlib.sha256(fh.read()).hexdigest(), f))
    with open(os.path.join(d, "checksums.sha256"), "w") as fh:
        fh.write("".join(lines))


@unittest.skipUnless(support.HAVE_VOCAB, "needs the BERT vocabulary in $GRANITA_DATA")
class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from granita_model.export import export_model
        m, _, _, _ = support.tiny_model(seed=1, max_seq_len=12)
        cls.pkg = export_model(m, "tiny", "SST-2", ["negative", "positive"], card="# tiny\n")
        cls.tmp = tempfile.mkdtemp(prefix="granita-pkg-")
        cls.dir = os.path.join(cls.tmp, "good")
        pk.write_package(cls.pkg, cls.dir, support.VOCAB)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def copy(self, name):
        d = os.path.join(self.tmp, name)
        shutil.copytree(self.dir, d)
        return d

    def test_round_trip_identical(self):
        got = pk.read_package(self.dir)
        self.assertEqual(got.name, "tiny")
        self.assertEqual(got.task, "SST-2")
        self.assertEqual(got.labels, ["negative", "positive"])
        self.assertEqual(got.arch, self.pkg.arch)
        self.assertEqual([o["name"] for o in got.ops], [o["name"] for o in self.pkg.ops])
        for a, b in zip(got.ops, self.pkg.ops):
            self.assertEqual(a, b)
        self.assertEqual(sorted(got.tensors), sorted(self.pkg.tensors))
        for k, v in self.pkg.tensors.items():
            np.testing.assert_array_equal(got.tensors[k], v, err_msg=k)
            self.assertEqual(got.tensors[k].dtype, v.dtype, k)
        self.assertEqual(got.card, "# tiny\n")
        with open(os.path.join(self.dir, "vocab.txt"), "rb") as a, open(support.VOCAB, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_op_names_are_the_sorbet_graph(self):
        names = [o["name"] for o in self.pkg.ops]
        layer = ["attn.in", "attn.q", "attn.k", "attn.v", "attn.q.fire", "attn.k.fire",
                 "attn.v.fire", "attn.scores", "attn.softmax", "attn.context", "attn.out.in",
                 "attn.out", "attn.residual", "attn.norm", "ffn.in", "ffn.up", "ffn.act",
                 "ffn.down", "ffn.residual", "ffn.norm"]
        self.assertEqual(names, ["embed", "embed.norm"] + ["layers.0." + x for x in layer]
                         + ["pool.cls", "pool.in", "pool.dense", "pool.act", "classifier"])

    def test_safetensors_layout(self):
        with open(os.path.join(self.dir, "tensors.safetensors"), "rb") as f:
            data = f.read()
        (n,) = struct.unpack("<Q", data[:8])
        self.assertEqual((8 + n) % 8, 0)       # data 8-byte aligned
        tensors, meta = pk.parse_safetensors(data, "x")
        self.assertEqual(meta, {"format": "granita-sorbet"})
        self.assertEqual(tensors["embed.word"][0], "U8")
        self.assertEqual(list(tensors["embed.word"][1].shape), [30522, 4])

    def test_checksum_corruption_detected(self):
        d = self.copy("corrupt")
        p = os.path.join(d, "tensors.safetensors")
        with open(p, "r+b") as f:
            f.seek(-1, 2)
            b = f.read(1)
            f.seek(-1, 2)
            f.write(bytes([b[0] ^ 1]))
        with self.assertRaises(pk.PackageError) as e:
            pk.read_package(d)
        self.assertIn("checksums.sha256:2: tensors.safetensors: checksum mismatch", str(e.exception))

    def test_missing_checksum_line(self):
        d = self.copy("nosum")
        p = os.path.join(d, "checksums.sha256")
        with open(p) as f:
            lines = [l for l in f if not l.endswith(" card.md\n")]
        with open(p, "w") as f:
            f.writelines(lines)
        with self.assertRaisesRegex(pk.PackageError, "card.md: no checksum listed"):
            pk.read_package(d)

    def test_bad_version_rejected_with_field(self):
        d = self.copy("v7")
        p = os.path.join(d, "model.yaml")
        with open(p) as f:
            text = f.read().replace("version: 1\n", "version: 7\n")
        with open(p, "w") as f:
            f.write(text)
        _rewrite_checksums(d)
        with self.assertRaises(pk.PackageError) as e:
            pk.read_package(d)
        self.assertTrue(str(e.exception).endswith(
            "model.yaml:2:10: version: unsupported model package version 7 (this Granita reads 1 to 2)"),
            str(e.exception))

    def _edit_yaml(self, name, old, new):
        d = self.copy(name)
        p = os.path.join(d, "model.yaml")
        with open(p) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(p, "w") as f:
            f.write(text.replace(old, new, 1))
        _rewrite_checksums(d)
        return d

    def test_exponent_identity_checked(self):
        op = self.pkg.op("layers.0.attn.in")
        d = self._edit_yaml("badexp", "shift: %d, out_exp: %d" % (op["shift"], op["out_exp"]),
                            "shift: %d, out_exp: %d" % (op["shift"], op["out_exp"] + 1))
        with self.assertRaisesRegex(pk.PackageError,
                                    r"model.yaml:\d+:\d+: ops\[2\].out_exp: must equal in_exp \+ shift"):
            pk.read_package(d)

    def test_unknown_key_rejected(self):
        d = self._edit_yaml("unknown", "  bits: 4\n", "  bits: 4\n  colour: blue\n")
        with self.assertRaisesRegex(pk.PackageError, "arch.colour: unknown key"):
            pk.read_package(d)

    def test_tensor_shape_mismatch_named(self):
        d = self.copy("shape")
        p = os.path.join(d, "tensors.safetensors")
        with open(p, "rb") as f:
            tensors, meta = pk.parse_safetensors(f.read(), p)
        dt, arr = tensors["layers.0.attn.in.bias"]
        tensors["layers.0.attn.in.bias"] = (dt, arr[:-1])
        with open(p, "wb") as f:
            f.write(pk.serialize_safetensors(tensors, meta))
        _rewrite_checksums(d)
        with self.assertRaisesRegex(pk.PackageError,
                                    r"tensors.safetensors: layers.0.attn.in.bias: expected I32 \[32\]"):
            pk.read_package(d)

    def test_truncated_safetensors(self):
        with self.assertRaisesRegex(pk.PackageError, "truncated"):
            pk.parse_safetensors(b"\x10\x00", "t.safetensors")
        bad = struct.pack("<Q", 1000) + b"{}"
        with self.assertRaisesRegex(pk.PackageError, "larger than the file"):
            pk.parse_safetensors(bad, "t.safetensors")


class PackedBitsTest(unittest.TestCase):
    def test_lsb_first_and_padding(self):
        signs = np.array([[1, -1, -1, -1, -1, -1, -1, -1, 1, 1],
                          [-1, 1, -1, -1, -1, -1, -1, 1, -1, 1]])
        packed = pk.pack_bits(signs)
        self.assertEqual(packed.tolist(), [[0x01, 0x03], [0x82, 0x02]])
        np.testing.assert_array_equal(pk.unpack_bits(packed, 10), signs)

    def test_zero_counts_as_plus_one(self):
        self.assertEqual(pk.pack_bits(np.array([[0, -1, 0]])).tolist(), [[0x05]])


class ReaderLimitsTest(unittest.TestCase):
    """The checks shared with the C++ reader's robustness corpus (tests/inputs/bad/)."""

    @staticmethod
    def st(header, data=b""):
        h = header.encode("utf-8")
        return struct.pack("<Q", len(h)) + h + data

    def parse_error(self, data):
        with self.assertRaises(pk.PackageError) as cm:
            pk.parse_safetensors(data, "t.safetensors")
        return str(cm.exception)

    def test_safetensors_duplicate_tensor_name(self):
        h = ('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
             '"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}')
        self.assertIn("duplicate key 'a'", self.parse_error(self.st(h, b"xy")))

    def test_safetensors_json_depth_is_bounded(self):
        for levels in (9, 100000):
            h = '{"a":' + "[" * levels + "]" * levels + "}"
            self.assertIn("JSON nested deeper than 8 levels", self.parse_error(self.st(h)))
        h = '{"a":' + "[" * 8 + "]" * 8 + "}"
        self.assertIn("expected an object", self.parse_error(self.st(h)))

    def test_safetensors_data_must_be_tiled(self):
        one = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[%d,%d]}}'
        self.assertIn("after the last tensor", self.parse_error(self.st(one % (0, 1), b"xy")))
        self.assertIn("belong to no tensor", self.parse_error(self.st(one % (1, 2), b"xy")))
        tensors, _ = pk.parse_safetensors(self.st(one % (0, 1), b"x"), "t")
        self.assertEqual(tensors["a"][1].tolist(), [120])

    def test_model_yaml_must_be_utf8(self):
        with tempfile.TemporaryDirectory() as d:
            for f in pk.PACKAGE_FILES:
                with open(os.path.join(d, f), "wb") as fh:
                    fh.write(b"name: t\xffiny\n" if f == "model.yaml" else b"x")
            _rewrite_checksums(d)
            with self.assertRaises(pk.PackageError) as cm:
                pk.read_package(d)
            self.assertIn("model.yaml:1:8: invalid UTF-8 (byte offset 7)", str(cm.exception))

    def test_vocab_checks(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "vocab.txt")
            specials = b"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"
            for data, want in [(b"", "empty"), (b"\xef\xbb\xbf" + specials, "byte order mark"),
                               (specials.replace(b"\n", b"\r"), "carriage return"),
                               (specials + b"a\n\nb\n", ":7: empty token"),
                               (specials + b"a\na\n", "duplicate token 'a'"),
                               (specials[6:], "[PAD]")]:
                with open(p, "wb") as f:
                    f.write(data)
                with self.assertRaises(pk.PackageError) as cm:
                    pk.check_vocab(p)
                self.assertIn(want, str(cm.exception))
            with open(p, "wb") as f:
                f.write(specials.replace(b"\n", b"\r\n") + b"word")
            self.assertEqual(pk.check_vocab(p), 6)


if __name__ == "__main__":
    unittest.main()
