# SPDX-License-Identifier: Apache-2.0
"""checksums.sha256: one `sha256sum` line per package file, verified before anything is parsed."""
import hashlib
import os

from .errors import diag
from .format import PACKAGE_FILES
from .limits import MAX_CHECKSUMS_BYTES


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def verify_checksums(directory):
    sums_path = os.path.join(directory, "checksums.sha256")
    try:
        with open(sums_path, "rb") as f:
            raw = f.read(MAX_CHECKSUMS_BYTES + 1)
    except OSError as e:
        raise diag(sums_path, msg="cannot read: %s" % e.strerror) from None
    if len(raw) > MAX_CHECKSUMS_BYTES:
        raise diag(sums_path,
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
            raise diag(sums_path, i + 1, 0, "", "expected '<64 lowercase hex digits>  <file name>'")
        if line[66:] in listed:
            raise diag(sums_path, i + 1, 0, line[66:],
                        "listed twice (first at line %d)" % listed[line[66:]][1])
        listed[line[66:]] = (line[:64], i + 1)
    for f in PACKAGE_FILES:
        if f not in listed:
            raise diag(sums_path, field=f, msg="no checksum listed for this package file")
        try:
            with open(os.path.join(directory, f), "rb") as fh:
                actual = sha256_hex(fh.read())
        except OSError as e:
            raise diag(os.path.join(directory, f), msg="cannot read: %s" % e.strerror) from None
        want, line = listed[f]
        if actual != want:
            raise diag(sums_path, line, 0, f, "checksum mismatch: the file is corrupt or was "
                        "edited (expected %s, got %s)" % (want, actual))
