#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Price one simulated run with every shipped energy table, without simulating again.

    PYTHONPATH=build/python /usr/bin/python3 examples/reprice.py
"""
from pathlib import Path

import granita

root = Path(__file__).resolve().parents[1]
run = granita.run(root / "models" / "sst2-sorbet", "default", limit=5)  # 45nm-horowitz
run.save("run.json")

# The report keeps every raw event count, so any table prices it: a RunResult, its dict or a
# run JSON file (also one written by `granita run --json`).
for table in ["45nm-horowitz", "loihi", "snn-ac-mac"]:
    r = granita.reprice("run.json", table)
    top = max(r.by_component, key=r.by_component.get)
    print(f"{table:14s} {r.energy_pj_mean / 1e3:10.1f} nJ per sentence, "
          f"{r.power_mw:8.3f} mW, largest component {top}")

# A table of your own: copy configs/energy/loihi.yaml, change the pJ, pass its path.
