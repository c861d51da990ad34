# SPDX-License-Identifier: Apache-2.0
"""Model package writer and reader, exactly per docs/model-format.md (versions 1 and 2).

A package is a directory with model.yaml, tensors.safetensors, vocab.txt, card.md and
checksums.sha256. The reader mirrors src/model/model_package.cpp: it verifies the checksums first,
then the YAML (format, version, arch, every op's attributes, exponent identities, ranges, the
graph), then every tensor against the ops that use it. Every error is a PackageError whose message
names the file and the line/field, e.g.
``model.yaml:2:10: version: unsupported model package version 7 (this Granita reads 1 to 2)``.
"""
import hashlib
import json
import os
import struct

import numpy as np
import yaml

FORMAT_NAME = "granita-sorbet"
FORMAT_VERSION = 2          # newest version read and written (official-profile packages)
HARDWARE_VERSION = 1        # hardware-profile packages are written as version 1
PROFILES = ("hardware", "official")
PACKAGE_FILES = ("model.yaml", "tensors.safetensors", "vocab.txt", "card.md")

DTYPES = {"I8": np.dtype("<i1"), "U8": np.dtype("<u1"), "I16": np.dtype("<i2"),
          "I32": np.dtype("<i4"), "I64": np.dtype("<i8")}
MAX_HEADER_BYTES = 100 << 20
MAX_JSON_DEPTH = 8
MAX_CHECKSUMS_BYTES = 1 << 20
MAX_YAML_BYTES = 1 << 20
MAX_VOCAB_BYTES = 64 << 20
MAX_VOCAB_TOKENS = 1 << 21
# Largest architecture a package may declare; as kMax* in src/model/sorbet_model.h.
ARCH_LIMITS = {"layers": (0, 128), "hidden": (1, 16384), "heads": (1, 256), "ffn": (1, 65536),
               "max_seq_len": (3, 8192), "vocab_size": (5, 1 << 20), "type_vocab_size": (1, 16),
               "bits": (2, 8), "time_steps": (1, 1024)}
MAX_FEATURES = 65536
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

OP_TYPES = ("embedding", "bspn", "fire", "binary_linear", "qk_scores", "ptsoftmax", "pv_matmul",
            "residual_add", "select_cls", "int_linear", "requant")
# YAML attribute keys of each op type, in the order they are written.
OP_KEYS = {
    "embedding": ("word_exp", "pos_exp", "type_exp"),
    "bspn": ("in_exp", "group", "beta_exp", "out_exp"),
    "fire": ("in_exp", "shift", "out_exp", "offset", "features"),
    "binary_linear": ("in_features", "out_features", "in_exp", "weight_exp", "out_exp"),
    "int_linear": ("in_features", "out_features", "in_exp", "weight_exp", "out_exp"),
    "qk_scores": ("heads", "score_shift"),
    "ptsoftmax": ("frac_bits", "out_exp"),
    "pv_matmul": ("heads", "out_exp"),
    "residual_add": ("out_exp",),
    "select_cls": (),
}
# Official-profile attribute keys (docs/model-format.md, version 2): name -> kind, in write order.
# Kinds: "int", "bool", or a tuple of the allowed strings.
ROUNDING = ("floor", "half_even")
OFFICIAL_OP_KEYS = {
    "embedding": (("word_exp", "int"), ("pos_exp", "int"), ("type_exp", "int"),
                  ("norm", ("layernorm",)), ("ln_exp", "int"), ("out_exp", "int")),
    "bspn": tuple((k, "int") for k in OP_KEYS["bspn"]),
    "fire": (("in_exp", "int"), ("multiplier", "int"), ("shift", "int"), ("rounding", ROUNDING),
             ("min_rule", ("none", "official")), ("out_exp", "int"), ("offset", "int"),
             ("features", "int")),
    "requant": (("in_exp", "int"), ("multiplier", "int"), ("shift", "int"),
                ("rounding", ROUNDING), ("relu", "bool"), ("out_exp", "int")),
    "binary_linear": tuple((k, "int") for k in OP_KEYS["binary_linear"]) + (("in_step", "int"),),
    "int_linear": tuple((k, "int") for k in OP_KEYS["int_linear"]),
    "qk_scores": (("heads", "int"), ("score_shift", "int"), ("multiplier", "int")),
    "ptsoftmax": (("frac_bits", "int"), ("out_exp", "int"), ("prob_frac", "int"),
                  ("multiplier", "int"), ("shift", "int")),
    "pv_matmul": (("heads", "int"), ("out_exp", "int"), ("prob_step", "int")),
    "residual_add": (("out_exp", "int"), ("multiplier", "int"), ("shift", "int"),
                     ("rounding", ROUNDING)),
    "select_cls": (),
}
# Official-profile fixed-point limits, as src/model/model_package.cpp.
MAX_MULTIPLIER = 1 << 40
MAX_OFFICIAL_SHIFT = 80
MAX_WIDE = 1 << 60
ARCH_KEYS = ("layers", "hidden", "heads", "ffn", "max_seq_len", "vocab_size", "type_vocab_size",
             "bits", "time_steps")


class PackageError(ValueError):
    """A fault in a model package; the message names file and line/field."""


class _DuplicateKey(ValueError):
    def __init__(self, key):
        super().__init__(key)
        self.key = key


def _diag(file, line=0, col=0, field="", msg=""):
    out = ""
    if file:
        out += file
        if line > 0:
            out += ":%d" % line
            if col > 0:
                out += ":%d" % col
        out += ": "
    if field:
        out += field + ": "
    return PackageError(out + msg)


# ---------------------------------------------------------------------------------------------
# 1-bit weights
def pack_bits(signs):
    """±1 (or ≥0 → +1, <0 → −1) matrix [rows, cols] → U8 [rows, ceil(cols/8)], LSB first."""
    s = np.asarray(signs)
    rows, cols = s.shape
    bits = (s >= 0).astype(np.uint8)
    pad = (-cols) % 8
    if pad:
        bits = np.concatenate([bits, np.zeros((rows, pad), np.uint8)], axis=1)
    return np.packbits(bits.reshape(rows, -1, 8), axis=2, bitorder="little").reshape(rows, -1)


def unpack_bits(packed, cols):
    """U8 [rows, ceil(cols/8)] → int8 ±1 [rows, cols]."""
    p = np.asarray(packed, dtype=np.uint8)
    bits = np.unpackbits(p, axis=1, bitorder="little")[:, :cols]
    return (bits.astype(np.int8) * 2 - 1)


# ---------------------------------------------------------------------------------------------
# safetensors
def serialize_safetensors(tensors, metadata=None):
    """tensors: dict name -> (dtype name, numpy array). Sorted by name, header padded with spaces
    so that the data starts 8-byte aligned (as the C++ writer)."""
    header = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    blobs = []
    off = 0
    for name in sorted(tensors):
        dt, arr = tensors[name]
        a = np.ascontiguousarray(np.asarray(arr).astype(DTYPES[dt], copy=False))
        b = a.tobytes()
        header[name] = {"dtype": dt, "shape": [int(d) for d in a.shape],
                        "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((-(len(h) + 8)) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def parse_safetensors(data, file):
    """bytes -> (dict name -> (dtype name, numpy array), metadata dict), with every check of the
    format page."""
    def fail(field, msg):
        return _diag(file, field=field, msg=msg)

    if len(data) < 8:
        raise fail("", "truncated safetensors file: %d bytes, need at least 8 for the header "
                   "length" % len(data))
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES:
        raise fail("", "header length %d exceeds the limit of %d bytes" % (n, MAX_HEADER_BYTES))
    if n > len(data) - 8:
        raise fail("", "header length %d is larger than the file (%d bytes): truncated or "
                   "corrupt" % (n, len(data)))
    def no_duplicates(pairs):
        out = {}
        for k, v in pairs:
            if k in out:
                raise _DuplicateKey(k)
            out[k] = v
        return out

    try:
        header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    except _DuplicateKey as e:
        raise fail(e.key, "duplicate key '%s' in the JSON header" % e.key) from None
    except RecursionError:
        raise fail("header", "JSON nested deeper than %d levels" % MAX_JSON_DEPTH) from None
    except (UnicodeDecodeError, ValueError) as e:
        raise fail("header", "invalid JSON: %s" % e) from None
    if not isinstance(header, dict):
        raise fail("header", "expected a JSON object")
    stack = [(header, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise fail("header", "JSON nested deeper than %d levels" % MAX_JSON_DEPTH)
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    data_size = len(data) - 8 - n
    base = 8 + n
    tensors, metadata, ranges = {}, {}, []
    for name, v in header.items():
        if name == "__metadata__":
            if not isinstance(v, dict):
                raise fail(name, "expected an object of strings")
            for k, s in v.items():
                if not isinstance(s, str):
                    raise fail(name + "." + k, "expected a string")
                metadata[k] = s
            continue
        if not isinstance(v, dict):
            raise fail(name, "expected an object with dtype, shape, data_offsets")
        for k in v:
            if k not in ("dtype", "shape", "data_offsets"):
                raise fail(name + "." + k, "unknown key")
        dt = v.get("dtype")
        if not isinstance(dt, str):
            raise fail(name + ".dtype", "missing or not a string")
        if dt not in DTYPES:
            raise fail(name + ".dtype", "unsupported dtype '%s' (expected I8, U8, I16, I32 or I64)"
                       % dt)
        shape = v.get("shape")
        if not isinstance(shape, list):
            raise fail(name + ".shape", "missing or not an array")
        numel = 1
        for d in shape:
            if not isinstance(d, int) or isinstance(d, bool) or d < 0:
                raise fail(name + ".shape", "dimensions must be non-negative integers")
            if d != 0 and numel > (1 << 40) // d:
                raise fail(name + ".shape", "tensor too large")
            numel *= d
        offs = v.get("data_offsets")
        if (not isinstance(offs, list) or len(offs) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offs)):
            raise fail(name + ".data_offsets", "expected [begin, end] non-negative integers")
        b, e = offs
        if b > e or e > data_size:
            raise fail(name + ".data_offsets", "range [%d, %d) lies outside the data section of "
                       "%d bytes: truncated or corrupt file" % (b, e, data_size))
        need = numel * DTYPES[dt].itemsize
        if e - b != need:
            raise fail(name + ".data_offsets", "holds %d bytes, but %s of this shape needs %d"
                       % (e - b, dt, need))
        ranges.append((b, e))
        arr = np.frombuffer(data, dtype=DTYPES[dt], count=numel, offset=base + b)
        tensors[name] = (dt, arr.reshape(shape).copy())
    # The tensors tile the data section: no overlaps, gaps or trailing bytes.
    ranges.sort()
    covered = 0
    for b, e in ranges:
        if b < covered:
            raise fail("header", "tensor data ranges overlap")
        if b > covered:
            raise fail("header", "data bytes [%d, %d) belong to no tensor: corrupt file"
                       % (covered, b))
        covered = e
    if covered != data_size:
        raise fail("header", "%d bytes after the last tensor belong to no tensor: corrupt or "
                   "concatenated file" % (data_size - covered))
    return tensors, metadata


# ---------------------------------------------------------------------------------------------
# YAML
def _yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    s = str(v)
    plain_ok = (s and all(c.isalnum() or c in "._-+/" for c in s) and not s[0] in "-+."
                and yaml.safe_load(s) == s)
    return s if plain_ok else json.dumps(s, ensure_ascii=False)


def _yaml_flow(v):
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (k, _yaml_flow(x)) for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_yaml_flow(x) for x in v) + "]"
    return _yaml_scalar(v)


def op_keys(profile, op_type):
    """(key, kind) pairs of an op type's attributes in a package of the given profile."""
    if profile == "official":
        return OFFICIAL_OP_KEYS.get(op_type, ())
    return tuple((k, "int") for k in OP_KEYS.get(op_type, ()))


def model_yaml_text(pkg):
    official = pkg.profile == "official"
    lines = ["format: " + FORMAT_NAME, "version: %d" % (FORMAT_VERSION if official else HARDWARE_VERSION)]
    if official:
        lines.append("profile: official")
    lines += ["name: " + _yaml_scalar(pkg.name), "task: " + _yaml_scalar(pkg.task),
              "labels: " + _yaml_flow(list(pkg.labels)), "arch:"]
    for k in ARCH_KEYS:
        lines.append("  %s: %d" % (k, pkg.arch[k]))
    lines.append("inputs: {tokens: tokens}")
    lines.append("output: " + _yaml_scalar(pkg.output))
    lines.append("ops:")
    for op in pkg.ops:
        d = {"name": op["name"], "type": op["type"], "inputs": list(op["inputs"])}
        for k, kind in op_keys(pkg.profile, op["type"]):
            d[k] = bool(op[k]) if kind == "bool" else op[k] if isinstance(kind, tuple) else int(op[k])
        lines.append("  - " + _yaml_flow(d))
    return "\n".join(lines) + "\n"


class _YMap:
    """A YAML mapping node read with checks; errors name file:line:col and the key path.
    finish() rejects keys never asked for and duplicate keys (as src/config/yaml_reader)."""

    def __init__(self, node, file, path):
        self.node, self.file, self.path = node, file, path
        if not isinstance(node, yaml.MappingNode):
            raise self._err(node, path or "(top level)", "expected a mapping")
        self.items = {}
        self.dups = []
        for k, v in node.value:
            key = k.value
            if key in self.items:
                self.dups.append(k)
            self.items[key] = (k, v)
        self.used = set()

    def _err(self, node, field, msg):
        m = node.start_mark
        return _diag(self.file, m.line + 1, m.column + 1, field, msg)

    def key_path(self, key):
        return key if not self.path else self.path + "." + key

    def fail(self, key, msg):
        node = self.items[key][1] if key in self.items else self.node
        raise self._err(node, self.key_path(key), msg)

    def require(self, key):
        self.used.add(key)
        if key not in self.items:
            raise self._err(self.node, self.key_path(key), "missing required key")
        return self.items[key][1]

    def has(self, key):
        return key in self.items

    def get_int(self, key, lo, hi):
        n = self.require(key)
        v = None
        if isinstance(n, yaml.ScalarNode) and n.tag == "tag:yaml.org,2002:int":
            try:
                v = int(yaml.safe_load(n.value))
            except (ValueError, TypeError):
                v = None
        if not isinstance(v, int):
            raise self._err(n, self.key_path(key), "expected an integer, got '%s'"
                            % (n.value if isinstance(n, yaml.ScalarNode) else "a collection"))
        if v < lo or v > hi:
            raise self._err(n, self.key_path(key), "%d is out of range [%d, %d]" % (v, lo, hi))
        return v

    def get_bool(self, key):
        n = self.require(key)
        if isinstance(n, yaml.ScalarNode) and n.value in ("true", "false"):
            return n.value == "true"
        raise self._err(n, self.key_path(key), "expected true or false")

    def get_enum(self, key, allowed):
        v = self.get_string(key)
        if v not in allowed:
            self.fail(key, "expected one of %s, got '%s'" % (", ".join(allowed), v))
        return v

    def get_string(self, key):
        n = self.require(key)
        if not isinstance(n, yaml.ScalarNode):
            raise self._err(n, self.key_path(key), "expected a string")
        return n.value

    def get_string_list(self, key):
        n = self.require(key)
        if not isinstance(n, yaml.SequenceNode):
            raise self._err(n, self.key_path(key), "expected a list of strings")
        out = []
        for i, x in enumerate(n.value):
            if not isinstance(x, yaml.ScalarNode):
                raise self._err(x, "%s[%d]" % (self.key_path(key), i), "expected a string")
            out.append(x.value)
        return out

    def get_map(self, key):
        return _YMap(self.require(key), self.file, self.key_path(key))

    def finish(self):
        for k in self.dups:
            raise self._err(k, self.key_path(k.value), "duplicate key")
        for key, (k, _) in self.items.items():
            if key not in self.used:
                raise self._err(k, self.key_path(key), "unknown key")

    def line(self):
        return self.node.start_mark.line + 1


# ---------------------------------------------------------------------------------------------
class Package:
    """An in-memory model package.

    ops: list of dicts (name, type, inputs, and the type's attribute keys of OP_KEYS).
    tensors: dict '<op>.<role>' -> numpy array, stored dtype (packed bits are U8 [rows, ceil/8]).
    After read_package (or validate()), `info[name]` holds each op's derived features, out_exp,
    offset (counts only), counts flag and in_offset (linears)."""

    def __init__(self, name, task, labels, arch, ops, tensors, card="", version=HARDWARE_VERSION,
                 output="classifier", profile="hardware"):
        self.name, self.task, self.labels = name, task, list(labels)
        self.arch = dict(arch)
        self.ops = ops
        self.tensors = tensors
        self.card = card
        self.version = version
        self.profile = profile
        self.output = output
        self.info = {}
        self.dir = None

    def op(self, name):
        for o in self.ops:
            if o["name"] == name:
                return o
        raise KeyError(name)

    def levels(self):
        return (1 << self.arch["bits"]) - 1

    def signed_offset(self):
        return 1 << (self.arch["bits"] - 1)


TENSOR_DTYPES = {  # (op type, role) -> dtype name
    ("embedding", "word"): "U8", ("embedding", "pos"): "I8", ("embedding", "type"): "I8",
    ("bspn", "gamma_sign"): "I8", ("bspn", "gamma_exp"): "I8", ("bspn", "beta"): "I32",
    ("fire", "bias"): "I32", ("binary_linear", "weight"): "U8", ("residual_add", "bias"): "I32",
    ("int_linear", "weight"): "I8", ("int_linear", "bias"): "I32",
}
OFFICIAL_TENSOR_DTYPES = dict(TENSOR_DTYPES)
OFFICIAL_TENSOR_DTYPES.update({
    ("embedding", "word_scale"): "I32", ("embedding", "pos"): "I32", ("embedding", "type"): "I32",
    ("embedding", "ln_gamma"): "I32", ("embedding", "ln_beta"): "I32",
    ("fire", "bias"): "I64", ("requant", "bias"): "I64", ("requant", "move"): "I64",
    ("residual_add", "bias"): "I64", ("int_linear", "weight"): "I32", ("int_linear", "bias"): "I64",
})


def tensor_dtypes(profile):
    return OFFICIAL_TENSOR_DTYPES if profile == "official" else TENSOR_DTYPES


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_package(pkg, directory, vocab_path):
    """Writes the five files; returns the directory. Validates the package first (same checks as
    the reader), so a bad package is never written."""
    validate(pkg, "model.yaml", "tensors.safetensors")
    os.makedirs(directory, exist_ok=True)
    tensors = {}
    for name, arr in pkg.tensors.items():
        op_name, role = name.rsplit(".", 1)
        tensors[name] = (tensor_dtypes(pkg.profile)[(pkg.op(op_name)["type"], role)], arr)
    with open(vocab_path, "rb") as f:
        vocab = f.read()
    files = {
        "model.yaml": model_yaml_text(pkg).encode("utf-8"),
        "tensors.safetensors": serialize_safetensors(tensors, {"format": FORMAT_NAME}),
        "vocab.txt": vocab,
        "card.md": pkg.card.encode("utf-8"),
    }
    sums = ""
    for f in PACKAGE_FILES:
        _write_atomic(os.path.join(directory, f), files[f])
        sums += "%s  %s\n" % (_sha256(files[f]), f)
    _write_atomic(os.path.join(directory, "checksums.sha256"), sums.encode("ascii"))
    return directory


def verify_checksums(directory):
    sums_path = os.path.join(directory, "checksums.sha256")
    try:
        with open(sums_path, "rb") as f:
            raw = f.read(MAX_CHECKSUMS_BYTES + 1)
    except OSError as e:
        raise _diag(sums_path, msg="cannot read: %s" % e.strerror) from None
    if len(raw) > MAX_CHECKSUMS_BYTES:
        raise _diag(sums_path,
                    msg="file is larger than the limit of %d bytes" % MAX_CHECKSUMS_BYTES)
    text = raw.decode("utf-8", errors="replace")
    listed = {}
    for i, line in enumerate(text.split("\n")):
        if line.endswith("\r"):  # CRLF, as written by editors on Windows
            line = line[:-1]
        if not line:
            continue
        ok = (len(line) > 66 and line[64] == " " and line[65] in " *"
              and all(c in "0123456789abcdef" for c in line[:64]))
        if not ok:
            raise _diag(sums_path, i + 1, 0, "", "expected '<64 lowercase hex digits>  <file name>'")
        if line[66:] in listed:
            raise _diag(sums_path, i + 1, 0, line[66:],
                        "listed twice (first at line %d)" % listed[line[66:]][1])
        listed[line[66:]] = (line[:64], i + 1)
    for f in PACKAGE_FILES:
        if f not in listed:
            raise _diag(sums_path, field=f, msg="no checksum listed for this package file")
        try:
            with open(os.path.join(directory, f), "rb") as fh:
                actual = _sha256(fh.read())
        except OSError as e:
            raise _diag(os.path.join(directory, f), msg="cannot read: %s" % e.strerror) from None
        want, line = listed[f]
        if actual != want:
            raise _diag(sums_path, line, 0, f, "checksum mismatch: the file is corrupt or was "
                        "edited (expected %s, got %s)" % (want, actual))


def check_vocab(path):
    """Checks a vocab.txt as src/text/vocab.cpp does; returns its number of tokens."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_VOCAB_BYTES + 1)
    except OSError as e:
        raise _diag(path, msg="cannot read: %s" % e.strerror) from None
    if len(data) > MAX_VOCAB_BYTES:
        raise _diag(path, msg="file is larger than the limit of %d bytes" % MAX_VOCAB_BYTES)
    if not data:
        raise _diag(path, msg="vocabulary file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        raise _diag(path, 1, 1, "", "the file starts with a UTF-8 byte order mark; a BERT "
                    "vocabulary has none (it would become part of the first token)")
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    seen = {}
    for i, line in enumerate(lines):
        if line.endswith(b"\r"):
            line = line[:-1]
        if b"\r" in line:
            raise _diag(path, i + 1, line.index(b"\r") + 1, "",
                        "carriage return inside a line: the file seems to use CR-only line "
                        "endings; expected one token per line, lines ending in \\n or \\r\\n")
        if len(seen) == MAX_VOCAB_TOKENS:
            raise _diag(path, i + 1, 0, "", "more than %d tokens" % MAX_VOCAB_TOKENS)
        if not line:
            raise _diag(path, i + 1, 0, "", "empty token")
        try:
            tok = line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _diag(path, i + 1, 0, "", "invalid UTF-8 at byte %d" % e.start) from None
        if tok in seen:
            raise _diag(path, i + 1, 0, "", "duplicate token '%s' (first defined at line %d)"
                        % (tok, seen[tok]))
        seen[tok] = i + 1
    for s in SPECIAL_TOKENS:
        if s not in seen:
            raise _diag(path, msg="vocabulary lacks the special token %s" % s)
    return len(seen)


def read_package(directory):
    """Loads and validates a package directory (checksums, YAML, tensors). Returns a Package."""
    if not os.path.isdir(directory):
        raise _diag(directory, msg="model package directory not found")
    verify_checksums(directory)
    yaml_file = os.path.join(directory, "model.yaml")
    with open(yaml_file, "rb") as f:
        raw = f.read(MAX_YAML_BYTES + 1)
    if len(raw) > MAX_YAML_BYTES:
        raise _diag(yaml_file, msg="file is larger than the limit of %d bytes" % MAX_YAML_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise _diag(yaml_file, line, col, "", "invalid UTF-8 (byte offset %d)" % e.start) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise _diag(yaml_file, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, "",
                    "YAML syntax error: %s" % getattr(e, "problem", e)) from None
    if root is None:
        raise _diag(yaml_file, msg="empty file")
    top = _YMap(root, yaml_file, "")
    fmt = top.get_string("format")
    if fmt != FORMAT_NAME:
        top.fail("format", "expected '%s', got '%s'" % (FORMAT_NAME, fmt))
    version = top.get_int("version", 0, 1 << 30)
    if not 1 <= version <= FORMAT_VERSION:
        top.fail("version", "unsupported model package version %d (this Granita reads 1 to %d)"
                 % (version, FORMAT_VERSION))
    # Version 1 predates profiles: its packages are hardware-profile packages.
    profile = top.get_enum("profile", PROFILES) if version >= 2 else "hardware"
    name = top.get_string("name")
    task = top.get_string("task")
    labels = top.get_string_list("labels")
    if not labels:
        top.fail("labels", "expected at least one label")
    am = top.get_map("arch")
    arch = {k: am.get_int(k, *ARCH_LIMITS[k]) for k in ARCH_KEYS}
    am.finish()
    if arch["hidden"] % arch["heads"]:
        am.fail("heads", "hidden (%d) is not divisible by heads (%d)" % (arch["hidden"], arch["heads"]))
    if arch["time_steps"] < (1 << arch["bits"]) - 1:
        am.fail("time_steps", "must be at least 2^bits - 1 = %d so that every level fits in the "
                "time window" % ((1 << arch["bits"]) - 1))
    im = top.get_map("inputs")
    tokens_name = im.get_string("tokens")
    im.finish()
    output = top.get_string("output")
    ops_node = top.require("ops")
    if not isinstance(ops_node, yaml.SequenceNode) or not ops_node.value:
        m = ops_node.start_mark
        raise _diag(yaml_file, m.line + 1, m.column + 1, "ops", "expected a non-empty list of ops")
    top.finish()

    st_file = os.path.join(directory, "tensors.safetensors")
    with open(st_file, "rb") as f:
        raw, _meta = parse_safetensors(f.read(), st_file)

    ops = []
    for i, node in enumerate(ops_node.value):
        om = _YMap(node, yaml_file, "ops[%d]" % i)
        op = {"name": om.get_string("name"), "_line": om.line()}
        tname = om.get_string("type")
        if tname not in OP_TYPES:
            om.fail("type", "expected one of %s, got '%s'" % (", ".join(OP_TYPES), tname))
        op["type"] = tname
        op["inputs"] = ["tokens" if x == tokens_name else x for x in om.get_string_list("inputs")]
        if profile == "hardware" and tname == "requant":
            om.fail("type", "requant ops exist only in official-profile packages")
        for k, kind in op_keys(profile, tname):
            if kind == "bool":
                op[k] = om.get_bool(k)
            elif isinstance(kind, tuple):
                op[k] = om.get_enum(k, kind)
            else:
                wide = 62 if profile == "official" else 31
                op[k] = om.get_int(k, -(1 << wide), (1 << wide) - 1)
        om.finish()
        op["_ymap"] = om
        ops.append(op)
    pkg = Package(name, task, labels, arch, ops, {}, version=version, output=output,
                  profile=profile)
    with open(os.path.join(directory, "card.md"), "rb") as f:
        pkg.card = f.read().decode("utf-8", errors="replace")
    validate(pkg, yaml_file, st_file, raw_tensors=raw)
    tokens = check_vocab(os.path.join(directory, "vocab.txt"))
    if tokens > arch["vocab_size"]:
        raise _diag(os.path.join(directory, "vocab.txt"),
                    msg="%d tokens, more than the %d rows of the embedding table "
                    "(arch.vocab_size in model.yaml)" % (tokens, arch["vocab_size"]))
    for op in ops:
        op.pop("_ymap", None)
        op.pop("_line", None)
    pkg.dir = directory
    return pkg


class _OpCtx:
    """Error helper for validate(): uses YAML marks when the op was read from a file."""

    def __init__(self, op, index, yaml_file):
        self.op, self.index, self.yaml_file = op, index, yaml_file
        self.ymap = op.get("_ymap")

    def fail(self, key, msg):
        if self.ymap is not None:
            self.ymap.fail(key, msg)
        raise _diag(self.yaml_file, 0, 0, "ops[%d].%s" % (self.index, key), msg)


def validate(pkg, yaml_file="model.yaml", st_file="tensors.safetensors", raw_tensors=None):
    """Checks a package as the C++ reader does and fills pkg.info (and pkg.tensors from
    raw_tensors when given). Raises PackageError."""
    a = pkg.arch
    sgn = 1 << (a["bits"] - 1)
    official = pkg.profile == "official"
    dtypes = tensor_dtypes(pkg.profile)
    info = {}
    used = set()
    if raw_tensors is None:
        raw_tensors = {}
        for name, arr in pkg.tensors.items():
            if "." not in name or name.rsplit(".", 1)[0] not in {o["name"] for o in pkg.ops}:
                raise _diag(st_file, field=name, msg="tensor is not used by any op in model.yaml")
            op_name, role = name.rsplit(".", 1)
            key = (pkg.op(op_name)["type"], role)
            if key not in dtypes:
                raise _diag(st_file, field=name, msg="tensor is not used by any op in model.yaml")
            raw_tensors[name] = (dtypes[key], np.asarray(arr))
    tensors = {}

    def tensor(ctx, role, dt, shape, lo=None, hi=None):
        name = ctx.op["name"] + "." + role
        if name not in raw_tensors:
            raise _diag(st_file, field=name, msg="tensor missing")
        used.add(name)
        got_dt, arr = raw_tensors[name]
        arr = np.asarray(arr)
        if got_dt != dt or list(arr.shape) != list(shape):
            raise _diag(st_file, field=name, msg="expected %s %s (from model.yaml op '%s'), got %s %s"
                        % (dt, list(shape), ctx.op["name"], got_dt, list(arr.shape)))
        if arr.dtype != DTYPES[dt]:
            if not np.array_equal(arr, arr.astype(DTYPES[dt])):
                raise _diag(st_file, field=name, msg="values do not fit %s" % dt)
            arr = arr.astype(DTYPES[dt])
        if lo is not None:
            bad = np.nonzero((arr.reshape(-1) < lo) | (arr.reshape(-1) > hi))[0]
            if bad.size and official and lo == -hi:
                raise _diag(st_file, field=name, msg="element %d is %d, outside [-%d, %d]"
                            % (bad[0], arr.reshape(-1)[bad[0]], hi, hi))
            if bad.size:
                raise _diag(st_file, field=name, msg="element %d is %d, expected a value in [%d, %d]"
                            % (bad[0], arr.reshape(-1)[bad[0]], lo, hi))
        tensors[name] = arr
        return arr

    def bits(ctx, role, rows, cols):
        arr = tensor(ctx, role, "U8", [rows, (cols + 7) // 8])
        if cols % 8:
            bad = np.nonzero(arr[:, -1] >> (cols % 8))[0]
            if bad.size:
                raise _diag(st_file, field=ctx.op["name"] + "." + role,
                            msg="padding bits of row %d are not zero" % bad[0])
        return arr

    def check_exp(ctx, key, lo=-64, hi=64):
        v = ctx.op[key]
        if v < lo or v > hi:
            ctx.fail(key, "%d is out of range [%d, %d]" % (v, lo, hi))
        return v

    names = set()
    for idx, op in enumerate(pkg.ops):
        ctx = _OpCtx(op, idx, yaml_file)
        t = op["type"]
        if op["name"] in names:
            ctx.fail("name", "duplicate op name '%s'" % op["name"])
        ins = op["inputs"]
        for x in ins:
            if x != "tokens" and x not in info:
                ctx.fail("inputs", "input '%s' is not an op defined above this one" % x)

        def want_inputs(n):
            if len(ins) != n:
                ctx.fail("inputs", "%s takes %d input(s), got %d" % (t, n, len(ins)))

        def producer(k):
            if ins[k] == "tokens":
                ctx.fail("inputs", "input %d cannot be the token ids" % k)
            return info[ins[k]]

        def need_counts(p, want_signed):
            if not p["counts"]:
                ctx.fail("inputs", "input '%s' must produce spike counts (a fire op), it is %s"
                         % (p["name"], p["type"]))
            if want_signed and p["offset"] != sgn:
                ctx.fail("inputs", "input '%s' must be a signed fire (offset %d)" % (p["name"], sgn))

        def check_in_exp(p):
            # Official-profile scales are not powers of two: only BSPN's input grid is an exponent.
            if official and t != "bspn":
                return
            if op["in_exp"] != p["out_exp"]:
                ctx.fail("in_exp", "is %d but input '%s' produces exponent %d"
                         % (op["in_exp"], p["name"], p["out_exp"]))

        def not_counts(p, what):
            if p["counts"] or p["type"] == "qk_scores":
                ctx.fail("inputs", what)

        d = {"name": op["name"], "type": t, "counts": False, "offset": 0, "out_exp": 0,
             "features": 0, "in_offset": 0}
        if t == "embedding":
            want_inputs(1)
            if ins[0] != "tokens":
                ctx.fail("inputs", "embedding takes the token ids 'tokens'")
            exps = [check_exp(ctx, k) for k in ("word_exp", "pos_exp", "type_exp")]
            if max(exps) - min(exps) > 16:
                ctx.fail("word_exp", "embedding exponents differ by more than 16")
            d["out_exp"] = min(exps)
            d["features"] = a["hidden"]
            bits(ctx, "word", a["vocab_size"], a["hidden"])
            if official:
                if min(exps) != max(exps):
                    ctx.fail("word_exp", "official profile: word_exp, pos_exp and type_exp must be "
                             "equal")
                check_exp(ctx, "ln_exp")
                d["out_exp"] = check_exp(ctx, "out_exp")
                if not -30 <= op["out_exp"] - op["ln_exp"] <= 60:
                    ctx.fail("out_exp", "must be within [-30, 60] of ln_exp")
                lim = 1 << 30
                tensor(ctx, "word_scale", "I32", [a["vocab_size"]], -lim, lim)
                tensor(ctx, "pos", "I32", [a["max_seq_len"], a["hidden"]], -lim, lim)
                tensor(ctx, "type", "I32", [a["type_vocab_size"], a["hidden"]], -lim, lim)
                tensor(ctx, "ln_gamma", "I32", [a["hidden"]], -lim, lim)
                tensor(ctx, "ln_beta", "I32", [a["hidden"]], -lim, lim)
            else:
                tensor(ctx, "pos", "I8", [a["max_seq_len"], a["hidden"]], -128, 127)
                tensor(ctx, "type", "I8", [a["type_vocab_size"], a["hidden"]], -128, 127)
        elif t == "bspn":
            want_inputs(1)
            p = producer(0)
            not_counts(p, "bspn normalises an integer tensor, not '%s'" % p["name"])
            check_exp(ctx, "in_exp")
            check_in_exp(p)
            d["features"] = f = p["features"]
            g = op["group"]
            if g < 1 or g > (1 << 16):
                ctx.fail("group", "%d is out of range [1, 65536]" % g)
            if (g & (g - 1)) or f % g or g > 256:
                ctx.fail("group", "must be a power of two ≤ 256 dividing the %d features" % f)
            check_exp(ctx, "beta_exp", -40, 8)
            d["out_exp"] = check_exp(ctx, "out_exp")
            tensor(ctx, "gamma_sign", "I8", [f], -1, 1)
            tensor(ctx, "gamma_exp", "I8", [f], -24, 24)
            tensor(ctx, "beta", "I32", [f])
        elif t == "fire":
            want_inputs(1)
            p = producer(0)
            not_counts(p, "fire integrates an integer tensor, not '%s'" % p["name"])
            check_exp(ctx, "in_exp")
            check_in_exp(p)
            if official:
                check_exp(ctx, "multiplier", 1, MAX_MULTIPLIER)
                check_exp(ctx, "shift", -30, MAX_OFFICIAL_SHIFT)
            else:
                check_exp(ctx, "shift", -30, 30)
            d["out_exp"] = check_exp(ctx, "out_exp")
            if not official and op["out_exp"] != op["in_exp"] + op["shift"]:
                ctx.fail("out_exp", "must equal in_exp + shift = %d" % (op["in_exp"] + op["shift"]))
            if op["offset"] not in (0, sgn):
                ctx.fail("offset", "must be 0 (unsigned) or %d (signed)" % sgn)
            d["offset"] = op["offset"]
            if official and op["min_rule"] == "official" and op["offset"] != 0:
                ctx.fail("min_rule", "the official minimum rule applies to unsigned fires (offset 0)")
            if op["features"] < 1 or op["features"] != p["features"]:
                ctx.fail("features", "is %d but input '%s' has %d"
                         % (op["features"], p["name"], p["features"]))
            d["features"] = op["features"]
            d["counts"] = True
            if official:
                tensor(ctx, "bias", "I64", [op["features"]], -MAX_WIDE, MAX_WIDE)
            else:
                tensor(ctx, "bias", "I32", [op["features"]])
        elif t == "requant":
            want_inputs(1)
            p = producer(0)
            if p["type"] != "binary_linear":
                ctx.fail("inputs", "requant takes a binary_linear op, not '%s'" % p["name"])
            check_exp(ctx, "in_exp")
            check_exp(ctx, "multiplier", 1, MAX_MULTIPLIER)
            check_exp(ctx, "shift", -30, MAX_OFFICIAL_SHIFT)
            d["out_exp"] = check_exp(ctx, "out_exp")
            d["features"] = p["features"]
            tensor(ctx, "bias", "I64", [p["features"]], -MAX_WIDE, MAX_WIDE)
            tensor(ctx, "move", "I64", [p["features"]], -MAX_WIDE, MAX_WIDE)
        elif t in ("binary_linear", "int_linear"):
            want_inputs(1)
            p = producer(0)
            if not (official and t == "int_linear"):
                need_counts(p, False)
            elif p["type"] != "requant":
                ctx.fail("inputs", "an official-profile classifier takes a requant op, not '%s'"
                         % p["name"])
            if op["in_features"] != p["features"]:
                ctx.fail("in_features", "is %d but input '%s' has %d"
                         % (op["in_features"], p["name"], p["features"]))
            if op["out_features"] < 1 or op["out_features"] > MAX_FEATURES:
                ctx.fail("out_features", "%d is out of range [1, %d]"
                         % (op["out_features"], MAX_FEATURES))
            check_exp(ctx, "in_exp")
            check_in_exp(p)
            d["in_offset"] = p["offset"]
            check_exp(ctx, "weight_exp")
            d["out_exp"] = check_exp(ctx, "out_exp")
            if not official and op["out_exp"] != op["in_exp"] + op["weight_exp"]:
                ctx.fail("out_exp", "must equal in_exp + weight_exp = %d"
                         % (op["in_exp"] + op["weight_exp"]))
            d["features"] = op["out_features"]
            if t == "binary_linear":
                bits(ctx, "weight", op["out_features"], op["in_features"])
                if official:
                    check_exp(ctx, "in_step", 1, MAX_MULTIPLIER)
            elif official:
                tensor(ctx, "weight", "I32", [op["out_features"], op["in_features"]],
                       -(1 << 30), 1 << 30)
                tensor(ctx, "bias", "I64", [op["out_features"]], -MAX_WIDE, MAX_WIDE)
            else:
                tensor(ctx, "weight", "I8", [op["out_features"], op["in_features"]], -128, 127)
                tensor(ctx, "bias", "I32", [op["out_features"]])
        elif t == "qk_scores":
            want_inputs(2)
            q, k = producer(0), producer(1)
            need_counts(q, True)
            need_counts(k, True)
            if q["features"] != k["features"]:
                ctx.fail("inputs", "q and k have different feature counts")
            if op["heads"] < 1 or op["heads"] > ARCH_LIMITS["heads"][1]:
                ctx.fail("heads", "%d is out of range [1, %d]"
                         % (op["heads"], ARCH_LIMITS["heads"][1]))
            if q["features"] % op["heads"]:
                ctx.fail("heads", "does not divide the %d features" % q["features"])
            if official:
                check_exp(ctx, "score_shift", 0, MAX_OFFICIAL_SHIFT)
                check_exp(ctx, "multiplier", 1, MAX_MULTIPLIER)
            else:
                check_exp(ctx, "score_shift", -30, 30)
            d["features"] = q["features"]
            d["heads"] = op["heads"]
            d["offset"] = q["offset"]
        elif t == "ptsoftmax":
            want_inputs(1)
            p = producer(0)
            if p["type"] != "qk_scores":
                ctx.fail("inputs", "ptsoftmax takes a qk_scores op, not '%s'" % p["name"])
            d["heads"] = p["heads"]
            d["features"] = p["features"]
            check_exp(ctx, "frac_bits", 1, 40)
            d["out_exp"] = check_exp(ctx, "out_exp")
            if official:
                check_exp(ctx, "prob_frac", 1, 60)
                check_exp(ctx, "multiplier", 1, MAX_MULTIPLIER)
                check_exp(ctx, "shift", 0, MAX_OFFICIAL_SHIFT)
            d["counts"] = True
        elif t == "pv_matmul":
            want_inputs(2)
            pr, v = producer(0), producer(1)
            if pr["type"] != "ptsoftmax":
                ctx.fail("inputs", "pv_matmul's first input must be a ptsoftmax op")
            need_counts(v, True)
            if op["heads"] < 1 or op["heads"] > ARCH_LIMITS["heads"][1]:
                ctx.fail("heads", "%d is out of range [1, %d]"
                         % (op["heads"], ARCH_LIMITS["heads"][1]))
            if op["heads"] != pr["heads"] or v["features"] != pr["features"]:
                ctx.fail("heads", "heads/features differ from the attention probabilities'")
            d["out_exp"] = check_exp(ctx, "out_exp")
            if official:
                check_exp(ctx, "prob_step", 1, MAX_MULTIPLIER)
            elif op["out_exp"] != pr["out_exp"] + v["out_exp"]:
                ctx.fail("out_exp", "must equal probs exponent + v exponent = %d"
                         % (pr["out_exp"] + v["out_exp"]))
            d["features"] = v["features"]
            d["heads"] = op["heads"]
        elif t == "residual_add":
            want_inputs(2)
            acc, res = producer(0), producer(1)
            if acc["type"] != "binary_linear":
                ctx.fail("inputs", "residual_add's first input must be a binary_linear op")
            not_counts(res, "residual_add's second input must be an integer hidden state")
            if acc["features"] != res["features"]:
                ctx.fail("inputs", "feature counts differ: %d vs %d"
                         % (acc["features"], res["features"]))
            d["features"] = acc["features"]
            if official:
                d["out_exp"] = check_exp(ctx, "out_exp")
                if not 0 <= res["out_exp"] - op["out_exp"] <= 30:
                    ctx.fail("out_exp", "must be at most 30 below the residual's exponent %d and "
                             "not above it" % res["out_exp"])
                check_exp(ctx, "multiplier", 1, MAX_MULTIPLIER)
                check_exp(ctx, "shift", -30, MAX_OFFICIAL_SHIFT)
                tensor(ctx, "bias", "I64", [d["features"]], -MAX_WIDE, MAX_WIDE)
                names.add(op["name"])
                info[op["name"]] = d
                continue
            if abs(acc["out_exp"] - res["out_exp"]) > 16:
                ctx.fail("inputs", "accumulator and residual exponents differ by more than 16")
            d["out_exp"] = check_exp(ctx, "out_exp")
            if op["out_exp"] != min(acc["out_exp"], res["out_exp"]):
                ctx.fail("out_exp", "must equal min(accumulator, residual exponent) = %d"
                         % min(acc["out_exp"], res["out_exp"]))
            tensor(ctx, "bias", "I32", [d["features"]])
        elif t == "select_cls":
            want_inputs(1)
            p = producer(0)
            not_counts(p, "select_cls takes an integer hidden state")
            d["features"] = p["features"]
            d["out_exp"] = p["out_exp"]
        else:
            ctx.fail("type", "unknown op type '%s'" % t)
        names.add(op["name"])
        info[op["name"]] = d

    if pkg.output not in info:
        raise _diag(yaml_file, field="output", msg="'%s' is not an op" % pkg.output)
    out = info[pkg.output]
    if out["type"] != "int_linear":
        raise _diag(yaml_file, field="output", msg="the output op must be an int_linear classifier")
    if out["features"] != len(pkg.labels):
        raise _diag(yaml_file, field="labels", msg="%d labels but the classifier has %d outputs"
                    % (len(pkg.labels), out["features"]))
    for name in sorted(raw_tensors):
        if name not in used:
            raise _diag(st_file, field=name, msg="tensor is not used by any op in model.yaml")
    pkg.info = info
    pkg.tensors = tensors
    return pkg
