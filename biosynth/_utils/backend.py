# SPDX-License-Identifier: BSD-3-Clause
"""Compute backends: NumPy on the CPU, PyTorch where a device is asked for."""

from __future__ import annotations

from typing import Any

TORCH_HINT = "install the 'torch' extra: pip install 'biosynth[torch]'"


def require_torch(feature: str) -> Any:
    """Import and return :mod:`torch`, or raise a one-line ImportError naming the extra.

    Parameters
    ----------
    feature : str
        What needs torch, named in the message (e.g. ``"device='cuda'"``).
    """
    try:
        import torch
    except ImportError:
        raise ImportError(f"{feature} needs PyTorch, which is not installed; {TORCH_HINT}.") from None
    return torch


def check_device(device: Any) -> str:
    """Validate a ``device`` argument.

    ``"cpu"`` runs NumPy/Numba code. A torch device (``"cuda"``, ``"cuda:1"``,
    ``"mps"``) runs the torch path there; ``"torch:cpu"`` runs the torch path on the
    CPU (to test it, or to compare it with NumPy, on a machine without a GPU). A torch
    device needs torch installed and the device available; the error says which is
    missing.

    Parameters
    ----------
    device : str
        The value the user passed.

    Returns
    -------
    device : str
        ``"cpu"`` or a torch device string.
    """
    if not isinstance(device, str):
        raise TypeError(f"device must be a str such as 'cpu' or 'cuda', got {type(device).__name__} {device!r}.")
    if device == "cpu":
        return device
    torch = require_torch(f"device={device!r}")
    try:
        parsed = torch.device(torch_device(device))
    except RuntimeError:
        raise ValueError(
            f"device must be 'cpu', 'torch:cpu' or a torch device such as 'cuda' or 'cuda:0', got {device!r}."
        ) from None
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"device={device!r} was asked for but CUDA is not available on this machine; use device='cpu'."
        )
    return device


def torch_device(device: str) -> str:
    """The torch device string behind a checked ``device`` (``"torch:cpu"`` -> ``"cpu"``)."""
    return device.removeprefix("torch:")
