# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest
from scipy.stats import spearmanr

from biosynth.generators.forward import leadfield, montage_positions, project_sources

CH_1020 = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8"]
CH_1020 += ["P7", "P3", "Pz", "P4", "P8", "O1", "Oz", "O2"]
CH_MASTOIDS = [*CH_1020, "M1", "M2"]
N_SOURCES = 600


@pytest.fixture(scope="module")
def lead():
    """Lead field of the 10-20 channels plus both mastoids (computed once)."""
    return leadfield(CH_MASTOIDS, n_sources=N_SOURCES)


@pytest.fixture(scope="module")
def white_sources():
    rng = np.random.default_rng(0)
    return 1e-8 * rng.standard_normal((N_SOURCES, 4000))  # 10 nA·m white noise per dipole


def _pairs(names, x):
    _, pos = montage_positions(names)
    dist = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    corr = np.corrcoef(x)
    iu = np.triu_indices(len(names), 1)
    return dist[iu], corr[iu], corr


def test_positions_in_requested_order_and_on_a_head():
    names, pos = montage_positions(["Oz", "Fz", "cz"])
    assert names == ["Oz", "Fz", "Cz"]  # case-insensitive, montage spelling
    assert pos.shape == (3, 3)
    _, fz = montage_positions(["Fz"])
    np.testing.assert_array_equal(pos[1], fz[0])
    assert pos[1, 1] > 0 > pos[0, 1]  # Fz anterior (+y), Oz posterior
    norms = np.linalg.norm(pos, axis=1)
    assert np.all((norms > 0.06) & (norms < 0.15))  # metres from the head-frame origin
    all_names, all_pos = montage_positions()
    assert len(all_names) == all_pos.shape[0] > 20 and "Cz" in all_names


def test_unknown_channel_error_names_argument_value_and_valid_ones():
    with pytest.raises(ValueError, match=r"ch_names .*'standard_1020'.*'Xyz'.*valid names include 'Fp1'") as err:
        montage_positions(["Cz", "Xyz"])
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match=r"ch_names .*'Qq'"):
        leadfield(["Qq"], n_sources=10)
    with pytest.raises(ValueError, match=r"montage .*'nope'"):
        montage_positions(["Cz"], montage="nope")


def test_leadfield_shapes_units_and_cache(lead):
    gain, rr, nn = lead
    assert gain.shape == (len(CH_MASTOIDS), N_SOURCES) and rr.shape == nn.shape == (N_SOURCES, 3)
    np.testing.assert_allclose(np.linalg.norm(nn, axis=1), 1.0)
    # a 10 nA·m cortical dipole gives microvolts to tens of microvolts at the nearest electrode
    assert 1e-6 < 1e-8 * np.abs(gain).max() < 1e-4
    again, _, _ = leadfield(CH_MASTOIDS, n_sources=N_SOURCES)  # cached: same numbers, own copy
    np.testing.assert_array_equal(again, gain)
    again[0, 0] = 1e9
    assert leadfield(CH_MASTOIDS, n_sources=N_SOURCES)[0][0, 0] != 1e9
    # a channel subset gets the rows of the larger set (one head sphere per montage)
    sub, _, _ = leadfield(["Cz", "Fz"], n_sources=N_SOURCES)
    np.testing.assert_allclose(sub, gain[[CH_MASTOIDS.index("Cz"), CH_MASTOIDS.index("Fz")]], rtol=1e-10)


def test_seeded_sources_reproducible():
    a = leadfield(["Cz", "Oz"], n_sources=20, seed=1)
    b = leadfield(["Cz", "Oz"], n_sources=20, seed=1)
    c = leadfield(["Cz", "Oz"], n_sources=20, seed=2)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[1], c[1])


def test_radial_source_under_oz_peaks_at_occipital_electrodes(lead):
    gain, rr, _ = lead
    _, oz = montage_positions(["Oz"])
    k = np.argmin(np.linalg.norm(rr - oz[0], axis=1))  # the dipole nearest Oz
    top = {CH_MASTOIDS[i] for i in np.argsort(np.abs(gain[:, k]))[-3:]}
    assert CH_MASTOIDS[np.argmax(np.abs(gain[:, k]))] in {"Oz", "O1", "O2"}
    assert top <= {"Oz", "O1", "O2", "P3", "Pz", "P4", "P7", "P8"}


@pytest.mark.parametrize("reference", ["average", None])
def test_correlation_falls_with_distance(lead, white_sources, reference):
    x = project_sources(white_sources, lead[0], reference=reference, ch_names=CH_MASTOIDS)[: len(CH_1020)]
    dist, corr, full = _pairs(CH_1020, x)
    rho = spearmanr(dist, corr)[0]
    assert rho < -0.7
    fz, cz, o1 = (CH_1020.index(n) for n in ("Fz", "Cz", "O1"))
    assert full[fz, cz] > full[fz, o1] + 0.3


def test_average_reference_zero_mean(lead, white_sources):
    x = project_sources(white_sources[None].repeat(2, axis=0), lead[0], reference="average")
    assert x.shape == (2, len(CH_MASTOIDS), white_sources.shape[1])
    assert np.abs(x.mean(axis=-2)).max() <= 1e-12 * np.abs(x).max()


@pytest.mark.parametrize("pair", [("M1", "M2"), ("TP9", "TP10")])
def test_linked_mastoids_reference(pair, white_sources):
    names = ["Fz", "Cz", "Pz", *pair]
    gain, _, _ = leadfield(names, n_sources=N_SOURCES, montage="standard_1005")
    x = project_sources(white_sources, gain, reference="linked_mastoids", ch_names=names)
    raw = project_sources(white_sources, gain, reference=None)
    np.testing.assert_allclose((x[3] + x[4]) / 2, 0.0, atol=1e-12 * np.abs(x).max())
    np.testing.assert_allclose(x[:3], raw[:3] - (raw[3] + raw[4]) / 2, rtol=1e-9, atol=1e-20)


def test_reference_errors(lead, white_sources):
    with pytest.raises(ValueError, match=r"reference must be one of .*'bogus'") as err:
        project_sources(white_sources, lead[0], reference="bogus")
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match=r"linked_mastoids.*ch_names.*M1/M2 or TP9/TP10"):
        project_sources(white_sources, lead[0], reference="linked_mastoids")
    with pytest.raises(ValueError, match=r"linked_mastoids.*M1/M2 or TP9/TP10.*'Fz'"):
        project_sources(white_sources, lead[0], reference="linked_mastoids", ch_names=[*CH_1020, "Fz", "Cz"])
    with pytest.raises(ValueError, match=r"source_activity must have shape"):
        project_sources(white_sources[:5], lead[0])
    with pytest.raises(ValueError, match=r"ch_names must name the 22 rows"):
        project_sources(white_sources, lead[0], ch_names=["Fz"])


@pytest.mark.parametrize("sphere", [0.09, (0.0, 0.0, 0.04, 0.09)])
def test_explicit_sphere_and_other_montage(sphere):
    gain, rr, _ = leadfield(["Fz", "Cz", "Oz"], n_sources=50, montage="biosemi32", sphere=sphere)
    assert gain.shape == (3, 50) and np.isfinite(gain).all()
    centre = np.array(sphere[:3]) if isinstance(sphere, tuple) else None
    if centre is not None:
        np.testing.assert_allclose(np.linalg.norm(rr - centre, axis=1), 0.8 * 0.09)
    with pytest.raises(ValueError, match=r"sphere must be .*got \(0, 0, 0\)"):
        leadfield(["Cz"], n_sources=10, sphere=(0, 0, 0))
