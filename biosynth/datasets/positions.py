# SPDX-License-Identifier: BSD-3-Clause
"""Channel positions of the EEGLAB recording (the shipped ``sample:eeglab`` and
``eeg_eeglab_32ch.npz`` of the real-data folder), whose files name the channels
``EEG 000`` .. ``EEG 031`` and hold no positions.

The recording is EEGLAB's tutorial dataset (``eeglab_data.set``: 32 channels, 128 Hz,
238.3 s); its channel locations ship with EEGLAB as ``sample_data/eeglab_chan32.locs``
(repository sccn/eeglab, BSD licence): polar coordinates, the angle from the nose
(degrees, positive towards the right ear) and the arc from the vertex (0.5 = 90 degrees).
:data:`EEGLAB_CHANLOCS` holds that table, in channel order. MNE's test of the same
recording (``test_raw.set``) puts ``test_chans.locs`` on it, channels renamed ``EEG
000`` .. in order; the order was also checked on the data here: the coherence of the 32
channels falls off with the distances of this table far more closely than with the
distances of any of 30 random permutations of it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EEGLAB_CHANLOCS", "HEAD_RADIUS", "eeglab_positions"]

#: The 10-20 label, angle from the nose (degrees, + towards the right) and arc from the
#: vertex (0.5 = 90 degrees) of each channel of the EEGLAB recording, in channel order
#: (``EEG 000`` is FPz); EOG1 and EOG2 are electrodes near the eyes.
EEGLAB_CHANLOCS: tuple[tuple[str, float, float], ...] = (
    ("FPz", 0.0, 0.50669), ("EOG1", 23.0, 0.71), ("F3", -39.947, 0.34459), ("Fz", 0.0, 0.25338),
    ("F4", 39.897, 0.3445), ("EOG2", -43.0, 0.65), ("FC5", -69.332, 0.40823), ("FC1", -44.925, 0.18118),
    ("FC2", 44.925, 0.18118), ("FC6", 69.332, 0.40823), ("T7", -90.0, 0.53318), ("C3", -90.0, 0.26669),
    ("C4", 90.0, 0.26667), ("Cz", 0.0, 0.0), ("T8", 90.0, 0.53318), ("CP5", -110.67, 0.40823),
    ("CP1", -135.07, 0.18118), ("CP2", 135.07, 0.18118), ("CP6", 110.67, 0.40823), ("P7", -126.09, 0.52808),
    ("P3", -140.05, 0.34459), ("Pz", 180.0, 0.25338), ("P4", 140.1, 0.3445), ("P8", 126.13, 0.52807),
    ("PO7", -144.11, 0.52233), ("PO3", -157.54, 0.42113), ("POz", 180.0, 0.37994), ("PO4", 157.54, 0.42113),
    ("PO8", 144.14, 0.52231), ("O1", -162.07, 0.51499), ("Oz", 180.0, 0.50669), ("O2", 162.07, 0.51499),
)  # fmt: skip
#: Radius of the spherical head the positions are placed on, in m (MNE's default head size).
HEAD_RADIUS = 0.095


def eeglab_positions(*, labels: bool = False) -> dict[str, tuple[float, float, float]]:
    """Positions of the EEGLAB recording's channels on a sphere of :data:`HEAD_RADIUS`.

    Parameters
    ----------
    labels : bool, default=False
        Key the positions by the 10-20 labels (``"FPz"``, ``"EOG1"``, ...) instead of the
        files' channel names (``"EEG 000"`` ..).

    Returns
    -------
    positions : dict
        Channel name -> ``(x, y, z)`` in m: x towards the right ear, y towards the nose,
        z towards the vertex; for ``SpectralGenerator.fit(real, positions=...)``.

    Examples
    --------
    >>> positions = eeglab_positions()
    >>> round(positions["EEG 013"][2], 3)  # Cz, on the vertex
    0.095
    """
    out = {}
    for k, (label, theta, arc) in enumerate(EEGLAB_CHANLOCS):
        azimuth, polar = np.deg2rad(theta), np.deg2rad(180.0 * arc)
        xyz = HEAD_RADIUS * np.array([np.sin(polar) * np.sin(azimuth), np.sin(polar) * np.cos(azimuth), np.cos(polar)])
        out[label if labels else f"EEG {k:03d}"] = tuple(float(v) for v in xyz)
    return out
