#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compile the shipped SST-2 model onto the edge chip and run sentences on it, cycle by cycle.

    PYTHONPATH=build/python /usr/bin/python3 examples/compile_and_run.py
"""
from pathlib import Path

import granita

root = Path(__file__).resolve().parents[1]
model = granita.load_model(root / "models" / "sst2-sorbet")
print(f"{model.name}: {model.task}, labels {model.labels}, {model.arch['layers']} layers")

# A preset ("default", "edge", "bert-base") or a YAML path, with -p style overrides.
hw = granita.load_hw("edge", {"mesh.x": 4, "mesh.y": 4})
mapping = granita.compile(model, hw)
mapping.save("mapping.yaml")  # the file `granita run --mapping` takes
print(f"compiled onto {hw.mesh_x}x{hw.mesh_y} cores: {mapping.num_tasks} tasks -> mapping.yaml")

# Your own sentences ...
r = granita.run(model, hw, mapping=mapping,
                texts=["a gorgeous, witty, seductive movie.", "the plot is a dull mess."])
for text, pred, cycles, pj in zip(["gorgeous", "dull"], r.prediction_names, r.cycles, r.energy_pj):
    print(f"  {text:10s} {pred:9s} {cycles:8d} cycles {pj / 1e3:9.1f} nJ")

# ... or the first 20 sentences of the GLUE dev set (GRANITA_DATA, default ../shared).
r = granita.run(model, hw, mapping=mapping, limit=20)
print(r)
print("accuracy", r.metrics["accuracy"])
print("energy per component (pJ per sentence):")
for component, pj in sorted(r.by_component.items(), key=lambda kv: -kv[1]):
    print(f"  {component:12s} {pj:12.1f}")
r.save("run.json")  # the report of `granita run --json`
