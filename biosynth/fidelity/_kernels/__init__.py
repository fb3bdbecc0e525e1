# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernels of the fidelity measures.

Kernels take C-contiguous float64 arrays of shape ``(n_rows, n_times)`` plus scalars,
have no defaults, check nothing, and loop over rows with ``prange``. They compile on
first call (``cache=True`` keeps the machine code between sessions), never at import.
"""
