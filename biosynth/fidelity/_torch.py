# SPDX-License-Identifier: BSD-3-Clause
"""Moving rows to and from torch for the GPU paths of the measures."""

from __future__ import annotations

from typing import Any

import numpy as np

from biosynth._utils.backend import check_device, torch_device


def to_torch(rows: np.ndarray, device: str) -> Any:
    """float64 tensor of ``rows`` on ``device`` (``"cuda"``, ``"torch:cpu"``, ...)."""
    import torch

    return torch.as_tensor(rows, dtype=torch.float64, device=torch_device(device))


def to_numpy(tensor: Any) -> np.ndarray:
    """Copy a tensor back to a NumPy array on the CPU."""
    return tensor.detach().cpu().numpy()


def use_torch(device: str) -> bool:
    """Validate ``device``; True when the torch path should run."""
    return check_device(device) != "cpu"
