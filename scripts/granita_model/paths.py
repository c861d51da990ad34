# SPDX-License-Identifier: Apache-2.0
"""Where the shared data lives: $GRANITA_DATA, default ../shared beside the repository."""
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def data_dir():
    d = os.environ.get("GRANITA_DATA")
    if d:
        return d
    return os.path.normpath(os.path.join(REPO_ROOT, "..", "shared"))


def default_vocab_path():
    return os.path.join(data_dir(), "vocab", "bert-base-uncased-vocab.txt")


def glue_path(task, split):
    return os.path.join(data_dir(), "glue", task, split + ".tsv")


def read_utf8(path):
    """Whole file as text; invalid UTF-8 raises ValueError naming the file and byte offset."""
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError("%s: invalid UTF-8 at byte %d" % (path, e.start)) from None
