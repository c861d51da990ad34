# SPDX-License-Identifier: Apache-2.0
"""train-sorbet: staged knowledge distillation of an integer Sorbet model (see cli.py for the
stages). One concern per module:
  cli.py         the command line and the run from teacher to exported package
  stages.py      StageRunner (one stage's epochs, resumable) and quantizer calibration
  distill.py     the teacher ensemble and the distillation loss
  optim.py       parameter groups, LazyAdamW (sparse gradients), gradient clipping
  data.py        encoded GLUE splits, length-bucketed batches, padding
  evaluate.py    dev scores of the float model and of the exported package (integer mode)
  card.py        card.md of the trained package
  run_output.py  checkpoints/JSON through temporary files, the log, the device name
"""
