# SPDX-License-Identifier: Apache-2.0
"""write_package: a validated Package -> the five files of a package directory."""
import os

from .checksums import sha256_hex
from .format import FORMAT_NAME, PACKAGE_FILES, tensor_dtypes
from .model_yaml import model_yaml_text
from .safetensors import serialize_safetensors
from .validate import validate


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
        sums += "%s  %s\n" % (sha256_hex(files[f]), f)
    _write_atomic(os.path.join(directory, "checksums.sha256"), sums.encode("ascii"))
    return directory
