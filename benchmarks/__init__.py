# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark suites of biosynth; results land in ``benchmarks/results/``."""
