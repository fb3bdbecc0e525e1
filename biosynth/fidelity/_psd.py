# SPDX-License-Identifier: BSD-3-Clause
"""The torch path of SciPy's one-sided periodogram and Welch PSD, shared by
:func:`biosynth.fidelity.welch_psd` and :func:`biosynth.fidelity.spectral_entropy`."""

from __future__ import annotations

import numpy as np

from biosynth.fidelity._torch import to_numpy, to_torch


def psd_torch(rows: np.ndarray, method: str, nperseg: int, device: str) -> np.ndarray:
    """Torch path of SciPy's one-sided periodogram (``method="fft"``) or Welch PSD
    (``"welch"``: periodic Hann window, 50 % overlap, constant detrend per segment), up
    to a constant factor: the mean over segments of the doubled one-sided power."""
    import torch

    x = to_torch(rows, device)
    if method == "fft":
        segments, window = x[:, None, :], torch.ones(x.shape[-1], dtype=torch.float64, device=x.device)
    else:
        segments = x.unfold(-1, nperseg, nperseg - nperseg // 2)  # (n_rows, n_segments, nperseg)
        window = torch.hann_window(nperseg, periodic=True, dtype=torch.float64, device=x.device)
    segments = (segments - segments.mean(dim=-1, keepdim=True)) * window
    power = torch.fft.rfft(segments, dim=-1).abs().square().mean(dim=1)
    size = segments.shape[-1]
    last = power.shape[-1] if size % 2 else power.shape[-1] - 1  # the Nyquist bin is not doubled
    power[:, 1:last] *= 2.0
    return to_numpy(power)
