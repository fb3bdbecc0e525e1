# SPDX-License-Identifier: BSD-3-Clause
"""``python -m benchmarks epilepsy|parkinson [options]``: the use-case suites of
``biosynth bench`` (same options; see ``biosynth bench --help``). The detailed analyses
are the modules: ``python -m benchmarks.epilepsy``, ``benchmarks.parkinson``,
``benchmarks.learned``, ``benchmarks.eeg``, ``benchmarks.ecg``, ..."""

import sys

from biosynth.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
