# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernels of the dynamical generators (ECGSYN, Jansen-Rit, Epileptor).

One module per model: :mod:`.ecg`, :mod:`.neural_mass`, :mod:`.epileptor`. Kernels take
C-contiguous float64 arrays plus scalars, have no defaults and check nothing (the public
generators validate). They compile on first call (``cache=True`` keeps the machine code
between sessions), never at import: generator modules import them inside the function
that calls them, so ``import biosynth.generators`` does not load Numba.
"""
