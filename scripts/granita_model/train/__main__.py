# SPDX-License-Identifier: Apache-2.0
"""python3 -m granita_model.train: the same as scripts/train-sorbet."""
import sys

from .cli import main

sys.exit(main())
