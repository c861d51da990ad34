# SPDX-License-Identifier: Apache-2.0
"""model.yaml as text: the writer's fixed layout (one flow mapping per op, keys in the order of
format.op_keys), so that the same package always gives the same bytes."""
import json

import numpy as np
import yaml

from .format import ARCH_KEYS, FORMAT_NAME, FORMAT_VERSION, HARDWARE_VERSION, op_keys


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
