# SPDX-License-Identifier: Apache-2.0
"""PackageError and the diagnostic format every package check uses:
``file:line:col: field: message`` (as granita::InputError in src/util/error.h)."""


class PackageError(ValueError):
    """A fault in a model package; the message names file and line/field."""


def diag(file, line=0, col=0, field="", msg=""):
    """A PackageError whose message starts with the location parts that are known."""
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
