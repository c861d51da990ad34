#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A 5-point sweep over mesh sizes: energy vs latency of 10 SST-2 dev sentences, plotted.

    PYTHONPATH=build/python /usr/bin/python3 examples/sweep_mesh.py   # writes sweep_mesh.png
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import granita  # noqa: E402

root = Path(__file__).resolve().parents[1]
model = granita.load_model(root / "models" / "sst2-sorbet")  # loaded once, reused per point

points = []
for side in [3, 4, 5, 6, 8]:
    # Each run() simulates in its own child process, so a loop of runs is fine.
    r = granita.run(model, "default", {"mesh.x": side, "mesh.y": side}, limit=10, jobs=2)
    points.append((side, r.latency_us_mean, r.energy_pj_mean / 1e3))
    print(f"{side}x{side}: {r.latency_us_mean:8.1f} us {r.energy_pj_mean / 1e3:9.1f} nJ "
          f"per sentence, accuracy {r.metrics['accuracy']:.2f}")

fig, ax = plt.subplots(figsize=(5, 4))
ax.plot([p[1] for p in points], [p[2] for p in points], "o-")
for i, (side, us, nj) in enumerate(points):  # staggered: two meshes may give the same point
    ax.annotate(f"{side}x{side}", (us, nj), textcoords="offset points", xytext=(6, 4 - 12 * (i % 2)))
ax.set_xlabel("latency per sentence (us)")
ax.set_ylabel("energy per sentence (nJ)")
ax.set_title("sst2-sorbet on the default core, by mesh size")
fig.tight_layout()
fig.savefig("sweep_mesh.png", dpi=120)
print("wrote sweep_mesh.png")
