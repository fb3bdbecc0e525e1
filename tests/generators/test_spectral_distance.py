# SPDX-License-Identifier: BSD-3-Clause
"""SpectralGenerator's distance model of coherence (``fit(real, positions=...)``).

A law ``a exp(-d / lambda) + c`` of the coherence against the distance between channels
is fitted per band and used as the Ledoit-Wolf shrinkage target. Checked: the law comes
back from channels mixed with a known exponential kernel; on short windows of the EEGLAB
sample the coherence with positions is closer to the whole recording's than without;
with 60 s the target hardly matters; positions in every accepted form and their errors;
save/load; seeds; and no positions leaves the fit as it was.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy.signal import lfilter

from biosynth.datasets import eeglab_positions, load_sample
from biosynth.generators.learned import SpectralGenerator, load_generator
from biosynth.generators.learned._coherency import law_matrix, pair_distances
from biosynth.generators.learned.spectral import _shrink
from biosynth.signals import make_signals
from biosynth.signals.layouts import grid

SFREQ = 128.0
#: The coherency does not depend on the amplitude map or the variability model: both off
#: (faster fits).
FAST = {"amplitude_map": False, "n_components": 0}
UPPER = np.triu_indices(32, 1)


def _kernel_recording(length: float, seconds: float, seed: int) -> tuple[xr.DataArray, object]:
    """Channels of a 5 x 6 grid (1-cm spacing) mixed by the Cholesky factor of
    ``exp(-d / length)``, all filtered by the same first-order low-pass (a 1/f-like
    spectrum: the filter is common, so the coherency is the kernel at every frequency)."""
    layout = grid(5, 6, spacing=0.01)
    factor = np.linalg.cholesky(np.exp(-pair_distances(np.asarray(layout.positions)) / length))
    sfreq = 256.0
    white = np.random.default_rng(seed).standard_normal((len(layout), round(seconds * sfreq)))
    data = lfilter([1.0], [1.0, -0.9], factor @ white, axis=-1)
    return make_signals(data * 1e-6, sfreq, ch_names=list(layout.names), units="V"), layout


def test_law_recovered_from_a_known_exponential_kernel():
    """60 s of 30 channels with coherence exp(-d / 15 mm) at every frequency: the fitted
    fall-off length is within 20 % of 15 mm in every band, the amplitude near one and
    the floor (the upward bias of sample coherence magnitudes) small."""
    real, layout = _kernel_recording(0.015, 60.0, seed=0)
    gen = SpectralGenerator(**FAST).fit(real, positions=layout)
    amplitude, length, floor = gen.distance_law_.T
    assert np.all(np.abs(length / 0.015 - 1) < 0.2), length
    assert np.all(amplitude > 0.85) and np.all(floor < 0.1), gen.distance_law_
    assert gen.distance_law_.shape == (len(gen.band_centres_), 3)


def test_law_matrix_is_a_positive_definite_coherency():
    """Coincident positions make the law singular: the eigenvalue floor keeps it positive
    definite with a unit diagonal."""
    positions = np.zeros((4, 3))
    positions[2:, 0] = 0.01
    matrix = law_matrix(np.array([0.9, 0.02, 0.1]), pair_distances(positions))
    assert np.linalg.eigvalsh(matrix).min() > 0
    np.testing.assert_allclose(np.diagonal(matrix), 1.0)
    assert matrix[0, 1] == pytest.approx(1.0, abs=1e-5) and matrix[0, 2] < 0.7


@pytest.fixture(scope="module")
def eeglab() -> dict:
    """The 60-s EEGLAB sample fitted with and without positions."""
    real = load_sample("eeglab")
    positions = eeglab_positions()
    return {
        "real": real,
        "positions": positions,
        "with": SpectralGenerator(**FAST).fit(real, positions=positions),
        "without": SpectralGenerator(**FAST).fit(real),
    }


def _band_rms(gen: SpectralGenerator, reference: SpectralGenerator) -> np.ndarray:
    """RMS over channel pairs of the coherence difference, per band of ``gen`` (matched
    to ``reference``'s band of the same centre)."""
    out = []
    for k, centre in enumerate(gen.band_centres_):
        j = int(np.argmin(np.abs(reference.band_centres_ - centre)))
        diff = np.abs(gen.coherency_[k][UPPER]) - np.abs(reference.coherency_[j][UPPER])
        out.append(np.sqrt(np.mean(diff**2)))
    return np.array(out)


def test_short_windows_closer_to_the_whole_recording(eeglab):
    """Fitted on 4-s windows (7 Welch segments of 1 s for 32 channels), the coherence per
    band with positions is closer to the 60-s fit's than without: RMS over channel pairs,
    averaged over bands and five windows (measured 0.113 vs 0.122)."""
    real, positions, reference = eeglab["real"], eeglab["positions"], eeglab["with"]
    rms = {"with": [], "without": []}
    for start in (0, 12, 24, 36, 48):
        part = real.isel(time=slice(round(start * SFREQ), round((start + 4) * SFREQ)))
        rms["with"].append(_band_rms(SpectralGenerator(**FAST).fit(part, positions=positions), reference))
        rms["without"].append(_band_rms(SpectralGenerator(**FAST).fit(part), reference))
    with_, without = np.mean(rms["with"]), np.mean(rms["without"])
    assert with_ < without - 0.004, (with_, without)


def test_many_segments_make_the_target_matter_little(eeglab):
    """With 60 s (119 Welch segments) the estimated shrinkage is small: above the lowest
    two bands (whose few bins give few samples) the coherence with and without positions
    differs by less than 0.02 RMS, and the law is that of a scalp: coherence falling
    off over several cm."""
    rms = _band_rms(eeglab["with"], eeglab["without"])
    assert np.all(rms[2:] < 0.02), rms
    lengths = eeglab["with"].distance_law_[:, 1]
    assert np.all((lengths > 0.03) & (lengths < 1.0)), lengths


def test_positions_in_every_form_give_the_same_fit(eeglab):
    """An array, a dict, a Layout and a montage name (channels renamed to their 10-20
    labels, the EOG channels dropped) are looked up to the same positions."""
    real = eeglab["real"].isel(time=slice(0, round(8 * SFREQ)))
    table = eeglab["positions"]
    array = np.array([table[str(c)] for c in real["channel"].values])
    by_array = SpectralGenerator(**FAST).fit(real, positions=array)
    by_dict = SpectralGenerator(**FAST).fit(real, positions=table)
    np.testing.assert_array_equal(by_array.coherency_, by_dict.coherency_)
    np.testing.assert_array_equal(by_array.positions_, array)
    layout = grid(2, 3, spacing=0.01)
    small = make_signals(np.random.default_rng(0).normal(size=(6, 2048)), 128.0, ch_names=list(layout.names)[::-1])
    fitted = SpectralGenerator(**FAST).fit(small, positions=layout)
    np.testing.assert_array_equal(fitted.positions_, np.asarray(layout.positions)[::-1])
    labels = [label for label in eeglab_positions(labels=True) if not label.startswith("EOG")]
    keep = [k for k, label in enumerate(eeglab_positions(labels=True)) if not label.startswith("EOG")]
    named = real.isel(channel=keep).assign_coords(channel=[label.upper() for label in labels])
    montage = SpectralGenerator(**FAST).fit(named, positions="colin27_1020")
    assert montage.positions_.shape == (30, 3)
    radius = np.linalg.norm(montage.positions_ - montage.positions_.mean(axis=0), axis=1)
    assert np.all((radius > 0.05) & (radius < 0.15))  # on a head, in m


@pytest.mark.parametrize(
    ("positions", "match"),
    [
        (np.zeros((3, 3)), r"positions must be a \(6, 3\) array"),
        (np.full((6, 3), np.nan), "positions must be finite"),
        ({"G1": (0, 0, 0)}, r"positions: the mapping has no position for 5 of the 6 channels"),
        ("standard_9999", "positions must be a built-in MNE montage name"),
        ("colin27_1020", r"positions: the montage 'colin27_1020' has no position for 6"),
        (object(), "positions must be an"),
    ],
)
def test_position_errors_are_one_line(positions, match):
    layout = grid(2, 3, spacing=0.01)
    real = make_signals(np.random.default_rng(0).normal(size=(6, 2048)), 128.0, ch_names=list(layout.names))
    gen = SpectralGenerator(**FAST)
    with pytest.raises((ValueError, TypeError), match=match) as info:
        gen.fit(real, positions=positions)
    assert "\n" not in str(info.value)
    assert not hasattr(gen, "info_")  # a failed fit leaves the generator unfitted


def test_save_load_and_seeds(eeglab, tmp_path):
    gen = eeglab["with"]
    path = gen.save(tmp_path / "distance.npz")
    back = load_generator(path)
    np.testing.assert_array_equal(back.distance_law_, gen.distance_law_)
    np.testing.assert_array_equal(back.positions_, gen.positions_)
    np.testing.assert_array_equal(back.coherency_, gen.coherency_)
    first = gen.sample(2, duration=4.0, seed=5).values
    np.testing.assert_array_equal(back.sample(2, duration=4.0, seed=5).values, first)
    assert not np.array_equal(gen.sample(2, duration=4.0, seed=6).values, first)
    again = SpectralGenerator(**FAST).fit(eeglab["real"], positions=eeglab["positions"])
    np.testing.assert_array_equal(again.distance_law_, gen.distance_law_)
    np.testing.assert_array_equal(again.sample(2, duration=4.0, seed=5).values, first)
    plain = load_generator(eeglab["without"].save(tmp_path / "plain.npz"))
    assert plain.distance_law_ is None and plain.positions_ is None


def test_no_positions_is_the_identity_target(eeglab):
    """Without positions nothing changes: no law, and the shrinkage towards the identity
    is bit for bit the one with the identity passed as the target (the samples of a fit
    without positions were also checked equal to the code before the distance model)."""
    without = eeglab["without"]
    assert without.distance_law_ is None and without.positions_ is None
    rng = np.random.default_rng(0)
    y = rng.normal(size=(5, 40)) + 1j * rng.normal(size=(5, 40))
    y /= np.sqrt(np.mean(np.abs(y) ** 2, axis=1, keepdims=True))
    weights = rng.uniform(0.2, 1.0, 40)
    np.testing.assert_array_equal(_shrink(y, weights), _shrink(y, weights, np.eye(5)))
    real = eeglab["real"].isel(time=slice(0, round(8 * SFREQ)))
    a = SpectralGenerator(**FAST).fit(real).sample(1, duration=2.0, seed=1).values
    b = SpectralGenerator(**FAST).fit(real, positions=None).sample(1, duration=2.0, seed=1).values
    np.testing.assert_array_equal(a, b)


def test_realism_suite_has_positions_for_eeglab(eeglab):
    """The realism benchmark's EEGLAB recording carries positions for every channel (its
    extra column fits with them); the others have none."""
    from biosynth.bench.realism_suite import POSITIONS, RECORDINGS

    with_positions = {spec.name: spec.positions for spec in RECORDINGS if spec.positions is not None}
    assert list(with_positions) == ["eeglab"]
    table = POSITIONS[with_positions["eeglab"]]()
    assert {str(c) for c in eeglab["real"]["channel"].values} <= set(table)
