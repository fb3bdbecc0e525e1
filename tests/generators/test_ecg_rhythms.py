# SPDX-License-Identifier: BSD-3-Clause
"""simulate_ecg beyond one-lead sinus rhythm: noise, 12 leads, atrial fibrillation."""

import warnings

import numpy as np
import pytest
from scipy.signal import welch

from biosynth.generators.ecg import simulate_ecg
from biosynth.generators.leads import STANDARD_LEADS

SFREQ = 250.0


def _onsets(events, kind, record=None):
    rows = events[events["type"] == kind]
    if record is not None:
        rows = rows[rows["record"] == record]
    return rows["onset"].to_numpy()


# --- noise -----------------------------------------------------------------------------


@pytest.mark.parametrize("leads", [("II",), ("I", "V1")])
def test_noise_at_the_requested_snr_per_lead(leads):
    clean = simulate_ecg(4.0, SFREQ, n_records=3, leads=leads, seed=1).values
    noisy = simulate_ecg(4.0, SFREQ, n_records=3, leads=leads, seed=1, snr_db=6.0)
    noise = noisy.values - clean
    snr = 10.0 * np.log10(np.mean(clean**2, axis=-1) / np.mean(noise**2, axis=-1))
    np.testing.assert_allclose(snr, 6.0, rtol=0, atol=1e-9)
    params = noisy.attrs["provenance"]["parameters"]
    assert params["snr_db"] == 6.0 and params["line_freq"] == 50.0
    assert params["noise_kinds"] == ["baseline", "powerline", "muscle", "motion"]
    assert simulate_ecg(4.0, SFREQ, seed=1).attrs["provenance"]["parameters"]["snr_db"] is None


@pytest.mark.parametrize("chunk_size", [1, None])
def test_noise_of_a_record_independent_of_batch_and_chunking(chunk_size):
    kwargs = {"snr_db": 10.0, "noise_kinds": ("muscle", "powerline"), "line_freq": 60.0, "seed": 4}
    big = simulate_ecg(4.0, SFREQ, n_records=4, **kwargs)
    small = simulate_ecg(4.0, SFREQ, n_records=2, chunk_size=chunk_size, **kwargs)
    np.testing.assert_array_equal(small.values, big.values[:2])
    alone = simulate_ecg(4.0, SFREQ, n_records=1, first_record=3, **kwargs)
    np.testing.assert_array_equal(alone.values[0], big.values[3])
    # different records, different noise; the clean ECG is that of the sinus-rhythm stream
    noise = big.values - simulate_ecg(4.0, SFREQ, n_records=4, seed=4).values
    assert not np.allclose(noise[0], noise[1])


def test_old_noise_snr_db_keyword_warns_and_gives_the_same_data():
    new = simulate_ecg(4.0, SFREQ, seed=5, snr_db=12.0)
    with pytest.warns(FutureWarning, match=r"noise_snr_db=\.\.\.\) was renamed to snr_db="):
        old = simulate_ecg(4.0, SFREQ, seed=5, noise_snr_db=12.0)
    np.testing.assert_array_equal(old.values, new.values)
    assert old.attrs["provenance"] == new.attrs["provenance"]


def test_powerline_noise_at_line_freq():
    clean = simulate_ecg(8.0, SFREQ, seed=2).values[0]
    noisy = simulate_ecg(8.0, SFREQ, seed=2, snr_db=0.0, noise_kinds=("powerline",), line_freq=60.0)
    freqs, psd = welch(noisy.values[0] - clean, SFREQ, nperseg=500)
    assert freqs[np.argmax(psd)] == pytest.approx(60.0, abs=0.5)


# --- 12 leads --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def twelve_leads():
    ecg, events = simulate_ecg(
        10.0, 500.0, n_records=2, heart_rate=70.0, leads=STANDARD_LEADS, seed=3, return_events=True
    )
    return ecg, events


def test_twelve_leads_obey_einthoven_and_goldberger(twelve_leads):
    ecg, _ = twelve_leads
    assert ecg["channel"].values.tolist() == list(STANDARD_LEADS)
    lead = {name: ecg.sel(channel=name).values for name in STANDARD_LEADS}
    np.testing.assert_allclose(lead["I"] + lead["III"], lead["II"], rtol=0, atol=1e-18)
    np.testing.assert_allclose(lead["aVR"] + lead["aVL"] + lead["aVF"], 0.0, rtol=0, atol=1e-18)


def test_lead_ii_and_events_same_in_every_lead_set(twelve_leads):
    ecg, events = twelve_leads
    single, single_events = simulate_ecg(10.0, 500.0, n_records=2, heart_rate=70.0, seed=3, return_events=True)
    np.testing.assert_allclose(ecg.sel(channel="II").values, single.values[:, 0], rtol=0, atol=1e-12 * 1e-3)
    assert events.equals(single_events)
    subset = simulate_ecg(10.0, 500.0, n_records=2, heart_rate=70.0, leads=("V6", "aVR"), seed=3)
    np.testing.assert_array_equal(subset.values, ecg.sel(channel=["V6", "aVR"]).values)


def test_twelve_lead_qrs_and_t_polarities(twelve_leads):
    ecg, events = twelve_leads
    sfreq = ecg.attrs["sfreq"]
    r = _onsets(events, "R", record=0)
    r = r[(r > 0.5) & (r < 9.0)]
    assert r.size >= 8

    def window(name, start, stop):
        x = ecg.sel(channel=name).values[0]
        return np.stack([x[int((t + start) * sfreq) : int((t + stop) * sfreq)] for t in r])

    def qrs(name):
        return window(name, -0.05, 0.05)

    assert (qrs("II").max(axis=1) > 0.8e-3).all()  # upright R (1 mV at the mean heart rate)
    assert (np.abs(qrs("aVR").min(axis=1)) > 3 * qrs("aVR").max(axis=1)).all()  # negative QRS in aVR
    assert (np.abs(qrs("V1").min(axis=1)) > 3 * qrs("V1").max(axis=1)).all()  # rS in V1
    assert (qrs("V6").max(axis=1) > 3 * np.abs(qrs("V6").min(axis=1))).all()  # qR in V6
    assert (qrs("I").max(axis=1) > 0.3e-3).all()
    # T wave (peak about 0.26 s after R at 70 bpm): upright in II and V5, inverted in aVR
    assert (window("II", 0.15, 0.35).max(axis=1) > 0.1e-3).all()
    assert (window("V5", 0.15, 0.35).max(axis=1) > 0.1e-3).all()
    assert (window("aVR", 0.15, 0.35).min(axis=1) < -0.05e-3).all()


def test_neurokit_on_lead_ii_of_twelve_leads():
    nk = pytest.importorskip("neurokit2")
    ecg = simulate_ecg(60.0, SFREQ, heart_rate=70.0, heart_rate_std=0.5, leads=STANDARD_LEADS, seed=70)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = nk.ecg_clean(ecg.sel(channel="II").values, sampling_rate=SFREQ)
        _, info = nk.ecg_peaks(cleaned, sampling_rate=SFREQ)
    detected = np.asarray(info["ECG_R_Peaks"]) / SFREQ
    assert 60.0 / np.mean(np.diff(detected)) == pytest.approx(70.0, abs=1.0)


def test_torch_cpu_path_matches_numba_for_leads_and_af():
    pytest.importorskip("torch")
    kwargs = {"n_records": 2, "heart_rate": 100.0, "leads": ("II", "V2"), "rhythm": "af", "seed": 0}
    numba_path = simulate_ecg(2.5, 200.0, **kwargs)
    torch_path = simulate_ecg(2.5, 200.0, device="torch:cpu", **kwargs)
    np.testing.assert_allclose(torch_path.values, numba_path.values, rtol=0, atol=1e-12 * 1e-3)


# --- atrial fibrillation ---------------------------------------------------------------


@pytest.fixture(scope="module")
def af_and_sinus():
    kwargs = {"n_records": 3, "heart_rate": 60.0, "baseline_wander": 0.0, "seed": 9, "return_events": True}
    return simulate_ecg(60.0, SFREQ, rhythm="af", **kwargs), simulate_ecg(60.0, SFREQ, **kwargs)


def test_af_has_no_p_waves(af_and_sinus):
    (af, events), (sinus, sinus_events) = af_and_sinus
    assert not events["type"].str.startswith("P").any()
    assert sinus_events["type"].str.startswith("P").any()
    assert af.attrs["provenance"]["parameters"]["rhythm"] == "af"

    def mean_pr_segment(ecg, ev):
        # average beat from 250 to 100 ms before R (the P wave at 60 bpm), f waves averaged out
        x = ecg.values[:, 0]
        rows = []
        for rec in range(3):
            r = _onsets(ev, "R", record=rec)
            r = r[(r > 1.0) & (r < 59.0)]
            rows += [x[rec, round(t * SFREQ) - 62 : round(t * SFREQ) - 25] for t in r]
        return np.mean(rows, axis=0)

    assert np.ptp(mean_pr_segment(sinus, sinus_events)) > 0.08e-3
    assert np.ptp(mean_pr_segment(af, events)) < 0.03e-3


def test_af_rr_irregular_with_requested_mean(af_and_sinus):
    (_, events), (_, sinus_events) = af_and_sinus

    def stats(ev):
        rr = [np.diff(_onsets(ev, "R", record=rec)) for rec in range(3)]
        cv = np.mean([r.std() / r.mean() for r in rr])
        rmssd = np.mean([np.sqrt(np.mean(np.diff(r) ** 2)) / r.mean() for r in rr])  # normalised RMSSD
        return np.concatenate(rr).mean(), cv, rmssd

    mean, cv, rmssd = stats(events)
    _, sinus_cv, sinus_rmssd = stats(sinus_events)
    assert 60.0 / mean == pytest.approx(60.0, abs=3.0)
    assert cv == pytest.approx(0.2, abs=0.03)
    assert cv > 5 * sinus_cv and rmssd > 10 * sinus_rmssd


def test_af_f_waves_in_the_tq_segments(af_and_sinus):
    (af, events), (sinus, sinus_events) = af_and_sinus

    def tq_band_power(ecg, ev):
        # T offset to the next P/QRS onset: the atrial activity alone
        x = ecg.values[:, 0]
        powers = []
        for rec in range(3):
            t_off = _onsets(ev, "T_offset", record=rec)
            q_on = _onsets(ev, "QRS_onset", record=rec)
            for start in t_off:
                later = q_on[q_on > start + 0.3]
                if later.size == 0:
                    continue
                segment = x[rec, int(start * SFREQ) : int((later[0] - 0.12) * SFREQ)]
                if segment.size >= 64:
                    freqs, psd = welch(segment - segment.mean(), SFREQ, nperseg=64, nfft=256)
                    powers.append(psd)
        psd = np.mean(powers, axis=0)
        band = (freqs >= 4.0) & (freqs <= 9.0)
        inside = (freqs > 0.5) & (freqs < 40.0)
        return freqs[inside][np.argmax(psd[inside])], np.trapezoid(psd[band], freqs[band])

    peak, power = tq_band_power(af, events)
    _, sinus_power = tq_band_power(sinus, sinus_events)
    assert 4.0 <= peak <= 9.0  # the f waves dominate the T-Q segments
    assert power > 100 * sinus_power
    # a 75 uV sawtooth: its fundamental has amplitude 2 / pi * 75 uV (Welch on short segments,
    # tapered, and the amplitude modulation take some of it)
    assert np.sqrt(power) == pytest.approx(2.0 / np.pi * 75e-6 / np.sqrt(2.0), rel=0.35)


def test_af_record_independent_of_batch():
    big = simulate_ecg(4.0, SFREQ, n_records=3, rhythm="af", seed=2)
    alone = simulate_ecg(4.0, SFREQ, n_records=1, first_record=2, rhythm="af", seed=2)
    np.testing.assert_array_equal(alone.values[0], big.values[2])


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"leads": ("II", "V7")}, ValueError, r"leads\[1\] must be one of"),
        ({"leads": "II"}, ValueError, "leads must be a non-empty sequence of lead names"),
        ({"leads": ("I", "I")}, ValueError, "leads must name each lead once"),
        ({"rhythm": "vf"}, ValueError, "rhythm must be one of"),
        ({"snr_db": float("nan")}, ValueError, "^snr_db must be a finite number"),
        ({"noise_kinds": ("hum",)}, ValueError, r"kinds\[0\] must be one of"),
        (
            {"line_freq": 200.0, "snr_db": 0.0},
            ValueError,
            r"line_freq must lie below Nyquist \(125 Hz\) for powerline noise, got 200 Hz",
        ),
        ({"line_freq": -50.0}, ValueError, "line_freq must be a positive finite number in Hz"),
    ],
)
def test_bad_new_parameters_name_themselves(kwargs, err, match):
    with pytest.raises(err, match=match) as info:
        simulate_ecg(4.0, SFREQ, **kwargs)
    assert "\n" not in str(info.value)


# --- premature ventricular contractions ------------------------------------------------


@pytest.fixture(scope="module")
def with_pvcs():
    kwargs = {"n_records": 4, "heart_rate": 60.0, "baseline_wander": 0.0, "seed": 21, "return_events": True}
    return simulate_ecg(120.0, SFREQ, pvc_rate=0.1, **kwargs), simulate_ecg(120.0, SFREQ, **kwargs)


def _beats(events):
    table = events.pivot_table(index=["record", "beat"], columns="type", values="onset")
    table["beat_type"] = events.groupby(["record", "beat"])["beat_type"].first()
    return table


def test_pvc_share_matches_the_rate(with_pvcs):
    (_, events), _ = with_pvcs
    r = events[events["type"] == "R"]
    n, share = len(r), float((r["beat_type"] == "V").mean())
    assert set(events["beat_type"]) == {"N", "V"}
    assert n > 400
    assert share == pytest.approx(0.1, abs=4.0 * np.sqrt(0.1 * 0.9 / n))


def test_pvc_wide_qrs_no_p_wave_and_discordant_t(with_pvcs):
    (ecg, events), _ = with_pvcs
    beats = _beats(events)
    pvc, normal = beats[beats["beat_type"] == "V"], beats[beats["beat_type"] == "N"]
    assert pvc["P"].isna().all() and normal["P"].dropna().size > 0.9 * len(normal)
    qrs = (pvc["QRS_offset"] - pvc["QRS_onset"]).dropna()
    assert qrs.size > 20 and (qrs > 0.120).all()
    assert ((normal["QRS_offset"] - normal["QRS_onset"]).dropna() < 0.110).all()
    # T wave of the opposite polarity to the QRS (lead II: upright R, inverted T)

    def at(rows, kind):
        rows = rows.dropna(subset=[kind])
        idx = np.rint(rows[kind].to_numpy() * SFREQ).astype(int)
        return ecg.values[rows.index.get_level_values("record").to_numpy(), 0, idx]

    assert (at(pvc, "R") > 0).all() and (at(pvc, "T") < -0.1e-3).all()
    assert (at(normal, "T") > 0.1e-3).all()


def test_pvc_coupling_interval_and_compensatory_pause(with_pvcs):
    (_, events), (_, sinus_events) = with_pvcs
    checked = 0
    for rec in range(4):
        r = events[(events["type"] == "R") & (events["record"] == rec)]
        sinus = _onsets(sinus_events, "R", record=rec)
        onsets, kinds = r["onset"].to_numpy(), r["beat_type"].to_numpy()
        # sinus beats keep their times (to the RK4 error of the phase, microseconds)
        normal = onsets[kinds == "N"]
        assert np.abs(sinus[np.searchsorted(sinus, normal - 1e-3)] - normal).max() < 1e-4
        for i in np.flatnonzero(kinds == "V"):
            if i == 0 or i == onsets.size - 1:
                continue
            j = np.searchsorted(sinus, onsets[i - 1] - 1e-3)  # the preceding sinus beat
            assert onsets[i + 1] == pytest.approx(sinus[j + 2], abs=1e-4)  # full compensatory pause
            # coupling interval: 0.6 of the sinus RR interval (the speed changes sit on the RK4
            # grid, 2 ms here, so the PVC's R peak moves by less than a step)
            assert (onsets[i] - onsets[i - 1]) / (sinus[j + 1] - sinus[j]) == pytest.approx(0.6, abs=0.004)
            checked += 1
    assert checked > 20


def test_pvc_bigeminy_at_rate_one_half():
    _, events = simulate_ecg(30.0, SFREQ, heart_rate=60.0, pvc_rate=0.5, seed=1, return_events=True)
    kinds = events[events["type"] == "R"]["beat_type"].to_numpy()
    inner = kinds[2:-1]
    assert (inner[1:] != inner[:-1]).all()  # N, V, N, V, ...


def test_neurokit_detects_beats_with_pvcs():
    nk = pytest.importorskip("neurokit2")
    ecg, events = simulate_ecg(60.0, SFREQ, heart_rate=70.0, pvc_rate=0.1, seed=5, return_events=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = nk.ecg_clean(ecg.values[0], sampling_rate=SFREQ)
        _, info = nk.ecg_peaks(cleaned, sampling_rate=SFREQ)
    detected = np.asarray(info["ECG_R_Peaks"]) / SFREQ
    truth = _onsets(events, "R")
    assert (events[events["type"] == "R"]["beat_type"] == "V").sum() >= 3
    truth, detected = truth[(truth > 0.5) & (truth < 59.5)], detected[(detected > 0.5) & (detected < 59.5)]
    hits = sum(np.min(np.abs(truth - t)) < 0.06 for t in detected)
    assert hits / truth.size >= 0.97 and hits / detected.size >= 0.97


def test_pvcs_in_twelve_leads_keep_the_lead_relations():
    ecg = simulate_ecg(20.0, SFREQ, heart_rate=60.0, pvc_rate=0.2, leads=STANDARD_LEADS, seed=2)
    lead = {name: ecg.sel(channel=name).values for name in STANDARD_LEADS}
    np.testing.assert_allclose(lead["I"] + lead["III"], lead["II"], rtol=0, atol=1e-18)
    single = simulate_ecg(20.0, SFREQ, heart_rate=60.0, pvc_rate=0.2, seed=2)
    np.testing.assert_allclose(lead["II"], single.values[0], rtol=0, atol=1e-12 * 1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pvc_rate": 0.6}, r"pvc_rate must lie in \[0, 0.5\]"),
        ({"pvc_rate": 0.1, "heart_rate": 150.0}, "heart_rate must be at most 120 bpm when pvc_rate > 0"),
        ({"pvc_rate": 0.1, "device": "torch:cpu"}, "pvc_rate > 0 is implemented on device='cpu' only"),
    ],
)
def test_bad_pvc_parameters_name_themselves(kwargs, match):
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match=match) as info:
        simulate_ecg(4.0, SFREQ, **kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("chunk_size", [1, None])
def test_pvc_record_independent_of_batch_and_chunking(chunk_size):
    kwargs = {"pvc_rate": 0.3, "rhythm": "af", "snr_db": 20.0, "seed": 8, "return_events": True}
    big, big_events = simulate_ecg(10.0, SFREQ, n_records=3, **kwargs)
    small, small_events = simulate_ecg(10.0, SFREQ, n_records=2, first_record=1, chunk_size=chunk_size, **kwargs)
    np.testing.assert_array_equal(small.values, big.values[1:])
    assert small_events.equals(big_events[big_events["record"] >= 1].reset_index(drop=True))
    assert (big_events["beat_type"] == "V").any() and not big_events["type"].str.startswith("P").any()


def test_pvc_records_do_not_depend_on_batching():
    """A batch pads short records with beats past their end; none of those may become a PVC
    that lands inside the record (seen at 45 bpm with pvc_rate=0.5 before the fix)."""
    kw = {"heart_rate": 45.0, "pvc_rate": 0.5, "seed": 3}
    batch, events = simulate_ecg(10.0, 250.0, n_records=6, return_events=True, **kw)
    chunked, chunked_events = simulate_ecg(10.0, 250.0, n_records=6, chunk_size=1, return_events=True, **kw)
    np.testing.assert_array_equal(chunked.values, batch.values)
    assert len(chunked_events) == len(events)
    alone = simulate_ecg(10.0, 250.0, n_records=1, first_record=4, **kw)
    np.testing.assert_array_equal(alone.values[0], batch.values[4])
