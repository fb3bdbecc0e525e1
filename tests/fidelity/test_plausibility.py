# SPDX-License-Identifier: BSD-3-Clause
import dataclasses

import numpy as np
import pandas as pd
import pytest

from biosynth.fidelity.plausibility import DEFAULT_RULES, RULE_NAMES, PlausibilityRules, check_plausibility
from biosynth.generators import simulate_eeg
from biosynth.signals import convert_units, make_signals, read

SFREQ = 256.0


@pytest.fixture(scope="module")
def clean():
    """6 records x 4 channels x 10 s of synthetic EEG (SD 20 uV), in V."""
    return simulate_eeg(10.0, SFREQ, n_records=6, seed=0)


@pytest.fixture(scope="module")
def broken(clean):
    """Record i (1-4) carries one defect; records 0 and 5 stay clean."""
    v = clean.values.copy()
    v[1, 1, 512:896] = v[1, 1, 512]  # Cz constant for 1.5 s
    v[2, 2] = np.minimum(v[2, 2], 0.6 * v[2, 2].max())  # Pz clipped at 60 % of its maximum
    v[3] *= 100.0  # peak-to-peak ~ 10 mV, above the 1 mV limit of scalp EEG
    t = np.arange(v.shape[-1]) / SFREQ
    v[4, 0] += 20e-6 * np.sin(2 * np.pi * 50.0 * t)  # Fz: 50 Hz at the amplitude of the EEG itself
    return clean.copy(data=v)


def _toy_ecg(heart_rate, duration=20.0, sfreq=250.0, pause=None):
    """R (1 mV) and S waves plus a T wave per beat, 1 uV noise, in mV."""
    t = np.arange(round(duration * sfreq)) / sfreq
    beats = np.arange(0.3, duration, 60.0 / heart_rate)
    if pause is not None:  # one RR interval of `pause` s after the beats of the first 5 s
        first = beats[beats < 5.0]
        beats = np.concatenate([first, np.arange(first[-1] + pause, duration, 60.0 / heart_rate)])
    x = np.zeros_like(t)
    for b in beats:
        x += np.exp(-0.5 * ((t - b) / 0.012) ** 2) - 0.15 * np.exp(-0.5 * ((t - b - 0.03) / 0.01) ** 2)
        x += 0.2 * np.exp(-0.5 * ((t - b - min(0.25, 0.4 * 60.0 / heart_rate)) / 0.04) ** 2)
    # neurokit2's adaptive threshold picks up noise between beats far apart: at 20-25 bpm
    # 3 uV of noise already adds false peaks, 1 uV does not
    x += 1e-3 * np.random.default_rng(0).normal(size=t.size)
    return make_signals(x[None], sfreq, ch_names=["II"], units="mV", modality="ecg")


def test_clean_eeg_passes(clean):
    report = check_plausibility(clean)
    assert not report["implausible"].any(), report["reasons"].tolist()
    assert (report["label"] == "plausible").all() and (report["reasons"] == "").all()
    assert report["heart_rate"].isna().all()  # no ECG rules for EEG
    assert list(report.index) == list(clean["record"].values) and report.index.name == "record"
    assert report["ptp_max_uV"].between(50, 300).all()  # SD 20 uV: peak-to-peak about 6 SD
    assert report["line_noise_ratio"].max() < 3.0


@pytest.mark.parametrize(
    ("record", "rule", "channel", "text"),
    [
        (1, "flat_line", "Cz", "flat line: no variation for 1 s or more in Cz (1.5 s)"),
        (2, "clipping", "Pz", "clipping: 6 or more samples in a row at the extreme in Pz"),
        (3, "amplitude", "Fz", "amplitude: peak-to-peak above 1 mV (2 s windows) in Fz"),
        (4, "line_noise", "Fz", "line noise: 50 Hz power over 10x its 2-5 Hz neighbours in Fz"),
    ],
)
def test_each_defect_flags_its_record_and_rule(broken, record, rule, channel, text):
    report = check_plausibility(broken)
    flagged = report[report[rule].fillna(False)]
    assert flagged.index.tolist() == [record]
    row = report.loc[record]
    assert row["implausible"] and row["label"] == "biologically implausible values"
    assert [r for r in RULE_NAMES if report[r].fillna(False)[record]] == [rule]  # no other rule fires
    assert text in row["reasons"] and channel in row["channels"].split(", ")
    assert not report.loc[[0, 5], "implausible"].any()


def test_measured_values_of_the_defects(broken):
    report = check_plausibility(broken)
    assert report.loc[1, "flat_max_s"] == pytest.approx(384 / SFREQ)  # 384 equal samples
    assert report.loc[2, "clip_share"] > 0.01 and report.loc[2, "clip_run_s"] >= 6 / SFREQ
    assert report.loc[3, "ptp_max_uV"] == pytest.approx(100 * report.loc[0:2, "ptp_max_uV"].max(), rel=0.5)
    # a 20 uV sine over a 1/f background of 20 uV SD: hundreds of times its neighbours
    assert report.loc[4, "line_noise_ratio"] > 100


def test_units_do_not_change_the_verdict(broken):
    a = check_plausibility(broken)
    b = check_plausibility(convert_units(broken, "uV"))
    assert a["implausible"].tolist() == b["implausible"].tolist()
    np.testing.assert_allclose(b["ptp_max_uV"], a["ptp_max_uV"], rtol=1e-12)


def test_rules_override_and_modality(broken):
    assert not check_plausibility(broken, rules={"line_noise_ratio": None}).loc[4, "implausible"]
    assert not check_plausibility(broken, rules={"flat_duration": 2.0}).loc[1, "implausible"]
    # intracranial limits (5 mV) still catch 10 mV; a custom range lets it through
    assert check_plausibility(broken, modality="ecog").loc[3, "amplitude"]
    lenient = dataclasses.replace(DEFAULT_RULES["eeg"], amplitude_range=(1e-6, 0.1))
    report = check_plausibility(broken, rules=lenient)
    assert not report.loc[3, "implausible"]
    assert report.attrs["rules"]["amplitude_range"] == (1e-6, 0.1) and report.attrs["modality"] == "eeg"
    arbitrary = broken.copy()
    arbitrary.attrs = dict(broken.attrs, units="a.u.")
    assert check_plausibility(arbitrary)["amplitude"].isna().all()  # no volts, no amplitude rule


def test_single_recording_and_many_channels():
    x = np.random.default_rng(1).normal(scale=10e-6, size=(8, 1000))
    x[:5] *= 1e3  # five channels at 10 mV SD
    report = check_plausibility(make_signals(x, 250.0))
    assert len(report) == 1 and report.loc[0, "amplitude"]
    assert report.loc[0, "reasons"].endswith("and 2 more channels")
    assert report.loc[0, "channels"] == "ch000, ch001, ch002, ch003, ch004"


def test_real_ecg_passes(real_file):
    ecg = read(real_file("ecg_mitbih_100.npz"))  # 30 min, 2 leads, 360 Hz, mV; modality not stored
    report = check_plausibility(ecg, modality="ecg")
    assert not report.loc[0, "implausible"], report.loc[0, "reasons"]
    assert report.loc[0, "heart_rate"] is not pd.NA and not report.loc[0, "heart_rate"]
    assert report.loc[0, "heart_rate_bpm"] == pytest.approx(75, abs=3)  # about 2270 beats in 30.1 min
    assert 0.2 < report.loc[0, "rr_min_s"] < report.loc[0, "rr_max_s"] < 3.0


@pytest.mark.parametrize(
    ("heart_rate", "pause", "expected", "text"),
    [
        (75.0, None, False, ""),
        (240.0, None, True, "heart rate: median outside 30-220 bpm in II (240 bpm)"),
        (25.0, None, True, "heart rate: median outside 30-220 bpm in II (25 bpm)"),
        (75.0, 4.0, True, "RR interval: outside 0.2-3 s in II (0.8-4 s)"),
    ],
)
def test_toy_ecg_heart_rules(heart_rate, pause, expected, text):
    report = check_plausibility(_toy_ecg(heart_rate, pause=pause))
    assert report.loc[0, "heart_rate"] == expected
    assert report.loc[0, "reasons"] == text
    if pause is None:
        assert report.loc[0, "heart_rate_bpm"] == pytest.approx(heart_rate, rel=0.02)


def test_ecg_too_short_is_not_checked():
    short = _toy_ecg(75.0, duration=5.0)  # two beats at 30 bpm need 6 s with a 3 s RR limit
    assert check_plausibility(short)["heart_rate"].isna().all()


def test_rules_validation():
    with pytest.raises(ValueError, match=r"rules.amplitude_range\[1\] must lie in .* \(above the low bound\)"):
        PlausibilityRules(amplitude_range=(1e-3, 1e-6))
    with pytest.raises(TypeError, match=r"rules.rr_range must be a \(low, high\) pair in s or None"):
        PlausibilityRules(rr_range=3.0)
    with pytest.raises(ValueError, match="rules.flat_duration must be a positive finite number in s"):
        PlausibilityRules(flat_duration=0.0)
    with pytest.raises(ValueError, match=r"rules.clip_fraction must lie in \(0, 1\]"):
        PlausibilityRules(clip_fraction=2.0)
    with pytest.raises(ValueError, match="rules.line_freqs must be a positive finite number in Hz"):
        PlausibilityRules(line_freqs=(50.0, -60.0))
    assert PlausibilityRules(line_freqs=[50]).line_freqs == (50.0,)


def test_errors(clean):
    with pytest.raises(ValueError, match="modality must be one of .*; got 'eog'"):
        check_plausibility(clean, modality="eog")
    with pytest.raises(ValueError, match=r"rules has unknown thresholds \['flat_seconds'\]"):
        check_plausibility(clean, rules={"flat_seconds": 2.0})
    with pytest.raises(TypeError, match="rules must be a PlausibilityRules, a mapping"):
        check_plausibility(clean, rules=[1.0])
    with pytest.raises(TypeError, match="signals must be an xarray.DataArray"):
        check_plausibility(clean.values)
    with pytest.raises(ValueError, match="signals needs at least 2 samples per record, got 1"):
        check_plausibility(clean.isel(time=[0]))
