# SPDX-License-Identifier: Apache-2.0
"""GLUE TSV readers and metrics, mirroring src/glue/ (tsv_reader.cpp, glue_task.cpp).

Files are split on '\\t' only (no CSV quoting), a trailing '\\r' is dropped, MRPC's UTF-8 byte
order mark is skipped, CoLA has no header (4 columns: source, label, original label, sentence)."""
import math
from collections import namedtuple

from . import paths

TaskInfo = namedtuple("TaskInfo", "name num_labels labels metrics pair")
Example = namedtuple("Example", "line text_a text_b label score")

TASKS = {
    "CoLA": TaskInfo("CoLA", 2, ["unacceptable", "acceptable"], ["matthews"], False),
    "SST-2": TaskInfo("SST-2", 2, ["negative", "positive"], ["accuracy"], False),
    "MRPC": TaskInfo("MRPC", 2, ["not_equivalent", "equivalent"], ["accuracy", "f1"], True),
    "STS-B": TaskInfo("STS-B", 1, ["score"], ["pearson", "spearman"], True),
    "QQP": TaskInfo("QQP", 2, ["not_duplicate", "duplicate"], ["accuracy", "f1"], True),
    "MNLI": TaskInfo("MNLI", 3, ["contradiction", "entailment", "neutral"], ["accuracy"], True),
    "QNLI": TaskInfo("QNLI", 2, ["entailment", "not_entailment"], ["accuracy"], True),
    "RTE": TaskInfo("RTE", 2, ["entailment", "not_entailment"], ["accuracy"], True),
    "WNLI": TaskInfo("WNLI", 2, ["not_entailment", "entailment"], ["accuracy"], True),
}

# (header, text_a column, text_b column, label column) by name, or column indices for CoLA.
_LAYOUT = {
    "CoLA": (False, 3, -1, 1, 4),
    "SST-2": (True, "sentence", None, "label"),
    "MRPC": (True, "#1 String", "#2 String", "Quality"),
    "STS-B": (True, "sentence1", "sentence2", "score"),
    "QQP": (True, "question1", "question2", "is_duplicate"),
    "MNLI": (True, "sentence1", "sentence2", "gold_label"),
    "QNLI": (True, "question", "sentence", "label"),
}


def task_info(name):
    norm = lambda s: s.replace("-", "").replace("_", "").lower()
    for t in TASKS.values():
        if norm(t.name) == norm(name):
            return t
    raise ValueError("task: unknown GLUE task '%s' (one of %s)" % (name, ", ".join(TASKS)))


def parse_tsv(text, file, task):
    task = task if isinstance(task, TaskInfo) else task_info(task)
    if not text:
        raise ValueError("%s: file is empty; expected a GLUE %s TSV" % (file, task.name))
    lines = text.split("\n")
    lines = [l[:-1] if l.endswith("\r") else l for l in lines]
    if lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    lay = _LAYOUT.get(task.name, (True, "sentence1", "sentence2", "label"))
    if lay[0]:
        head = lines[0].split("\t")
        find = lambda n: head.index(n) if n in head else -1
        a_col = find(lay[1])
        b_col = find(lay[2]) if lay[2] else -1
        label_col = find(lay[3])
        if a_col < 0 or (lay[2] and b_col < 0):
            raise ValueError("%s:1: header: not a GLUE %s header: got '%s'"
                             % (file, task.name, lines[0][:200]))
        columns, first = len(head), 1
    else:
        _, a_col, b_col, label_col, columns = lay
        first = 0
    out = []
    for i in range(first, len(lines)):
        line = lines[i]
        if line == "" and i + 1 == len(lines):
            break
        f = line.split("\t")
        if len(f) != columns:
            raise ValueError("%s:%d: expected %d tab-separated columns, got %d"
                             % (file, i + 1, columns, len(f)))
        label, score = -1, float("nan")
        if label_col >= 0:
            l = f[label_col]
            if task.num_labels == 1:
                score = float(l)
            elif task.name in ("MNLI", "QNLI", "RTE"):
                if l not in task.labels:
                    raise ValueError("%s:%d: label: expected one of %s, got '%s'"
                                     % (file, i + 1, task.labels, l))
                label = task.labels.index(l)
            else:
                if not (len(l) == 1 and "0" <= l < str(task.num_labels)):
                    raise ValueError("%s:%d: label: expected 0..%d, got '%s'"
                                     % (file, i + 1, task.num_labels - 1, l))
                label = int(l)
        out.append(Example(i + 1, f[a_col], f[b_col] if b_col >= 0 else None, label, score))
    return out


def read_tsv(path, task):
    return parse_tsv(paths.read_utf8(path), path, task)


def read_task(task, split):
    return read_tsv(paths.glue_path(task_info(task).name, split), task)


# -- metrics
def accuracy(pred, gold):
    return sum(int(p == g) for p, g in zip(pred, gold)) / max(1, len(gold))


def f1_binary(pred, gold):
    tp = sum(1 for p, g in zip(pred, gold) if p == 1 and g == 1)
    fp = sum(1 for p, g in zip(pred, gold) if p == 1 and g != 1)
    fn = sum(1 for p, g in zip(pred, gold) if p != 1 and g == 1)
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def matthews(pred, gold):
    tp = sum(1 for p, g in zip(pred, gold) if p == 1 and g == 1)
    tn = sum(1 for p, g in zip(pred, gold) if p == 0 and g == 0)
    fp = sum(1 for p, g in zip(pred, gold) if p == 1 and g == 0)
    fn = sum(1 for p, g in zip(pred, gold) if p == 0 and g == 1)
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return 0.0 if den == 0 else (tp * tn - fp * fn) / den


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return 0.0 if sxx == 0 or syy == 0 else sxy / math.sqrt(sxx * syy)


def _ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0 + 1
        i = j + 1
    return r


def spearman(x, y):
    return pearson(_ranks(x), _ranks(y))


def metrics(task, pred, gold):
    """dict metric name -> value; pred/gold are label indices (or scores for STS-B)."""
    task = task if isinstance(task, TaskInfo) else task_info(task)
    fns = {"accuracy": accuracy, "f1": f1_binary, "matthews": matthews,
           "pearson": pearson, "spearman": spearman}
    return {m: fns[m](pred, gold) for m in task.metrics}
