# SPDX-License-Identifier: Apache-2.0
"""One look for every Granita plot: a fixed colour per energy component (the same in every report,
whatever components a run has), and readable ticks on short log ranges."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import LogLocator, ScalarFormatter  # noqa: E402

# Registry order (src/energy/event_registry.cpp); a new component gets the next colour.
COMPONENTS = ["crossbar", "accumulate", "neuron", "ptsoftmax", "bspn", "sram", "router", "link",
              "sync", "core"]
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"]


def component_color(name):
    i = COMPONENTS.index(name) if name in COMPONENTS else len(COMPONENTS) + (hash(name) % 2)
    return _PALETTE[i % len(_PALETTE)]


def readable_log_axis(axis):
    """Log axis with labelled ticks even when the data span less than a decade."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    fmt = ScalarFormatter()
    fmt.set_scientific(False)
    axis.set_major_formatter(fmt)
    axis.set_minor_formatter(plt.NullFormatter())


def save_figure(fig, path):
    """Writes a PNG through a temporary file and a rename: never a partial plot."""
    import os
    tmp = path + ".part.png"
    fig.savefig(tmp, dpi=120, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
