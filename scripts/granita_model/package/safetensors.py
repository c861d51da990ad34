# SPDX-License-Identifier: Apache-2.0
"""tensors.safetensors: JSON header + raw little-endian arrays, written and read with every check
of docs/model-format.md (as src/io/safetensors.cpp)."""
import json
import struct

import numpy as np

from .errors import diag
from .limits import MAX_HEADER_BYTES, MAX_JSON_DEPTH

DTYPES = {"I8": np.dtype("<i1"), "U8": np.dtype("<u1"), "I16": np.dtype("<i2"),
          "I32": np.dtype("<i4"), "I64": np.dtype("<i8")}


class _DuplicateKey(ValueError):
    def __init__(self, key):
        super().__init__(key)
        self.key = key


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
        return diag(file, field=field, msg=msg)

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
