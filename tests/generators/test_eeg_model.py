# SPDX-License-Identifier: BSD-3-Clause
"""simulate_eeg's spectral model: aperiodic fit, rhythms, states, bursts, streaming, additions."""

import tracemalloc
import warnings

import numpy as np
import pytest
from scipy.signal import welch

from biosynth.generators import SLEEP_SPINDLES, Rhythm, rhythm_topography, simulate_eeg, write_eeg
from biosynth.generators.forward import montage_positions
from biosynth.signals import read

SFREQ = 256.0
CH = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7", "P3", "Pz", "P4", "P8"]
CH += ["O1", "Oz", "O2"]
SPHERE = {"ch_names": CH, "spatial": "sphere"}


def _fooof(freqs, psd, mode="fixed"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fooof = pytest.importorskip("fooof")
        fm = fooof.FOOOF(aperiodic_mode=mode, peak_width_limits=(1.0, 8.0), verbose=False)
        fm.fit(freqs, psd, (1.0, 40.0))
    return fm


@pytest.mark.parametrize(("exponent", "alpha_freq"), [(1.0, 9.0), (2.0, 11.0)])
def test_fooof_recovers_exponent_and_alpha_peak(exponent, alpha_freq):
    x = simulate_eeg(60.0, SFREQ, n_records=3, aperiodic_exponent=exponent, alpha_freq=alpha_freq, seed=1, **SPHERE)
    freqs, psd = welch(x.values[:, CH.index("Oz")], SFREQ, nperseg=1024)
    fm = _fooof(freqs, psd.mean(axis=0))
    assert abs(fm.aperiodic_params_[-1] - exponent) < 0.1
    peaks = fm.peak_params_
    alpha = peaks[np.argmin(abs(peaks[:, 0] - alpha_freq))]
    assert abs(alpha[0] - alpha_freq) < 0.5
    assert alpha[1] == pytest.approx(1.0, abs=0.15)  # the requested height (PW) at the strongest channel


def test_knee_and_offset_follow_the_closed_form():
    chi, knee, offset = 2.0, 40.0, -10.5
    kw = {"aperiodic_exponent": chi, "aperiodic_knee": knee, "aperiodic_offset": offset, "alpha_height": 0.0}
    x = simulate_eeg(60.0, SFREQ, n_records=4, ch_names=list("ABCDEF"), rhythms=(), seed=2, **kw)
    freqs, psd = welch(x.values, SFREQ, nperseg=1024)
    observed = np.median(psd.mean(axis=0), axis=0)
    for low in (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0):  # octave bands
        band = (freqs >= low) & (freqs < 2 * low)
        target = 10.0**offset / (knee + freqs[band] ** chi)
        assert np.mean(observed[band] / target) == pytest.approx(1.0, rel=0.1), low


def test_amplitude_is_the_median_channel_sd():
    x = simulate_eeg(20.0, SFREQ, n_records=20, amplitude=30e-6, seed=3, **SPHERE)
    # the expected SD of the median channel: root of the median over channels of the mean variance
    assert np.sqrt(np.median(x.values.var(axis=-1).mean(axis=0))) == pytest.approx(30e-6, rel=0.05)
    y = simulate_eeg(4.0, SFREQ, n_records=40, amplitude=30e-6, seed=3)  # short records, uniform model
    assert np.sqrt(np.median(y.values.var(axis=-1).mean(axis=0))) == pytest.approx(30e-6, rel=0.05)
    with pytest.raises(ValueError, match="give aperiodic_offset or amplitude, not both"):
        simulate_eeg(1.0, SFREQ, amplitude=1e-5, aperiodic_offset=-11.0)


def test_eyes_closed_alpha_exceeds_eyes_open_by_the_factor():
    kw = {"states": [("eyes_closed", 20.0), ("eyes_open", 20.0)], "alpha_reactivity": 3.0, "seed": 4, **SPHERE}
    x, events = simulate_eeg(160.0, SFREQ, n_records=2, return_events=True, **kw)
    no_alpha = simulate_eeg(160.0, SFREQ, n_records=2, alpha_height=0.0, **kw)
    alpha = (x - no_alpha).values[:, CH.index("Oz")]  # same draws: the difference is the alpha rhythm
    blocks = events[events["type"].str.startswith("eyes")]
    power = {"eyes_closed": [], "eyes_open": []}
    for _, ev in blocks.iterrows():
        lo, hi = int((ev.onset + 0.5) * SFREQ), int((ev.onset + ev.duration) * SFREQ)  # skip the transition
        power[ev.type].append(np.mean(alpha[int(ev.record), lo:hi] ** 2))
    assert len(power["eyes_closed"]) == len(power["eyes_open"]) == 8
    assert np.mean(power["eyes_closed"]) / np.mean(power["eyes_open"]) == pytest.approx(3.0, rel=0.15)


def test_beta_bursts_are_labelled_and_central():
    beta = Rhythm("beta", 20.0, 4.0, 1.5, "central", burst_duration=0.3, burst_rate=30.0)
    kw = {"rhythms": [beta], "alpha_height": 0.0, "seed": 5, **SPHERE}
    x, events = simulate_eeg(120.0, SFREQ, n_records=2, return_events=True, **kw)
    background = simulate_eeg(
        120.0, SFREQ, n_records=2, **(kw | {"rhythms": [beta.__class__(**{**vars(beta), "height": 0.0})]})
    )
    bursts = events[events["type"] == "beta_burst"]
    expected = 30.0 * 2 * 2  # per minute x minutes x records
    assert abs(len(bursts) - expected) < 4 * np.sqrt(expected)
    assert bursts["duration"].mean() == pytest.approx(0.3, rel=0.2)
    rhythm = (x - background).values
    power = np.mean(rhythm**2, axis=(0, 2))
    assert power[CH.index("Cz")] > 3 * power[CH.index("Oz")]
    inside = np.zeros(rhythm.shape[-1], bool)
    for _, ev in bursts[bursts["record"] == 0].iterrows():
        inside[int(ev.onset * SFREQ) : int((ev.onset + ev.duration) * SFREQ)] = True
    cz = rhythm[0, CH.index("Cz")]
    assert np.mean(cz[inside] ** 2) > 20 * np.mean(cz[~inside] ** 2)


def test_sleep_spindles():
    kw = {"alpha_height": 0.0, "seed": 6, **SPHERE}
    x, events = simulate_eeg(300.0, SFREQ, rhythms=[SLEEP_SPINDLES], return_events=True, **kw)
    spindles = events[events["type"] == "spindle"]
    assert abs(len(spindles) - 25) < 4 * 5
    assert 0.5 < spindles["duration"].median() < 2.0
    background = simulate_eeg(300.0, SFREQ, rhythms=[], **kw)
    freqs, psd = welch((x - background).values[CH.index("Cz")], SFREQ, nperseg=1024)
    band = (freqs > 8) & (freqs < 20)
    assert abs(freqs[band][np.argmax(psd[band])] - 13.0) < 1.0


def test_chunks_join_exactly_and_stream_to_files(tmp_path):
    kw = {"seed": 7, "states": "eyes_open", **SPHERE}
    kw |= {"artefacts": {"blink": {}, "pop": {"rate": 20.0}}, "epileptiform": {"spike": {"channels": ["T7"]}}}
    whole, events = simulate_eeg(30.0, SFREQ, n_records=1, return_events=True, **kw)
    for suffix in (".nc", ".edf"):
        path = tmp_path / f"eeg{suffix}"
        streamed_events = write_eeg(path, 30.0, SFREQ, chunk_duration=3.7, progress=False, **kw)
        back = read(path)
        # float32 filtering; EDF: 16-bit steps over +-(20 x the expected SD + 1 mV)
        atol = 1e-5 * float(whole.std()) if suffix == ".nc" else 1e-7
        np.testing.assert_allclose(back.values, whole.values[0], rtol=0, atol=atol)
        cols = ["channel", "onset", "duration", "type"]
        np.testing.assert_array_equal(streamed_events[cols].values, events[cols].values)
    with pytest.raises(FileExistsError):
        write_eeg(tmp_path / "eeg.nc", 30.0, SFREQ, progress=False, **kw)


def test_one_hour_of_64_channels_in_bounded_memory(tmp_path):
    names, _ = montage_positions(None)
    names = [c for c in names if not c.startswith(("M", "A", "T3", "T4", "T5", "T6"))][:64]
    tracemalloc.start()
    write_eeg(tmp_path / "hour.edf", 3600.0, SFREQ, ch_names=names, spatial="sphere", seed=0, progress=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    total = 64 * 3600 * SFREQ * 8  # bytes of the record as float64
    assert peak < total / 10
    back = read(tmp_path / "hour.edf")
    assert back.shape == (64, 3600 * 256)


def test_jansen_rit_sources():
    x = simulate_eeg(10.0, SFREQ, n_records=2, source_model="jansen_rit", n_sources=40, seed=8, **SPHERE)
    np.testing.assert_allclose(np.median(x.values.std(axis=-1), axis=-1), 20e-6, rtol=1e-9)
    freqs, psd = welch(x.values, SFREQ, nperseg=512)
    band = (freqs > 4) & (freqs < 20)
    peak = freqs[band][np.argmax(psd.mean(axis=(0, 1))[band])]
    assert 8.0 <= peak <= 13.0  # the Jansen-Rit alpha rhythm
    with pytest.raises(ValueError, match="needs spatial='sphere'"):
        simulate_eeg(1.0, SFREQ, source_model="jansen_rit")
    with pytest.raises(ValueError, match="not streamable|streams the spectral model only"):
        write_eeg("x.nc", 1.0, SFREQ, source_model="jansen_rit", **SPHERE)


def test_artefacts_and_epileptiform_are_added_with_events():
    kw = {"seed": 9, "states": "eyes_open", "reference": None, **SPHERE}  # no reference: the raw topography
    clean = simulate_eeg(60.0, SFREQ, **kw)
    x, events = simulate_eeg(60.0, SFREQ, artefacts={"blink": {"rate": 30.0}}, return_events=True, **kw)
    blinks = events[events["type"] == "blink"]
    assert len(blinks) > 10
    diff = (x - clean).values
    assert np.abs(diff[CH.index("Fp1")]).max() > 5 * np.abs(diff[CH.index("Oz")]).max()
    spikes, sev = simulate_eeg(
        60.0, SFREQ, epileptiform={"spike": {"channels": ["T7"], "rate": 20.0}}, return_events=True, **kw
    )
    sdiff = np.abs((spikes - clean).values).max(axis=-1)
    assert sdiff[CH.index("T7")] > sdiff[CH.index("C3")] > sdiff[CH.index("O2")]
    assert (sev[sev["type"] == "spike"]["channel"] == "T7").all()


def test_additions_follow_the_reference_and_the_record_end():
    art = {"blink": {"rate": 30.0}, "drift": {"rate": 30.0}, "pop": {"rate": 30.0}}
    kw = {"seed": 10, "states": "eyes_open", "artefacts": art, "epileptiform": {"spike": {"channels": ["T7"]}}}
    x, events = simulate_eeg(10.0, SFREQ, return_events=True, **kw, **SPHERE)
    assert np.abs(x.values.mean(axis=0)).max() < 1e-6 * float(x.std())  # average reference, additions included
    assert (events["onset"] + events["duration"] <= 10.0 + 1e-9).all()
    ch = ["Fz", "Cz", "T7", "O1", "M1", "M2"]
    lm = simulate_eeg(10.0, SFREQ, ch_names=ch, spatial="sphere", reference="linked_mastoids", **kw).values
    np.testing.assert_allclose(lm[4] + lm[5], 0.0, atol=1e-6 * float(lm.std()))


def test_seizure_spreads_to_recruited_channels_and_names_ignore_case():
    spec = {"seizure": {"channels": ["t7"], "onsets": [1.0], "duration": 5.0, "propagation": ["o2"], "delay": 1.0}}
    kw = {"ch_names": ["fz", "cz", "t7", "o2"], "rhythms": (), "alpha_height": 0.0, "seed": 0}
    x, events = simulate_eeg(10.0, SFREQ, epileptiform=spec, return_events=True, **kw)
    clean = simulate_eeg(10.0, SFREQ, **kw)
    added = (x.values - clean.values).std(axis=-1)  # clean keeps the names as given
    assert x["channel"].values.tolist() == ["Fz", "Cz", "T7", "O2"]
    assert added[3] > 0.5 * added[2]  # the recruited channel carries the seizure
    seizures = events[events["type"] == "seizure"].set_index("channel")
    assert seizures.loc["O2", "onset"] == pytest.approx(seizures.loc["T7", "onset"] + 1.0, abs=1 / SFREQ)


def test_rhythm_topography():
    rel = rhythm_topography(CH, "posterior")
    assert rel.max() == 1.0 and rel[CH.index("Oz")] > rel[CH.index("Fz")]
    with pytest.raises(ValueError, match="region 'central' reaches none of the channels"):
        rhythm_topography(["Fz", "Cz", "Pz", "Oz"], "central", n_sources=5)


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"states": "asleep"}, ValueError, "states must be one of"),
        ({"states": [("eyes_open", 0.5)]}, ValueError, r"states\[0\]\[1\] must lie in \[1, inf\] in s"),
        ({"rhythms": [{"name": "mu", "freq": 10.0}]}, TypeError, r"rhythms\[0\]"),
        ({"rhythms": [Rhythm("mu", 300.0, 2.0, 1.0)]}, ValueError, r"rhythms\[0\]\.freq must lie in"),
        ({"rhythms": [Rhythm("mu", 10.0, 2.0, 1.0, "frontal")]}, ValueError, r"rhythms\[0\]\.region must be one of"),
        ({"rhythms": [Rhythm("mu", 10.0, 2.0, 1.0, burst_rate=5.0)]}, ValueError, "burst_duration must be set"),
        ({"alpha_reactivity": 0.5}, ValueError, "alpha_reactivity must lie in"),
        ({"aperiodic_knee": -1.0}, ValueError, "aperiodic_knee must lie in"),
        ({"artefacts": {"blink": {}}}, ValueError, "happen with eyes open"),
        ({"source_model": "wilson_cowan"}, ValueError, "source_model must be one of"),
        ({"colour": "pink"}, TypeError, "unexpected keyword"),
        ({"rhythms": [Rhythm("mu", 10.0, 0.01, 1.0)]}, ValueError, r"rhythms\[0\]\.bandwidth must lie in"),
        ({"source_model": "jansen_rit", "spatial": "sphere", "aperiodic_offset": -11.0}, ValueError, "use amplitude"),
    ],
)
def test_bad_model_parameters_name_themselves(kwargs, err, match):
    with pytest.raises(err, match=match):
        simulate_eeg(2.0, SFREQ, seed=0, **({"ch_names": ["Fz", "Cz", "Pz", "Oz"]} | kwargs))


@pytest.mark.gpu
def test_gpu_matches_cpu_with_every_feature():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA not available")
    kw = {"seed": 11, "states": [("eyes_closed", 5.0), ("eyes_open", 5.0)], **SPHERE}
    kw |= {"artefacts": {"blink": None, "muscle": None}, "epileptiform": {"spike": {"channels": ["T7"]}}}
    cpu, cpu_events = simulate_eeg(20.0, SFREQ, n_records=2, return_events=True, **kw)
    gpu, gpu_events = simulate_eeg(20.0, SFREQ, n_records=2, return_events=True, device="cuda", **kw)
    np.testing.assert_allclose(gpu.values, cpu.values, rtol=0, atol=1e-5 * float(cpu.std()))
    assert gpu_events.equals(cpu_events)
