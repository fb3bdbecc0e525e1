# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest
from scipy.signal import welch

from biosynth.generators._neural_mass_core import anti_alias, jansen_rit
from biosynth.generators.neural_mass import JANSEN_RIT_PARAMS, simulate_jansen_rit

SFREQ = 250.0


def test_shape_and_units_scale():
    y = simulate_jansen_rit(2.0, SFREQ, n_records=2, n_sources=3, seed=0)
    assert y.shape == (2, 3, 500) and y.dtype == np.float64
    assert np.isfinite(y).all()
    # pyramidal membrane potential in mV: a few mV around the operating point
    assert 2.0 < y.mean() < 12.0
    assert simulate_jansen_rit(2.0, SFREQ, seed=0).shape == (1, 500)  # n_records=None: no record dim


def test_returns_the_container_with_units_and_provenance():
    y = simulate_jansen_rit(2.0, SFREQ, n_records=2, n_sources=3, first_record=5, seed=0, burn_in=0.5)
    assert y.dims == ("record", "channel", "time")
    assert y.attrs["units"] == "mV" and y.attrs["modality"] == "lfp" and y.attrs["sfreq"] == SFREQ
    assert y["channel"].values.tolist() == ["src000", "src001", "src002"]
    assert y["record"].values.tolist() == [5, 6]
    np.testing.assert_allclose(y["time"].values, np.arange(500) / SFREQ)
    provenance = y.attrs["provenance"]
    assert provenance["generator"] == "biosynth.generators.simulate_jansen_rit"
    assert provenance["seed"] == {"entropy": "0", "spawn_key": []}
    parameters = provenance["parameters"]
    assert parameters["n_sources"] == 3 and parameters["first_record"] == 5 and parameters["burn_in"] == 0.5
    assert parameters["params"]["C2"] == 108.0 and "device" not in parameters
    single = simulate_jansen_rit(2.0, SFREQ, n_sources=3, first_record=6, seed=0, burn_in=0.5)
    assert single.dims == ("channel", "time")
    np.testing.assert_array_equal(single.values, y.values[1])


def test_array_core_gives_the_same_samples():
    """The private array form (used by the EEG generator's Jansen-Rit sources) matches the container."""
    kwargs = {"n_records": 2, "n_sources": 2, "coupling": 3.0, "seed": 9, "burn_in": 0.3}
    run = jansen_rit(1.0, 100.0, **kwargs)
    assert run.data.shape == (2, 2, 100)
    np.testing.assert_array_equal(run.data, simulate_jansen_rit(1.0, 100.0, **kwargs).values)
    assert run.parameters["coupling"] == 3.0 and run.root.entropy == 9


def test_standard_parameters_give_an_alpha_peak():
    """Jansen & Rit (1995): noise around 220 pulses/s gives a rhythm in the alpha band."""
    y = simulate_jansen_rit(20.0, SFREQ, n_records=3, seed=1)
    freqs, psd = welch(y.values, fs=SFREQ, nperseg=int(4 * SFREQ), axis=-1)
    peaks = freqs[psd.argmax(axis=-1)]
    assert ((peaks >= 8.0) & (peaks <= 12.0)).all(), peaks


def test_low_input_settles_high_input_oscillates():
    """Below the Hopf bifurcation (about 90 pulses/s) the column sits at a fixed point."""
    low = simulate_jansen_rit(5.0, SFREQ, n_records=2, input_mean=60.0, seed=2)
    high = simulate_jansen_rit(5.0, SFREQ, n_records=2, input_mean=220.0, seed=2)
    assert (low.std(axis=-1) < 0.25).all(), low.std(axis=-1)
    assert (high.std(axis=-1) > 0.5).all(), high.std(axis=-1)
    quiet = simulate_jansen_rit(2.0, SFREQ, input_mean=60.0, input_std=0.0, seed=2)
    assert quiet.std() < 1e-9  # without noise: exactly the fixed point after the burn-in


def test_same_seed_same_output_and_record_independent_of_batch():
    kwargs = {"n_sources": 2, "coupling": 10.0, "seed": 7, "burn_in": 0.5}
    big = simulate_jansen_rit(2.0, 100.0, n_records=4, **kwargs)
    np.testing.assert_array_equal(big, simulate_jansen_rit(2.0, 100.0, n_records=4, **kwargs))
    assert not np.array_equal(big, simulate_jansen_rit(2.0, 100.0, n_records=4, **{**kwargs, "seed": 8}))
    for i in range(4):
        alone = simulate_jansen_rit(2.0, 100.0, n_records=1, first_record=i, **kwargs)
        np.testing.assert_array_equal(alone[0], big[i])


def test_uncoupled_sources_are_independent_columns():
    """coupling=0 runs each source as its own row; coupling > 0 changes the output."""
    free = simulate_jansen_rit(2.0, 100.0, n_records=2, n_sources=3, seed=3, burn_in=0.5)
    coupled = simulate_jansen_rit(2.0, 100.0, n_records=2, n_sources=3, coupling=20.0, seed=3, burn_in=0.5)
    assert not np.allclose(free, coupled)
    # a tiny coupling goes through the coupled kernel and must be near the uncoupled result
    near = simulate_jansen_rit(2.0, 100.0, n_records=2, n_sources=3, coupling=1e-9, seed=3, burn_in=0.5)
    np.testing.assert_allclose(near, free, rtol=0, atol=1e-6)


def test_params_override_and_connectivity_follows_c():
    base = simulate_jansen_rit(2.0, 100.0, seed=4, burn_in=0.5)
    explicit = {"C1": 135.0, "C2": 108.0, "C3": 33.75, "C4": 33.75, **JANSEN_RIT_PARAMS}
    np.testing.assert_array_equal(base, simulate_jansen_rit(2.0, 100.0, seed=4, burn_in=0.5, params=explicit))
    assert not np.allclose(base, simulate_jansen_rit(2.0, 100.0, seed=4, burn_in=0.5, params={"C": 68.0}))


def test_anti_alias_filter_has_unit_dc_gain_and_stops_above_nyquist():
    taps = anti_alias(4)
    assert taps.size == 81 and taps.sum() == pytest.approx(1.0)
    response = np.abs(np.fft.rfft(taps, 4096))
    freqs = np.fft.rfftfreq(4096) * 4  # in units of the output rate
    assert response[freqs <= 0.25].min() > 0.99  # passband up to 0.25 sfreq
    assert response[freqs >= 0.5].max() < 10 ** (-50 / 20)  # >= 50 dB down from Nyquist


def test_torch_cpu_path_matches_numba():
    pytest.importorskip("torch")
    kwargs = {"n_records": 2, "n_sources": 2, "coupling": 5.0, "seed": 5, "burn_in": 0.2}
    numba_path = simulate_jansen_rit(1.0, 100.0, **kwargs)
    torch_path = simulate_jansen_rit(1.0, 100.0, device="torch:cpu", **kwargs)
    np.testing.assert_allclose(torch_path, numba_path, rtol=1e-9, atol=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"duration": -1.0}, r"^duration must be a positive finite number in s, got -1\.$"),
        ({"sfreq": 10.0}, r"^sfreq must lie in \[25, inf\] in Hz .*got 10\.$"),
        ({"params": {"A": 3.25, "tau": 1.0}}, r"^params has unknown names \['tau'\]"),
        ({"params": {"a": -100.0}}, r"^params\['a'\] must be a positive finite number, got -100\.$"),
        ({"input_std": -1.0}, r"^input_std must lie in \[0, inf\] in pulses/s, got -1\.$"),
        ({"n_sources": 0}, r"^n_sources must be an integer >= 1, got 0\.$"),
        ({"burn_in": -0.5}, r"^burn_in must lie in \[0, inf\] in s, got -0\.5\.$"),
        ({"duration": 0.001}, r"^duration must hold at least one sample"),
    ],
)
def test_bad_input_gives_one_line_value_errors(kwargs, match):
    args = {"duration": 1.0, "sfreq": 100.0, **kwargs}
    with pytest.raises(ValueError, match=match) as info:
        simulate_jansen_rit(args.pop("duration"), args.pop("sfreq"), seed=0, **args)
    assert "\n" not in str(info.value)


def test_progress_bar_and_events_follow_the_contract():
    kwargs = {"n_records": 3, "n_sources": 2, "coupling": 2.0, "seed": 6, "burn_in": 0.2}
    plain = simulate_jansen_rit(1.0, 100.0, **kwargs)
    shown, events = simulate_jansen_rit(1.0, 100.0, progress=True, return_events=True, **kwargs)
    np.testing.assert_array_equal(shown.values, plain.values)
    assert events.empty and list(events.columns[:5]) == ["record", "channel", "onset", "duration", "type"]
