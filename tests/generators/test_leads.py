# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest

from biosynth.generators.leads import STANDARD_LEADS, dipole_to_leads

# Dower et al. (1980) lead matrix as tabulated for all 12 leads (columns X, Y, Z); the
# last four limb rows are printed rounded to 3 decimals.
PUBLISHED_12 = {
    "I": (0.632, -0.235, 0.059),
    "II": (0.235, 1.066, -0.132),
    "III": (-0.397, 1.301, -0.191),
    "aVR": (-0.434, -0.415, 0.037),
    "aVL": (0.515, -0.768, 0.125),
    "aVF": (-0.081, 1.184, -0.162),
    "V1": (-0.515, 0.157, -0.917),
    "V2": (0.044, 0.164, -1.387),
    "V3": (0.882, 0.098, -1.277),
    "V4": (1.213, 0.127, -0.601),
    "V5": (1.125, 0.127, -0.086),
    "V6": (0.831, 0.076, 0.230),
}

# Inverse Dower matrix (Edenbrandt & Pahlm 1988), rows X, Y, Z; columns I, II, V1-V6.
INVERSE_DOWER = np.array(
    [
        [0.156, -0.010, -0.172, -0.074, 0.122, 0.231, 0.239, 0.194],
        [-0.227, 0.887, 0.057, -0.019, -0.106, -0.022, 0.041, 0.048],
        [0.022, 0.102, -0.229, -0.310, -0.246, -0.063, 0.055, 0.108],
    ]
)

SFREQ = 500.0


def _lead_matrix(leads=STANDARD_LEADS):
    """(n_leads, 3) matrix of the projection, read off unit dipoles."""
    return dipole_to_leads(np.eye(3), leads)  # column j = leads of the unit dipole along axis j


def _gaussian_dipole(sfreq=SFREQ):
    """One beat of a Gaussian-sum dipole (Sameni et al. 2007): P, Q, R, S, T waves.

    Amplitudes in mV, centres and widths in s, directions in (X left, Y inferior,
    Z posterior); the R wave lies along the main QRS axis (left, inferior, posterior).
    """
    t = np.arange(round(sfreq)) / sfreq
    waves = [  # (centre, width, amplitude, direction)
        (0.20, 0.025, 0.15, (0.5, 0.8, 0.0)),  # P
        (0.37, 0.008, 0.10, (-0.6, -0.3, -0.7)),  # Q: septal, rightward and anterior
        (0.40, 0.012, 1.20, (0.55, 0.7, 0.45)),  # R
        (0.43, 0.010, 0.30, (-0.5, -0.4, 0.6)),  # S: rightward, superior, posterior
        (0.65, 0.050, 0.30, (0.6, 0.6, -0.3)),  # T
    ]
    dipole = np.zeros((3, t.size))
    for centre, width, amplitude, direction in waves:
        unit = np.asarray(direction) / np.linalg.norm(direction)
        dipole += amplitude * unit[:, None] * np.exp(-((t - centre) ** 2) / (2.0 * width**2))
    return t, dipole


def test_independent_leads_match_published_dower_matrix():
    matrix = _lead_matrix()
    expected = np.array([PUBLISHED_12[name] for name in STANDARD_LEADS])
    independent = [STANDARD_LEADS.index(n) for n in ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")]
    np.testing.assert_array_equal(matrix[independent], expected[independent])  # the coefficients themselves
    np.testing.assert_allclose(matrix, expected, rtol=0, atol=5e-4 + 1e-12)  # derived rows: 3-decimal rounding


def test_coefficients_agree_with_edenbrandt_pahlm_inverse():
    # an independent publication: its inverse is the pseudo-inverse of the Dower rows. Both
    # tables are printed to 3 decimals (observed gap 4.9e-4); a 0.01 error in any one Dower
    # coefficient moves the pseudo-inverse by at least 9.5e-4, so 7e-4 catches it
    dower_8 = _lead_matrix(("I", "II", "V1", "V2", "V3", "V4", "V5", "V6"))
    np.testing.assert_allclose(np.linalg.pinv(dower_8), INVERSE_DOWER, rtol=0, atol=7e-4)
    np.testing.assert_allclose(INVERSE_DOWER @ dower_8, np.eye(3), rtol=0, atol=2e-3)


def test_einthoven_and_goldberger_hold_exactly(rng):
    dipole = rng.normal(scale=1e-3, size=(4, 3, 2000))  # volts
    ecg = dict(zip(STANDARD_LEADS, np.moveaxis(dipole_to_leads(dipole), -2, 0), strict=True))
    tol = 1e-15 * np.abs(dipole).max()  # float rounding at this scale
    np.testing.assert_allclose(ecg["I"] + ecg["III"], ecg["II"], rtol=0, atol=tol)
    np.testing.assert_allclose(ecg["aVR"] + ecg["aVL"] + ecg["aVF"], 0.0, rtol=0, atol=tol)


def test_projection_is_linear(rng):
    matrix = _lead_matrix()
    for axis in range(3):
        dipole = np.zeros((3, 50))
        dipole[axis] = rng.normal(size=50)
        # a dipole along one axis: every lead is that column times the component
        np.testing.assert_allclose(dipole_to_leads(dipole), np.outer(matrix[:, axis], dipole[axis]), atol=1e-14)
    a, b = rng.normal(size=(2, 2, 3, 40))
    combined = dipole_to_leads(2.5 * a - 0.7 * b)
    np.testing.assert_allclose(combined, 2.5 * dipole_to_leads(a) - 0.7 * dipole_to_leads(b), atol=1e-13)


def test_lead_order_follows_leads_and_shapes(rng):
    dipole = rng.normal(size=(2, 5, 3, 100))
    full = dipole_to_leads(dipole)
    assert full.shape == (2, 5, 12, 100) and full.dtype == np.float64
    chosen = ("V6", "aVR", "I", "III")
    subset = dipole_to_leads(dipole, chosen)
    np.testing.assert_array_equal(subset, full[..., [STANDARD_LEADS.index(n) for n in chosen], :])
    # component axis first: the lead axis takes its place
    moved = dipole_to_leads(np.moveaxis(dipole, -2, 0), axis=0)
    assert moved.shape == (12, 2, 5, 100)
    np.testing.assert_allclose(np.moveaxis(moved, 0, -2), full, rtol=0, atol=1e-14)


def test_integer_float32_and_read_only_input():
    dipole = np.arange(30, dtype=np.int32).reshape(3, 10)
    expected = dipole_to_leads(dipole.astype(np.float64))
    np.testing.assert_array_equal(dipole_to_leads(dipole), expected)
    frozen = dipole.astype(np.float32)
    frozen.flags.writeable = False
    np.testing.assert_allclose(dipole_to_leads(frozen), expected, rtol=1e-6)


def test_realistic_dipole_gives_physiological_signs():
    t, dipole = _gaussian_dipole()
    ecg = dict(zip(STANDARD_LEADS, dipole_to_leads(dipole), strict=True))
    qrs = (t > 0.33) & (t < 0.47)
    # lead II: upright R wave (mV); aVR: inverted
    assert ecg["II"][qrs].max() > 0.8 and ecg["II"][qrs].max() > 3 * abs(ecg["II"][qrs].min())
    assert ecg["aVR"][qrs].min() < -0.5 and abs(ecg["aVR"][qrs].min()) > 3 * ecg["aVR"][qrs].max()
    # precordial progression: V1 mostly negative (rS), V6 mostly positive (qR)
    assert abs(ecg["V1"][qrs].min()) > ecg["V1"][qrs].max()
    assert ecg["V6"][qrs].max() > 2 * abs(ecg["V6"][qrs].min())
    # upright T wave in II, inverted in aVR
    t_wave = (t > 0.55) & (t < 0.75)
    assert ecg["II"][t_wave].max() > 0.1 and ecg["aVR"][t_wave].min() < -0.1


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"leads": ("I", "V7")}, ValueError, r"leads\[1\] must be one of 'I', 'II', .*; got 'V7'"),
        ({"leads": ("avr",)}, ValueError, r"leads\[0\] must be one of .*'aVR'.*; got 'avr'"),
        ({"leads": "II"}, ValueError, "leads must be a non-empty sequence of lead names"),
        ({"leads": ()}, ValueError, "leads must be a non-empty sequence"),
        ({"leads": ("I", "II", "I")}, ValueError, r"leads must name each lead once, got \['I'\]"),
        ({"axis": 2}, ValueError, r"axis must be an integer between -2 and 1, got 2"),
        ({"axis": -1}, ValueError, r"dipole must have 3 components \(X, Y, Z\) along axis -1, got shape \(3, 10\)"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, err, match):
    with pytest.raises(err, match=match):
        dipole_to_leads(np.zeros((3, 10)), **kwargs)


def test_bad_dipoles_name_themselves():
    with pytest.raises(ValueError, match=r"dipole must have 3 components .* got shape \(2, 10\)"):
        dipole_to_leads(np.zeros((2, 10)))
    bad = np.zeros((3, 10))
    bad[1, 4] = np.nan
    with pytest.raises(ValueError, match=r"dipole contains 1 non-finite value"):
        dipole_to_leads(bad)
    with pytest.raises(TypeError, match="dipole must be a real numeric array, got dtype complex128"):
        dipole_to_leads(np.zeros((3, 10), dtype=complex))
    with pytest.raises(ValueError, match="got a scalar"):
        dipole_to_leads(1.0)
