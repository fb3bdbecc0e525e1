# SPDX-License-Identifier: BSD-3-Clause
"""``python -m biosynth.cli``: the ``biosynth`` command."""

import sys

from biosynth.cli import main

sys.exit(main())
