# SPDX-License-Identifier: BSD-3-Clause
"""simulate_eeg(spatial="sphere"): lead-field projection of smoothed cortical sources."""

import numpy as np
import pytest
from scipy.signal import welch
from scipy.stats import spearmanr

from biosynth.generators import simulate_eeg
from biosynth.generators.forward import montage_positions

SFREQ = 256.0
CH_1020 = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7", "P3", "Pz", "P4", "P8"]
CH_1020 += ["O1", "O2"]


@pytest.fixture(scope="module")
def sphere():
    return simulate_eeg(8.0, SFREQ, n_records=10, ch_names=CH_1020, spatial="sphere", seed=0)


def _mean_corr(values):
    return np.mean([np.corrcoef(r) for r in values], axis=0)


def test_alpha_is_posterior(sphere):
    freqs, psd = welch(sphere.values, SFREQ, nperseg=int(2 * SFREQ))
    band = (freqs >= 8) & (freqs <= 12)
    alpha = dict(zip(CH_1020, psd[..., band].mean(axis=-1).mean(axis=0), strict=True))
    posterior = min(alpha[c] for c in ("O1", "O2", "Pz"))
    frontal = max(alpha[c] for c in ("Fz", "Fp1", "Fp2"))
    assert posterior > 1.5 * frontal


def test_correlation_falls_with_distance(sphere):
    corr = _mean_corr(sphere.values)
    _, pos = montage_positions(CH_1020)
    dist = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    iu = np.triu_indices(len(CH_1020), 1)
    assert spearmanr(dist[iu], corr[iu])[0] < -0.5
    uniform = _mean_corr(simulate_eeg(8.0, SFREQ, n_records=10, ch_names=CH_1020, seed=0).values)
    i = {c: k for k, c in enumerate(CH_1020)}
    # neighbours correlate more than the uniform model's default correlation (0.3)
    for a, b in (("Fz", "Cz"), ("F3", "Fz"), ("O1", "O2")):
        assert corr[i[a], i[b]] > 0.3 + 0.05
    for a, b in (("F3", "Fz"), ("O1", "O2"), ("P3", "Pz")):
        assert corr[i[a], i[b]] > uniform[i[a], i[b]] + 0.1
    assert corr[i["O1"], i["O2"]] > 0.5 and corr[i["F3"], i["Fz"]] > 0.5


def test_average_reference_and_amplitude(sphere):
    v = sphere.values
    assert np.abs(v.mean(axis=1)).max() < 1e-6 * 20e-6  # float32 rounding
    assert np.sqrt(np.median(v.var(axis=-1).mean(axis=0))) == pytest.approx(20e-6, rel=0.1)  # expected median SD
    x = simulate_eeg(8.0, SFREQ, n_records=10, ch_names=CH_1020, spatial="sphere", amplitude=35e-6, seed=1)
    assert np.sqrt(np.median(x.values.var(axis=-1).mean(axis=0))) == pytest.approx(35e-6, rel=0.1)
    prov = x.attrs["provenance"]["parameters"]
    assert prov["spatial"] == "sphere" and prov["reference"] == "average" and prov["n_sources"] == 500


def test_other_references():
    ch = ["Fz", "Cz", "Pz", "M1", "M2"]
    lm = simulate_eeg(2.0, SFREQ, ch_names=ch, spatial="sphere", reference="linked_mastoids", seed=2).values
    np.testing.assert_allclose(lm[3] + lm[4], 0.0, atol=1e-6 * 20e-6)  # M1 + M2 = 0 against their mean
    inf = simulate_eeg(2.0, SFREQ, ch_names=ch, spatial="sphere", reference=None, seed=2).values
    assert np.abs(inf.mean(axis=0)).max() > 1e-7


def test_sphere_records_independent_of_batch():
    kw = {"ch_names": CH_1020, "spatial": "sphere", "n_sources": 200, "seed": 11}
    big = simulate_eeg(1.0, SFREQ, n_records=5, **kw)
    small = simulate_eeg(1.0, SFREQ, n_records=2, **kw)
    np.testing.assert_array_equal(small.values, big.values[:2])
    alone = simulate_eeg(1.0, SFREQ, n_records=1, first_record=4, **kw)
    np.testing.assert_array_equal(alone.values[0], big.values[4])


def test_montage_spelling_returned():
    x = simulate_eeg(1.0, SFREQ, ch_names=["fz", "CZ"], spatial="sphere", seed=0)
    assert x["channel"].values.tolist() == ["Fz", "Cz"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ch_names": ["Fz", "Cz", "Bogus"]}, r"not in montage 'standard_1020': 'Bogus'"),
        ({"ch_names": ["Fz"]}, "reference='average' needs at least 2 channels"),
        ({"reference": "linked_mastoids"}, "needs M1/M2 or TP9/TP10"),
        ({"reference": "car"}, "reference must be one of"),
        ({"n_sources": 0}, "n_sources must be an integer >= 1"),
    ],
)
def test_sphere_bad_parameters(kwargs, match):
    args = {"ch_names": ["Fz", "Cz", "Pz"], "spatial": "sphere"} | kwargs
    with pytest.raises(ValueError, match=match):
        simulate_eeg(1.0, SFREQ, seed=0, **args)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"spatial": "realistic"}, "spatial must be one of"),
        ({"n_sources": 100}, "n_sources applies only to spatial='sphere'"),
        ({"reference": None}, "reference applies only to spatial='sphere'"),
    ],
)
def test_uniform_rejects_sphere_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_eeg(1.0, SFREQ, seed=0, **kwargs)


def test_sphere_torch_cpu_matches_numpy():
    pytest.importorskip("torch")
    kw = {"ch_names": CH_1020, "spatial": "sphere", "n_sources": 200, "n_records": 2, "seed": 3}
    a = simulate_eeg(1.0, SFREQ, **kw).values
    b = simulate_eeg(1.0, SFREQ, device="torch:cpu", **kw).values
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-5 * 20e-6)  # float32 filtering on both paths
