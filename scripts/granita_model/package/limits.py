# SPDX-License-Identifier: Apache-2.0
"""The package limits, read from src/model/package_limits.json: the one file that also becomes the
C++ header src/model/package_limits.h at build time, so both readers enforce the same numbers.

ARCH_LIMITS maps each arch key of model.yaml to its inclusive (min, max); the other names are the
file's `values` in upper case (MAX_MULTIPLIER, MAX_WIDE, ...)."""
import json
import os

from ..paths import REPO_ROOT

LIMITS_FILE = os.path.join(REPO_ROOT, "src", "model", "package_limits.json")
LIMITS_VERSION = 1


def _int(v, field):
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValueError("%s: %s: expected an integer, got %r" % (LIMITS_FILE, field, v))
    return v


def load_limits(path=LIMITS_FILE):
    """-> (arch ranges {key: (min, max)}, values {key: int}); ValueError names file and field."""
    with open(path, encoding="utf-8") as f:
        try:
            doc = json.load(f)
        except ValueError as e:
            raise ValueError("%s: invalid JSON: %s" % (path, e)) from None
    if _int(doc.get("version"), "version") != LIMITS_VERSION:
        raise ValueError("%s: version: unsupported version %r (this reader reads %d)"
                         % (path, doc.get("version"), LIMITS_VERSION))
    arch = {}
    for key, r in doc["arch"].items():
        lo, hi = _int(r.get("min"), "arch.%s.min" % key), _int(r.get("max"), "arch.%s.max" % key)
        if lo > hi:
            raise ValueError("%s: arch.%s: min %d is above max %d" % (path, key, lo, hi))
        arch[key] = (lo, hi)
    values = {key: _int(v.get("value"), "values.%s.value" % key)
              for key, v in doc["values"].items()}
    return arch, values


ARCH_LIMITS, _VALUES = load_limits()
MAX_FEATURES = ARCH_LIMITS["ffn"][1]        # in_features / out_features / features of any op
MAX_MULTIPLIER = _VALUES["max_multiplier"]
MAX_OFFICIAL_SHIFT = _VALUES["max_official_shift"]
MAX_WIDE = _VALUES["max_wide"]
MAX_CHECKSUMS_BYTES = _VALUES["max_checksums_bytes"]
MAX_YAML_BYTES = _VALUES["max_yaml_bytes"]
MAX_VOCAB_BYTES = _VALUES["max_vocab_bytes"]
MAX_VOCAB_TOKENS = _VALUES["max_vocab_tokens"]
MAX_HEADER_BYTES = _VALUES["max_safetensors_header_bytes"]
MAX_JSON_DEPTH = _VALUES["max_json_depth"]
