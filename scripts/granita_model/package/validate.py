# SPDX-License-Identifier: Apache-2.0
"""validate: the graph and tensor checks of a package, as the C++ reader does them. The driver
walks the ops in order and hands each to its op type's check in validate_ops.py through an
OpCheck, which carries the helpers the checks share (inputs, exponents, tensors)."""
import numpy as np

from .errors import diag
from .format import tensor_dtypes
from .safetensors import DTYPES
from .validate_ops import OP_CHECKS


class OpCheck:
    """One op under validation: its YAML location (marks when the op was read from a file), the
    ops defined above it (`info`) and the package-wide tensor bookkeeping."""

    def __init__(self, op, index, yaml_file, pkg, info, store):
        self.op, self.index, self.yaml_file = op, index, yaml_file
        self.ymap = op.get("_ymap")
        self.type = op["type"]
        self.ins = op["inputs"]
        self.arch = pkg.arch
        self.sgn = 1 << (pkg.arch["bits"] - 1)
        self.official = pkg.profile == "official"
        self.info = info
        self.store = store

    def fail(self, key, msg):
        if self.ymap is not None:
            self.ymap.fail(key, msg)
        raise diag(self.yaml_file, 0, 0, "ops[%d].%s" % (self.index, key), msg)

    def want_inputs(self, n):
        if len(self.ins) != n:
            self.fail("inputs", "%s takes %d input(s), got %d" % (self.type, n, len(self.ins)))

    def producer(self, k):
        if self.ins[k] == "tokens":
            self.fail("inputs", "input %d cannot be the token ids" % k)
        return self.info[self.ins[k]]

    def need_counts(self, p, want_signed):
        if not p["counts"]:
            self.fail("inputs", "input '%s' must produce spike counts (a fire op), it is %s"
                      % (p["name"], p["type"]))
        if want_signed and p["offset"] != self.sgn:
            self.fail("inputs", "input '%s' must be a signed fire (offset %d)"
                      % (p["name"], self.sgn))

    def check_in_exp(self, p):
        # Official-profile scales are not powers of two: only BSPN's input grid is an exponent.
        if self.official and self.type != "bspn":
            return
        if self.op["in_exp"] != p["out_exp"]:
            self.fail("in_exp", "is %d but input '%s' produces exponent %d"
                      % (self.op["in_exp"], p["name"], p["out_exp"]))

    def not_counts(self, p, what):
        if p["counts"] or p["type"] == "qk_scores":
            self.fail("inputs", what)

    def check_exp(self, key, lo=-64, hi=64):
        v = self.op[key]
        if v < lo or v > hi:
            self.fail(key, "%d is out of range [%d, %d]" % (v, lo, hi))
        return v

    def tensor(self, role, dt, shape, lo=None, hi=None):
        return self.store.tensor(self.op["name"], role, dt, shape, lo, hi, self.official)

    def bits(self, role, rows, cols):
        arr = self.tensor(role, "U8", [rows, (cols + 7) // 8])
        if cols % 8:
            bad = np.nonzero(arr[:, -1] >> (cols % 8))[0]
            if bad.size:
                raise diag(self.store.st_file, field=self.op["name"] + "." + role,
                            msg="padding bits of row %d are not zero" % bad[0])
        return arr


class _TensorStore:
    """The package's tensors as read (name -> (dtype name, array)), the checked ones and the names
    some op used, so that a tensor no op uses is an error."""

    def __init__(self, raw_tensors, st_file):
        self.raw, self.st_file = raw_tensors, st_file
        self.tensors = {}
        self.used = set()

    def tensor(self, op_name, role, dt, shape, lo, hi, official):
        st_file = self.st_file
        name = op_name + "." + role
        if name not in self.raw:
            raise diag(st_file, field=name, msg="tensor missing")
        self.used.add(name)
        got_dt, arr = self.raw[name]
        arr = np.asarray(arr)
        if got_dt != dt or list(arr.shape) != list(shape):
            raise diag(st_file, field=name, msg="expected %s %s (from model.yaml op '%s'), got %s %s"
                        % (dt, list(shape), op_name, got_dt, list(arr.shape)))
        if arr.dtype != DTYPES[dt]:
            if not np.array_equal(arr, arr.astype(DTYPES[dt])):
                raise diag(st_file, field=name, msg="values do not fit %s" % dt)
            arr = arr.astype(DTYPES[dt])
        if lo is not None:
            bad = np.nonzero((arr.reshape(-1) < lo) | (arr.reshape(-1) > hi))[0]
            if bad.size and official and lo == -hi:
                raise diag(st_file, field=name, msg="element %d is %d, outside [-%d, %d]"
                            % (bad[0], arr.reshape(-1)[bad[0]], hi, hi))
            if bad.size:
                raise diag(st_file, field=name, msg="element %d is %d, expected a value in [%d, %d]"
                            % (bad[0], arr.reshape(-1)[bad[0]], lo, hi))
        self.tensors[name] = arr
        return arr


def _raw_from_package(pkg, st_file):
    """pkg.tensors (name -> array) as a reader would see them: name -> (stored dtype, array)."""
    dtypes = tensor_dtypes(pkg.profile)
    raw_tensors = {}
    for name, arr in pkg.tensors.items():
        if "." not in name or name.rsplit(".", 1)[0] not in {o["name"] for o in pkg.ops}:
            raise diag(st_file, field=name, msg="tensor is not used by any op in model.yaml")
        op_name, role = name.rsplit(".", 1)
        key = (pkg.op(op_name)["type"], role)
        if key not in dtypes:
            raise diag(st_file, field=name, msg="tensor is not used by any op in model.yaml")
        raw_tensors[name] = (dtypes[key], np.asarray(arr))
    return raw_tensors


def validate(pkg, yaml_file="model.yaml", st_file="tensors.safetensors", raw_tensors=None):
    """Checks a package as the C++ reader does and fills pkg.info (and pkg.tensors from
    raw_tensors when given). Raises PackageError."""
    if raw_tensors is None:
        raw_tensors = _raw_from_package(pkg, st_file)
    store = _TensorStore(raw_tensors, st_file)
    info = {}
    names = set()
    for idx, op in enumerate(pkg.ops):
        c = OpCheck(op, idx, yaml_file, pkg, info, store)
        if op["name"] in names:
            c.fail("name", "duplicate op name '%s'" % op["name"])
        for x in c.ins:
            if x != "tokens" and x not in info:
                c.fail("inputs", "input '%s' is not an op defined above this one" % x)
        d = {"name": op["name"], "type": c.type, "counts": False, "offset": 0, "out_exp": 0,
             "features": 0, "in_offset": 0}
        check = OP_CHECKS.get(c.type)
        if check is None:
            c.fail("type", "unknown op type '%s'" % c.type)
        check(c, d)
        names.add(op["name"])
        info[op["name"]] = d

    if pkg.output not in info:
        raise diag(yaml_file, field="output", msg="'%s' is not an op" % pkg.output)
    out = info[pkg.output]
    if out["type"] != "int_linear":
        raise diag(yaml_file, field="output", msg="the output op must be an int_linear classifier")
    if out["features"] != len(pkg.labels):
        raise diag(yaml_file, field="labels", msg="%d labels but the classifier has %d outputs"
                    % (len(pkg.labels), out["features"]))
    for name in sorted(raw_tensors):
        if name not in store.used:
            raise diag(st_file, field=name, msg="tensor is not used by any op in model.yaml")
    pkg.info = info
    pkg.tensors = store.tensors
    return pkg
