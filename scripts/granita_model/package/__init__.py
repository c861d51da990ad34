# SPDX-License-Identifier: Apache-2.0
"""Model package writer and reader, exactly per docs/model-format.md (versions 1 and 2).

A package is a directory with model.yaml, tensors.safetensors, vocab.txt, card.md and
checksums.sha256. The reader mirrors src/model/model_package.cpp: it verifies the checksums first,
then the YAML (format, version, arch, every op's attributes, exponent identities, ranges, the
graph), then every tensor against the ops that use it. Every error is a PackageError whose message
names the file and the line/field, e.g.
``model.yaml:2:10: version: unsupported model package version 7 (this Granita reads 1 to 2)``.

This module is the public API (`from granita_model import package`); each concern has its file:
  limits.py       the numeric limits, read from src/model/package_limits.json (shared with C++)
  format.py       format name/versions, files, op types and their keys, tensor dtypes, Package
  errors.py       PackageError and the file:line:col: field: message format
  bits.py         1-bit weight packing          safetensors.py  tensors.safetensors
  model_yaml.py   model.yaml text (writer)      yaml_map.py     checked YAML mapping (reader)
  checksums.py    checksums.sha256              vocab.py        vocab.txt checks
  validate.py     graph and tensor validation   validate_ops.py the check of each op type
  reader.py       read_package                  writer.py       write_package
"""
from .bits import pack_bits, unpack_bits
from .checksums import verify_checksums
from .errors import PackageError
from .format import (ARCH_KEYS, FORMAT_NAME, FORMAT_VERSION, HARDWARE_VERSION, OFFICIAL_OP_KEYS,
                     OFFICIAL_TENSOR_DTYPES, OP_KEYS, OP_TYPES, PACKAGE_FILES, PROFILES, ROUNDING,
                     SPECIAL_TOKENS, TENSOR_DTYPES, Package, op_keys, tensor_dtypes)
from .limits import (ARCH_LIMITS, MAX_CHECKSUMS_BYTES, MAX_FEATURES, MAX_HEADER_BYTES,
                     MAX_JSON_DEPTH, MAX_MULTIPLIER, MAX_OFFICIAL_SHIFT, MAX_VOCAB_BYTES,
                     MAX_VOCAB_TOKENS, MAX_WIDE, MAX_YAML_BYTES)
from .model_yaml import model_yaml_text
from .reader import read_package
from .safetensors import DTYPES, parse_safetensors, serialize_safetensors
from .validate import validate
from .vocab import check_vocab
from .writer import write_package

__all__ = [
    "ARCH_KEYS", "ARCH_LIMITS", "DTYPES", "FORMAT_NAME", "FORMAT_VERSION", "HARDWARE_VERSION",
    "MAX_CHECKSUMS_BYTES", "MAX_FEATURES", "MAX_HEADER_BYTES", "MAX_JSON_DEPTH", "MAX_MULTIPLIER",
    "MAX_OFFICIAL_SHIFT", "MAX_VOCAB_BYTES", "MAX_VOCAB_TOKENS", "MAX_WIDE", "MAX_YAML_BYTES",
    "OFFICIAL_OP_KEYS", "OFFICIAL_TENSOR_DTYPES", "OP_KEYS", "OP_TYPES", "PACKAGE_FILES",
    "PROFILES", "Package", "PackageError", "ROUNDING", "SPECIAL_TOKENS", "TENSOR_DTYPES",
    "check_vocab", "model_yaml_text", "op_keys", "pack_bits", "parse_safetensors",
    "read_package", "serialize_safetensors", "tensor_dtypes", "unpack_bits", "validate",
    "verify_checksums", "write_package",
]
