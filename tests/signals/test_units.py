# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest

from biosynth.signals import convert_units, make_signals, normalize_units, unit_factor


@pytest.mark.parametrize(("alias", "canon"), [("µV", "uV"), ("microvolt", "uV"), ("MV", "mV"), ("v", "V")])
def test_aliases(alias, canon):
    assert normalize_units(alias) == canon


@pytest.mark.parametrize(
    ("src", "dst", "factor"), [("V", "uV", 1e6), ("mV", "V", 1e-3), ("uV", "mV", 1e-3), ("nV", "uV", 1e-3)]
)
def test_factors(src, dst, factor):
    assert unit_factor(src, dst) == pytest.approx(factor, rel=1e-15)


def test_convert_round_trip_keeps_labels(batch):
    micro = convert_units(batch, "µV")
    assert micro.attrs["units"] == "uV"
    np.testing.assert_allclose(micro.values, batch.values * 1e6, rtol=1e-15)
    back = convert_units(micro, "V")
    np.testing.assert_allclose(back.values, batch.values, rtol=1e-14)
    assert back["channel"].values.tolist() == batch["channel"].values.tolist()


def test_arbitrary_units_cannot_become_volts():
    x = make_signals(np.ones((1, 4)), 10.0, units="a.u.")
    with pytest.raises(ValueError, match="arbitrary units have no scale in volts"):
        convert_units(x, "V")


def test_unknown_unit_message():
    expected = "units must be one of V, mV, uV, nV, m/s\\^2, g, a.u. .amplitude unit., got 'kV'"
    with pytest.raises(ValueError, match=expected):
        normalize_units("kV")


def test_acceleration_units_convert_among_themselves_only():
    assert unit_factor("g", "m/s^2") == 9.80665
    assert unit_factor("m/s2", "g") == 1.0 / 9.80665
    with pytest.raises(ValueError, match="one is a voltage, the other an acceleration"):
        unit_factor("g", "uV")
