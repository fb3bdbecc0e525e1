# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest
import xarray as xr

from biosynth.fidelity._xarray import labelled
from biosynth.signals import make_signals


@labelled
def mean_square(x, sfreq=None, *, axis=-1):
    """Test measure: mean of x**2 times sfreq (so the sfreq plumbing is visible)."""
    return np.mean(np.asarray(x) ** 2, axis=axis) * (1.0 if sfreq is None else sfreq)


def test_arrays_pass_through(rng):
    x = rng.normal(size=(3, 100))
    np.testing.assert_array_equal(mean_square(x), np.mean(x**2, axis=-1))


def test_dataarray_keeps_labels_and_takes_sfreq(batch):
    out = mean_square(batch, sfreq=None)
    assert out.dims == ("record", "channel")
    assert out["channel"].values.tolist() == ["Fz", "Cz", "Pz", "Oz"]
    assert out.name == "mean_square" and out.attrs == {"measure": "mean_square"}
    np.testing.assert_allclose(out.values, np.mean(batch.values**2, axis=-1) * 250.0, rtol=1e-12)


def test_dask_backed_input_gives_same_result(batch):
    pytest.importorskip("dask")
    lazy = batch.chunk({"record": 1})
    out = mean_square(lazy)
    assert out.chunks is not None
    np.testing.assert_allclose(out.compute().values, mean_square(batch).values, rtol=1e-12)


def test_dataarray_without_time_dim_is_an_error():
    with pytest.raises(ValueError, match="x must have a 'time' dim to measure over"):
        mean_square(xr.DataArray(np.zeros((2, 3)), dims=("a", "b")))


def test_single_recording(rng):
    rec = make_signals(rng.normal(size=(2, 50)), 100.0)
    assert mean_square(rec).dims == ("channel",)


@pytest.mark.parametrize("call", ["absent", "positional", "keyword"])
def test_sfreq_comes_from_attrs_however_it_is_left_out(batch, call):
    out = {"absent": lambda: mean_square(batch), "positional": lambda: mean_square(batch, None)}.get(
        call, lambda: mean_square(batch, sfreq=None)
    )()
    np.testing.assert_allclose(out.values, np.mean(batch.values**2, axis=-1) * 250.0, rtol=1e-12)


def test_explicit_sfreq_wins_over_attrs(batch):
    np.testing.assert_allclose(mean_square(batch, 2.0).values, np.mean(batch.values**2, axis=-1) * 2.0, rtol=1e-12)
