# SPDX-License-Identifier: BSD-3-Clause
"""The Parkinson's measures recover what simulate_parkinson was told: burst durations
and time in bursts (Tinkhauser et al. 2017 convention), coupling depth, cortico-muscular
coherence."""

import numpy as np
import pytest

from biosynth.fidelity import (
    burst_threshold,
    corticomuscular_coherence,
    detect_bursts,
    match_events,
    modulation_index,
)
from biosynth.generators import simulate_parkinson

BAND = (15.0, 25.0)


@pytest.fixture(scope="module")
def lfp_off_on():
    out = {}
    for state in ("off", "on"):
        data, events = simulate_parkinson(
            120.0, 1000.0, medication=state, n_records=6, signals=("lfp",), seed=0, return_events=True
        )
        out[state] = (data["lfp"].isel(channel=[0]), events)
    return out


def test_burst_detection_recovers_durations_and_the_published_time_in_bursts(lfp_off_on):
    # threshold common to OFF and ON: the mean of their 75th percentiles (Tinkhauser et al. 2017)
    thresholds = [burst_threshold(lfp, band=BAND, smooth=0.05) for lfp, _ in lfp_off_on.values()]
    common = float(np.mean(thresholds))
    found = {}
    for state, (lfp, events) in lfp_off_on.items():
        detected = detect_bursts(lfp, band=BAND, smooth=0.05, threshold=common).reset_index(drop=True)
        truth = events[(events["type"] == "beta_burst") & (events["duration"] >= 0.1)].reset_index(drop=True)
        pairs = match_events(truth, detected, match_window=0.1, by_channel=False)
        assert len(pairs) > 0.75 * len(truth)
        told = truth.loc[pairs["truth_index"], "duration"].to_numpy()
        measured = detected.loc[pairs["detected_index"], "duration"].to_numpy()
        assert np.median(measured / told) == pytest.approx(1.0, abs=0.1)  # durations within 10 %
        found[state] = detected["duration"].sum() / (6 * 120.0)
    # Tinkhauser et al. 2017: 27.0 % of the time in bursts OFF, 16.1 % ON
    assert found["off"] == pytest.approx(0.27, abs=0.02)
    assert found["on"] == pytest.approx(0.161, abs=0.03)


def test_modulation_index_orders_the_coupling_depth():
    mi = [
        float(modulation_index(simulate_parkinson(60.0, 1000.0, pac=m, signals=("lfp",), seed=4)["lfp"].isel(channel=0),
                               phase_band=BAND, amplitude_band=(40.0, 110.0)))
        for m in (0.0, 0.25, 0.5, 1.0)
    ]  # fmt: skip
    assert np.all(np.diff(mi) > 0)
    assert mi[-1] > 10 * mi[0]


def test_corticomuscular_coherence_is_significant_only_with_a_cortical_drive():
    def peak(amplitude):
        out = simulate_parkinson(120.0, 1000.0, tremor={"tremor_share": 1.0}, cortical_tremor=amplitude, seed=3)
        result = corticomuscular_coherence(out["eeg"].isel(channel=[0]), out["emg"].isel(channel=[0]), highpass=20.0)
        k = np.argmin(np.abs(result.freqs - 5.0))
        return float(np.squeeze(result.coherence)[k]), float(result.significance)

    (none, level), (driven, _) = peak(0.0), peak(4e-6)
    assert none < level < driven


def test_coupling_is_deeper_off_than_on_and_under_dbs_weaker():
    def mi(**kwargs):
        lfp = simulate_parkinson(60.0, 1000.0, signals=("lfp",), seed=9, **kwargs)["lfp"].isel(channel=0)
        return float(modulation_index(lfp, phase_band=BAND, amplitude_band=(40.0, 110.0)))

    off, on, dbs = mi(medication="off"), mi(medication="on"), mi(medication="off", dbs=True)
    assert off > on and off > dbs
