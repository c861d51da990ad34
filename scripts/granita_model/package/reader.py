# SPDX-License-Identifier: Apache-2.0
"""read_package: a package directory -> a validated Package, with the C++ reader's checks in its
order (src/model/model_package.cpp): checksums, model.yaml, tensors, the graph, vocab.txt."""
import os

import yaml

from .checksums import verify_checksums
from .errors import diag
from .format import ARCH_KEYS, FORMAT_NAME, FORMAT_VERSION, OP_TYPES, PROFILES, Package, op_keys
from .limits import ARCH_LIMITS, MAX_YAML_BYTES
from .safetensors import parse_safetensors
from .validate import validate
from .vocab import check_vocab
from .yaml_map import YMap


def read_package(directory):
    """Loads and validates a package directory (checksums, YAML, tensors). Returns a Package."""
    if not os.path.isdir(directory):
        raise diag(directory, msg="model package directory not found")
    verify_checksums(directory)
    yaml_file = os.path.join(directory, "model.yaml")
    with open(yaml_file, "rb") as f:
        raw = f.read(MAX_YAML_BYTES + 1)
    if len(raw) > MAX_YAML_BYTES:
        raise diag(yaml_file, msg="file is larger than the limit of %d bytes" % MAX_YAML_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise diag(yaml_file, line, col, "", "invalid UTF-8 (byte offset %d)" % e.start) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise diag(yaml_file, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, "",
                    "YAML syntax error: %s" % getattr(e, "problem", e)) from None
    if root is None:
        raise diag(yaml_file, msg="empty file")
    top = YMap(root, yaml_file, "")
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
        raise diag(yaml_file, m.line + 1, m.column + 1, "ops", "expected a non-empty list of ops")
    top.finish()

    st_file = os.path.join(directory, "tensors.safetensors")
    with open(st_file, "rb") as f:
        raw, _meta = parse_safetensors(f.read(), st_file)

    ops = []
    for i, node in enumerate(ops_node.value):
        om = YMap(node, yaml_file, "ops[%d]" % i)
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
        raise diag(os.path.join(directory, "vocab.txt"),
                    msg="%d tokens, more than the %d rows of the embedding table "
                    "(arch.vocab_size in model.yaml)" % (tokens, arch["vocab_size"]))
    for op in ops:
        op.pop("_ymap", None)
        op.pop("_line", None)
    pkg.dir = directory
    return pkg
