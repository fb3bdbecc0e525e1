# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest
import xarray as xr

from biosynth.signals import as_batch, epochs, get_record, make_signals, validate_signals


def test_dims_coords_attrs(batch):
    assert batch.dims == ("record", "channel", "time")
    assert batch["channel"].values.tolist() == ["Fz", "Cz", "Pz", "Oz"]
    np.testing.assert_allclose(batch["time"].values[:3], [0.0, 0.004, 0.008])
    assert batch.attrs["sfreq"] == 250.0
    assert batch.attrs["units"] == "V"
    assert batch.attrs["modality"] == "eeg"
    assert batch.attrs["provenance"] == {"test": "batch"}


def test_single_recording_has_no_record_dim():
    x = make_signals(np.zeros((2, 10)), 100.0)
    assert x.dims == ("channel", "time")
    assert x["channel"].values.tolist() == ["ch000", "ch001"]
    assert as_batch(x).dims == ("record", "channel", "time")


def test_integer_input_becomes_float_and_provenance_is_json():
    x = make_signals(np.ones((1, 5), dtype=np.int16), 10.0, provenance={"k": (1, 2), "n": np.int64(3)})
    assert x.dtype == np.float64
    assert x.attrs["provenance"] == {"k": [1, 2], "n": 3}


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"data": np.zeros(10)}, ValueError, r"data must have shape \(n_channels, n_times\)"),
        ({"data": np.array([[1.0, np.nan]])}, ValueError, "data contains 1 non-finite"),
        ({"sfreq": 0}, ValueError, "sfreq must be a positive finite number in Hz, got 0"),
        ({"ch_names": ["a"]}, ValueError, "ch_names has 1 names but data has 2 channels"),
        ({"ch_names": ["a", "a"]}, ValueError, r"ch_names must be unique, got duplicates \['a'\]"),
        ({"ch_names": "ab"}, TypeError, "ch_names must be a sequence of str"),
        ({"units": "volts!"}, ValueError, "units must be one of V, mV, uV, nV, m/s\\^2, g, a.u."),
        ({"modality": "meg"}, ValueError, "modality must be one of"),
        ({"provenance": {"when": object()}}, TypeError, "provenance values must be JSON-serialisable"),
        ({"data": np.ones((2, 10)) * 1j}, TypeError, "data must hold real numbers, got dtype complex128"),
        ({"data": np.array([["a", "b"]])}, TypeError, "data must hold real numbers, got dtype <U1"),
        ({"data": np.zeros((0, 10))}, ValueError, r"at least one record, channel and sample; got shape \(0, 10\)"),
        ({"data": np.zeros((2, 0))}, ValueError, r"at least one record, channel and sample; got shape \(2, 0\)"),
        ({"t0": np.nan}, ValueError, "t0 must be a finite number"),
    ],
)
def test_bad_input_errors(kwargs, err, match):
    args = {"data": np.zeros((2, 10)), "sfreq": 100.0} | kwargs
    with pytest.raises(err, match=match):
        make_signals(args.pop("data"), args.pop("sfreq"), **args)


def test_validate_rejects_foreign_arrays(batch):
    with pytest.raises(TypeError, match="signals must be an xarray.DataArray"):
        validate_signals(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="must have dims"):
        validate_signals(xr.DataArray(np.zeros((2, 3)), dims=("a", "b")))
    stripped = batch.copy()
    stripped.attrs = {}
    with pytest.raises(ValueError, match=r"lacks attrs \['sfreq', 'units', 'modality', 'provenance'\]"):
        validate_signals(stripped)


def test_get_record(batch):
    rec = get_record(batch, 2)
    assert rec.dims == ("channel", "time")
    np.testing.assert_array_equal(rec.values, batch.values[2])
    with pytest.raises(ValueError, match="index must be an integer between 0 and 2, got 3"):
        get_record(batch, 3)


def test_epochs_split_in_order(batch):
    ep = epochs(batch, 0.8)  # 200 samples: 2 epochs per 500-sample record, 100 dropped
    assert ep.sizes["record"] == 6
    assert ep.sizes["time"] == 200
    np.testing.assert_array_equal(ep.values[3], batch.values[1, :, 200:400])
    assert ep["record"].values.tolist()[:3] == ["0/0", "0/1", "1/0"]
    with pytest.raises(ValueError, match="duration=5 s is longer than the signals"):
        epochs(batch, 5.0)


def test_epochs_need_two_samples(batch):
    with pytest.raises(ValueError, match=r"duration=0.001 s is under 2 samples at 250 Hz"):
        epochs(batch, 0.001)


def test_crop_keeps_the_window_in_samples():
    from biosynth.signals import crop

    x = make_signals(np.arange(2000.0).reshape(2, 1000), 100.0)
    out = crop(x, 2.0, 5.0)
    assert out.sizes["time"] == 300 and out.values[0, 0] == 200.0 and out.values[0, -1] == 499.0
    assert out.attrs == x.attrs
    assert crop(x, 9.0).sizes["time"] == 100  # to the end


@pytest.mark.parametrize(
    ("tmin", "tmax", "message"),
    [(-1.0, 2.0, "tmin"), (2.0, 11.0, "tmax"), (5.0, 4.0, "tmax"), (3.0, 3.001, "at least one sample")],
)
def test_crop_errors_name_the_argument(tmin, tmax, message):
    from biosynth.signals import crop

    x = make_signals(np.zeros((2, 1000)), 100.0)
    with pytest.raises(ValueError, match=message):
        crop(x, tmin, tmax)
