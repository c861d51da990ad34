# SPDX-License-Identifier: Apache-2.0
"""What a model package is (docs/model-format.md): format name and versions, the files, the op
types with their attribute keys per profile, the stored dtype of every tensor, and the in-memory
Package. The numeric limits are in limits.py."""

FORMAT_NAME = "granita-sorbet"
FORMAT_VERSION = 2          # newest version read and written (official-profile packages)
HARDWARE_VERSION = 1        # hardware-profile packages are written as version 1
PROFILES = ("hardware", "official")
PACKAGE_FILES = ("model.yaml", "tensors.safetensors", "vocab.txt", "card.md")
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
ARCH_KEYS = ("layers", "hidden", "heads", "ffn", "max_seq_len", "vocab_size", "type_vocab_size",
             "bits", "time_steps")


def op_keys(profile, op_type):
    """(key, kind) pairs of an op type's attributes in a package of the given profile."""
    if profile == "official":
        return OFFICIAL_OP_KEYS.get(op_type, ())
    return tuple((k, "int") for k in OP_KEYS.get(op_type, ()))


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
