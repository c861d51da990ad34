# SPDX-License-Identifier: Apache-2.0
"""vocab.txt: the checks of src/text/vocab.cpp."""
from .errors import diag
from .format import SPECIAL_TOKENS
from .limits import MAX_VOCAB_BYTES, MAX_VOCAB_TOKENS


def check_vocab(path):
    """Checks a vocab.txt as src/text/vocab.cpp does; returns its number of tokens."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_VOCAB_BYTES + 1)
    except OSError as e:
        raise diag(path, msg="cannot read: %s" % e.strerror) from None
    if len(data) > MAX_VOCAB_BYTES:
        raise diag(path, msg="file is larger than the limit of %d bytes" % MAX_VOCAB_BYTES)
    if not data:
        raise diag(path, msg="vocabulary file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        raise diag(path, 1, 1, "", "the file starts with a UTF-8 byte order mark; a BERT "
                    "vocabulary has none (it would become part of the first token)")
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    seen = {}
    for i, line in enumerate(lines):
        if line.endswith(b"\r"):
            line = line[:-1]
        if b"\r" in line:
            raise diag(path, i + 1, line.index(b"\r") + 1, "",
                        "carriage return inside a line: the file seems to use CR-only line "
                        "endings; expected one token per line, lines ending in \\n or \\r\\n")
        if len(seen) == MAX_VOCAB_TOKENS:
            raise diag(path, i + 1, 0, "", "more than %d tokens" % MAX_VOCAB_TOKENS)
        if not line:
            raise diag(path, i + 1, 0, "", "empty token")
        try:
            tok = line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise diag(path, i + 1, 0, "", "invalid UTF-8 at byte %d" % e.start) from None
        if tok in seen:
            raise diag(path, i + 1, 0, "", "duplicate token '%s' (first defined at line %d)"
                        % (tok, seen[tok]))
        seen[tok] = i + 1
    for s in SPECIAL_TOKENS:
        if s not in seen:
            raise diag(path, msg="vocabulary lacks the special token %s" % s)
    return len(seen)
