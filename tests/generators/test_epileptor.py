# SPDX-License-Identifier: BSD-3-Clause
"""The Epileptor (Jirsa et al. 2014): integrator against scipy, bifurcation, seizure
waveforms (length, onset frequency, slowing), seeding and errors."""

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import solve_ivp
from scipy.signal import find_peaks, welch

from biosynth.generators import simulate_epileptor
from biosynth.generators.epileptiform import seizure_waveform
from biosynth.generators.epileptor import (
    _TIME_SCALE,
    EPILEPTOR_PARAMS,
    X0_CRITICAL,
    Z_ONSET,
    epileptor_seizure,
)

P = EPILEPTOR_PARAMS


def _rhs(_t, s, x0, r):
    """The deterministic Epileptor, written independently of the kernel."""
    x1, y1, z, x2, y2, g = s
    f1 = x1**3 - 3 * x1**2 if x1 < 0 else (x2 - 0.6 * (z - 4) ** 2) * x1
    f2 = 0.0 if x2 < -0.25 else 6 * (x2 + 0.25)
    return [
        y1 - f1 - z + P["Irest1"],
        P["y0"] - 5 * x1**2 - y1,
        r * (4 * (x1 - x0) - z),
        -y2 + x2 - x2**3 + P["Irest2"] + 2 * g - 0.3 * (z - 3.5),
        (-y2 + f2) / P["tau2"],
        -P["gamma"] * (g - 0.1 * x1),
    ]


def _fixed_point(x0):
    """Interictal fixed point (x1, z): resting branch z = y0 + Irest1 - 2 x1^2 - x1^3 meets z = 4 (x1 - x0)."""
    roots = np.roots([1.0, 2.0, 4.0, -4.0 * x0 - P["y0"] - P["Irest1"]])
    x1 = min(r.real for r in roots if abs(r.imag) < 1e-9)
    return x1, 4.0 * (x1 - x0)


def test_matches_scipy_reference():
    sfreq, duration = 1000.0, 3.0
    out = simulate_epileptor(duration, sfreq, noise=0.0, return_states=True, seed=0)
    t_units = np.arange(round(duration * sfreq)) / sfreq / _TIME_SCALE
    ref = solve_ivp(
        _rhs, (0.0, t_units[-1]), [0.0, -5.0, 3.0, 0.0, 0.0, 0.0], args=(-1.6, 0.00035),
        t_eval=t_units, method="DOP853", rtol=1e-10, atol=1e-10, max_step=0.05,
    )  # fmt: skip
    keep = slice(20, None)  # the anti-alias filter smooths the kink of the initial state (x1' = -4.9 at t = 0)
    error = np.abs(out.values[1:, keep] - ref.y[:, keep]).max(axis=1)
    assert error.max() < 0.02, error  # Heun, h <= 0.01 time units: phase error of the fast discharges
    np.testing.assert_allclose(out.values[0, keep], ref.y[3, keep] - ref.y[0, keep], atol=0.01)
    assert (ref.y[0] > 0).any()  # the window holds fast discharges, not just a resting state


def test_below_bifurcation_no_seizure_and_closed_form_fixed_point():
    x0 = -2.5
    assert x0 < X0_CRITICAL < -1.6
    out = simulate_epileptor(60.0, 50.0, x0=x0, r=0.003, seed=1, return_states=True)
    x1, z = out.sel(channel="x1").values, out.sel(channel="z").values
    late = out.time.values > 5.0
    assert x1[late].max() < -4.0 / 3.0  # stays on the resting branch, below the fold
    x1_star, z_star = _fixed_point(x0)
    assert z_star > Z_ONSET
    assert abs(z[-1] - z_star) < 1e-3 and abs(x1[-1] - x1_star) < 1e-3


def test_seizures_recur_at_x0_epileptogenic():
    out = simulate_epileptor(90.0, 100.0, seed=2, return_states=True)
    x1, t = out.sel(channel="x1").values, out.time.values
    above = t[x1 > 0]
    starts = np.r_[above[0], above[1:][np.diff(above) > 1.5]]  # separated by > 100 time units
    assert len(starts) >= 3
    periods = np.diff(starts)
    assert periods.min() > 20.0 and periods.max() < 40.0  # ~14.5 s seizures, as long between them


def _bounds(w, sfreq):
    """Onset and offset (s) of the active part of a waveform: 0.25 s moving mean of |w| above 15 % of its max."""
    k = round(0.25 * sfreq)
    env = np.convolve(np.abs(w), np.ones(k) / k, mode="same")
    active = np.flatnonzero(env > 0.15 * env.max())
    return active[0] / sfreq, active[-1] / sfreq


@pytest.mark.parametrize(("duration", "seed"), [(4.0, 0), (12.0, 1), (40.0, 2)])
def test_seizure_duration_matches_request(duration, seed):
    sfreq = 256.0
    w = epileptor_seizure(sfreq, duration, rng=seed)
    assert w.shape == (round(duration * sfreq),) and w.dtype == np.float64
    assert np.abs(w).max() == pytest.approx(1.0)
    onset, offset = _bounds(w, sfreq)
    assert onset < 0.6
    assert offset - onset == pytest.approx(duration - 0.35, rel=0.1)
    assert w[-1] == pytest.approx(0.0, abs=1e-3)  # faded out


def test_fast_onset_and_slowing():
    sfreq = 256.0
    w = epileptor_seizure(sfreq, 30.0, rng=3)
    f, p = welch(w[round(0.3 * sfreq) : round(2.3 * sfreq)], fs=sfreq, nperseg=round(sfreq))
    assert f[np.argmax(p * (f > 1.0))] > 10.0  # fast discharges at onset

    def discharge_rate(segment):
        peaks, _ = find_peaks(-segment, prominence=0.2, distance=round(0.04 * sfreq))
        return len(peaks) / (segment.size / sfreq)

    early = w[round(0.3 * sfreq) : round(5.3 * sfreq)]
    late = w[round(24.0 * sfreq) : round(29.0 * sfreq)]
    assert discharge_rate(late) < 0.5 * discharge_rate(early)


def test_seizure_waveform_dispatch_and_seed():
    a = seizure_waveform(200.0, 3.0, onset_pattern="epileptor", rng=5)
    np.testing.assert_array_equal(a, epileptor_seizure(200.0, 3.0, rng=5))
    assert not np.array_equal(a, epileptor_seizure(200.0, 3.0, rng=6))


def test_seed_reproducible_and_records_independent():
    kw = {"noise": (0.05, 0.01), "seed": 7}
    batch = simulate_epileptor(4.0, 100.0, n_records=4, **kw)
    again = simulate_epileptor(4.0, 100.0, n_records=4, **kw)
    np.testing.assert_array_equal(batch.values, again.values)
    part = simulate_epileptor(4.0, 100.0, n_records=2, first_record=1, **kw)
    np.testing.assert_array_equal(part.values, batch.values[1:3])
    assert not np.array_equal(batch.values[0], batch.values[1])
    assert batch.attrs["modality"] == "lfp" and batch.attrs["units"] == "a.u."
    assert list(batch.channel.values) == ["x2-x1"]


def test_events_are_the_recurring_seizures():
    out, events = simulate_epileptor(90.0, 100.0, seed=2, return_states=True, return_events=True)
    assert list(events.columns[:5]) == ["record", "channel", "onset", "duration", "type"]
    assert set(events["type"]) == {"seizure"} and set(events["channel"]) == {""} and set(events["record"]) == {0}
    assert len(events) >= 3
    assert (events["duration"] > 5.0).all() and (events["onset"] + events["duration"] <= 90.0 + 1e-9).all()
    x1, t = out.sel(channel="x1").values, out.time.values
    for onset, duration in zip(events["onset"], events["duration"], strict=True):
        inside = (t > onset + 1.0) & (t < onset + duration - 1.0)
        assert x1[inside].max() > 0.0  # discharges inside
        before = (t > onset - 2.0) & (t < onset - 0.1)
        assert x1[before].max() < -1.0  # resting just before the onset
    # the events do not change the signal
    np.testing.assert_array_equal(out.values, simulate_epileptor(90.0, 100.0, seed=2, return_states=True).values)
    lfp, lfp_events = simulate_epileptor(90.0, 100.0, seed=2, return_events=True)
    np.testing.assert_array_equal(lfp.values, out.values[:1])
    pd.testing.assert_frame_equal(lfp_events, events)


def test_events_of_a_record_independent_of_the_batch():
    kw = {"seed": 3, "return_events": True, "r": 0.002}
    batch, events = simulate_epileptor(20.0, 100.0, n_records=3, **kw)
    part, part_events = simulate_epileptor(20.0, 100.0, n_records=1, first_record=2, **kw)
    np.testing.assert_array_equal(part.values[0], batch.values[2])
    pd.testing.assert_frame_equal(part_events, events[events["record"] == 2].reset_index(drop=True))
    assert len(part_events) >= 1


def test_below_bifurcation_has_an_empty_events_table():
    _, events = simulate_epileptor(30.0, 50.0, x0=-2.5, r=0.003, seed=1, return_events=True)
    assert events.empty and list(events.columns[:5]) == ["record", "channel", "onset", "duration", "type"]


def test_torch_cpu_decimation_matches_cpu():
    pytest.importorskip("torch")
    kw = {"n_records": 2, "seed": 4, "return_states": True, "return_events": True}
    cpu, cpu_events = simulate_epileptor(5.0, 100.0, **kw)
    gpu_path, torch_events = simulate_epileptor(5.0, 100.0, device="torch:cpu", **kw)
    np.testing.assert_allclose(gpu_path.values, cpu.values, rtol=1e-10, atol=1e-12)
    pd.testing.assert_frame_equal(torch_events, cpu_events)
    assert gpu_path.attrs["provenance"] == cpu.attrs["provenance"]


def test_progress_bar_does_not_change_the_data():
    kw = {"n_records": 2, "seed": 5}
    np.testing.assert_array_equal(
        simulate_epileptor(1.0, 100.0, progress=True, **kw).values, simulate_epileptor(1.0, 100.0, **kw).values
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"device": 3}, TypeError, "device must be a str"),
        ({"return_events": "yes"}, TypeError, "return_events must be a bool"),
        ({"sfreq": 20.0}, ValueError, r"sfreq must lie in \[50, inf\] in Hz .*got 20"),
        ({"duration": -1.0}, ValueError, "duration must be a positive finite number in s, got -1"),
        ({"x0": 1.0}, ValueError, r"x0 must lie in \[-5, 0\], got 1"),
        ({"r": 0.0}, ValueError, r"r must lie in \(0, 0.1\]"),
        ({"noise": -0.1}, ValueError, r"noise must lie in \[0, inf\], got -0.1"),
        ({"noise": (0.1, 0.1, 0.1)}, ValueError, "noise must be a number or a pair"),
        ({"noise": "high"}, TypeError, "noise must be a real number"),
        ({"n_records": 0}, ValueError, "n_records must be an integer >= 1, got 0"),
        ({"time_scale": 5.0}, ValueError, r"time_scale must lie in \[0.0001, 1\] in s, got 5"),
        ({"return_states": "yes"}, TypeError, "return_states must be a bool"),
    ],
)
def test_errors(kwargs, error, match):
    args = {"duration": 1.0, "sfreq": 100.0} | kwargs
    with pytest.raises(error, match=match):
        simulate_epileptor(args.pop("duration"), args.pop("sfreq"), **args)


def test_seizure_errors():
    with pytest.raises(ValueError, match=r"duration must lie in \[2, 600\] in s, got 1"):
        epileptor_seizure(256.0, 1.0, rng=0)
    with pytest.raises(ValueError, match=r"sfreq must lie in \[100, 100000\] in Hz, got 50"):
        epileptor_seizure(50.0, 5.0, rng=0)
