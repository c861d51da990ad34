# SPDX-License-Identifier: Apache-2.0
"""Granita from Python: load a Sorbet model package, compile it onto a chip, run sentences on
the cycle-accurate SystemC chip, evaluate with the integer reference, and price runs with any
energy table.

    import granita
    model = granita.load_model("models/sst2-sorbet")
    r = granita.run(model, "edge", {"mesh.x": 4}, texts=["a fine film", "a dull mess"])
    r.predictions, r.cycles, r.energy_pj, r.by_component

Every report is the same versioned JSON that `granita run --json` writes (docs/report-format.md),
as a dict in `RunResult.json`; the attributes are views of it.

run() is `granita run` itself (the CLI's run command, compiled into the module) in a forked
child process per call; with jobs > 1 that child forks its workers as `granita run -j N` does.
A SystemC kernel elaborates only once per process, so this Python process never builds a chip
and run() may be called any number of times. compile(), eval() and reprice() run in-process.

Bad input (a missing model, a misspelt config key, a chip too small for the model) raises
granita.InputError, a ValueError carrying Granita's `file:line:col: key: message`.
"""

import json as _json
import os as _os

from . import _granita
from ._granita import HwConfig, Mapping, Model, InputError

__all__ = [
    "InputError", "Model", "HwConfig", "Mapping", "RunResult", "EvalResult",
    "load_model", "load_hw", "compile", "run", "eval", "reprice", "data_root",
]


def data_root():
    """The shared data folder: $GRANITA_DATA, else ../shared beside the source tree."""
    return _granita.data_root()


def load_model(path):
    """A model package (a folder with model.yaml); InputError names the file on any fault."""
    if isinstance(path, Model):
        return path
    return Model(_os.fspath(path))


def _override_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def load_hw(hw="default", overrides=None):
    """A hardware config: a preset name ("default", "edge", "bert-base") or a YAML path, with
    overrides such as {"mesh.x": 4, "router.routing": "yx"} (the CLI's -p key=value)."""
    if isinstance(hw, HwConfig):
        if overrides:
            raise InputError("overrides: give them with a preset name or path, not a loaded "
                             "HwConfig")
        return hw
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, dict):
        raise InputError("overrides: expected a dict such as {\"mesh.x\": 4}")
    params = [f"{k}={_override_value(v)}" for k, v in overrides.items()]
    return HwConfig(_os.fspath(hw), params)


def compile(model, hw="default", overrides=None):
    """Compiles `model` onto `hw`: a Mapping (save(path), to_yaml()). A model that does not fit
    raises InputError with the compiler's diagnostics."""
    return _granita.compile(load_model(model), load_hw(hw, overrides))


def _texts(texts):
    if texts is None:
        return None
    if isinstance(texts, (str, tuple)):
        texts = [texts]
    out = []
    for i, t in enumerate(texts):
        if isinstance(t, str):
            out.append((t, ""))
        elif isinstance(t, (tuple, list)) and len(t) == 2 and all(isinstance(x, str) for x in t):
            out.append((t[0], t[1]))
        else:
            raise InputError(f"texts[{i}]: expected a sentence or a (sentence_a, sentence_b) pair")
    return out


class RunResult:
    """A cycle-accurate run. `json` is the whole report (a dict, the format of
    `granita run --json`); the attributes are views of it. Per-sentence lists are in sentence
    order; energies are in picojoules under the report's energy table."""

    def __init__(self, report):
        self.json = report

    # per sentence
    @property
    def sentences(self):
        return self.json["sentences"]

    @property
    def predictions(self):
        """Predicted label index per sentence."""
        return [s["prediction"] for s in self.sentences]

    @property
    def prediction_names(self):
        return [s["prediction_name"] for s in self.sentences]

    @property
    def labels(self):
        """Gold label index per sentence (-1 when unlabelled)."""
        return [s["label"] for s in self.sentences]

    @property
    def logits(self):
        return [s["logits"] for s in self.sentences]

    @property
    def cycles(self):
        return [s["cycles"] for s in self.sentences]

    @property
    def latency_us(self):
        return [s["latency_us"] for s in self.sentences]

    @property
    def energy_pj(self):
        """Energy per sentence, pJ."""
        return [s["energy_pj"] for s in self.sentences]

    # whole run
    @property
    def energy_table(self):
        return self.json["energy_table"]

    @property
    def energy_pj_mean(self):
        return self.json["energy_pj_per_sentence"]

    @property
    def cycles_mean(self):
        return self.json["cycles"]["mean"]

    @property
    def latency_us_mean(self):
        return self.json["latency_us_mean"]

    @property
    def power_mw(self):
        return self.json["power_mw"]

    @property
    def metrics(self):
        """GLUE metrics, e.g. {"accuracy": 0.8}; empty when unlabelled."""
        return self.json["metrics"]

    @property
    def by_op(self):
        """pJ per sentence for each op (model order), then host/leakage."""
        return self.json.get("energy_pj_by_op", {})

    @property
    def by_layer(self):
        return self.json.get("energy_pj_by_layer", {})

    @property
    def by_component(self):
        return self.json.get("energy_pj_by_component", {})

    @property
    def by_event(self):
        """{event: {"count": per sentence, "energy_pj": per sentence}}."""
        return self.json.get("events_per_sentence", {})

    @property
    def unit_utilization(self):
        return self.json.get("unit_utilization", {})

    def save(self, path):
        """Writes the report as `granita run --json` does (granita energy --reprice reads it)."""
        with open(path, "w", encoding="utf-8") as f:
            _json.dump(self.json, f, indent=2)
            f.write("\n")

    def __len__(self):
        return len(self.sentences)

    def __repr__(self):
        return (f"<granita.RunResult {len(self)} sentences on {self.json['hw']} "
                f"{self.json['mesh'][0]}x{self.json['mesh'][1]}: "
                f"{self.cycles_mean:.0f} cycles, {self.energy_pj_mean / 1e3:.1f} nJ per sentence "
                f"({self.energy_table})>")


class EvalResult:
    """A functional evaluation with the integer reference (the format of `granita eval --json`)."""

    def __init__(self, report):
        self.json = report

    @property
    def sentences(self):
        return self.json["sentences"]

    @property
    def predictions(self):
        return [s["prediction"] for s in self.sentences]

    @property
    def labels(self):
        return [s["label"] for s in self.sentences]

    @property
    def logits(self):
        return [s["logits"] for s in self.sentences]

    @property
    def metrics(self):
        return self.json["metrics"]

    def __len__(self):
        return len(self.sentences)

    def __repr__(self):
        return f"<granita.EvalResult {len(self)} sentences, metrics {self.metrics}>"


def run(model, hw="default", overrides=None, *, texts=None, data=None, limit=0, mapping=None,
        energy=None, check=True, jobs=1, watchdog_cycles=200000):
    """Runs sentences on the cycle-accurate chip and returns a RunResult.

    model: a Model or a package path. hw, overrides: as load_hw(). texts: a sentence, a list of
    sentences, or (a, b) pairs for pair tasks; else data: a GLUE TSV (default: the model task's
    dev.tsv under data_root()), its first `limit` rows (0: all). mapping: a Mapping (default:
    compiled here). energy: a table name or path (default: the config's energy_table).
    check: compare every sentence's logits with the reference (a mismatch is a RuntimeError).
    jobs: worker processes, one chip each.
    """
    m = load_model(model)
    h = load_hw(hw, overrides)
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = Mapping.load(_os.fspath(mapping))
    text = _granita.run(m, h, mapping, "" if energy is None else _os.fspath(energy),
                        _texts(texts), "" if data is None else _os.fspath(data), int(limit),
                        bool(check), int(watchdog_cycles), int(jobs))
    return RunResult(_json.loads(text))


def eval(model, *, texts=None, data=None, limit=0, threads=0):  # noqa: A001 (granita eval)
    """The integer reference (`granita eval`) on the same inputs as run(); an EvalResult."""
    text = _granita.eval(load_model(model), _texts(texts),
                         "" if data is None else _os.fspath(data), int(limit), int(threads))
    return EvalResult(_json.loads(text))


def reprice(result, energy):
    """Prices a finished run with another energy table, without simulating again (as
    `granita energy --reprice`). result: a RunResult, its dict, or a run JSON file."""
    if isinstance(result, RunResult):
        text, file = _json.dumps(result.json), "<run>"
    elif isinstance(result, dict):
        text, file = _json.dumps(result), "<run>"
    else:
        file = _os.fspath(result)
        try:
            with open(file, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise InputError(f"{file}: cannot read: {e.strerror}") from None
    return RunResult(_json.loads(_granita.reprice(text, file, _os.fspath(energy))))
