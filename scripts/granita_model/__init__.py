# SPDX-License-Identifier: Apache-2.0
"""Granita's Python model pipeline: tokenizer, GLUE data, the Sorbet model (float training with
straight-through estimators), the package writer/reader (docs/model-format.md) and the integer
mode (docs/numerics.md) that the C++ reference is compared against."""
