# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest

from biosynth._utils.check import (
    check_finite_array,
    check_int,
    check_number,
    check_option,
    check_positive,
    check_sfreq,
    check_type,
)


def test_sfreq_message_names_argument_value_and_unit():
    with pytest.raises(ValueError, match=r"^sfreq must be a positive finite number in Hz, got -250\.$"):
        check_sfreq("sfreq", -250)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_number(bad):
    with pytest.raises(ValueError, match="duration must be a finite number in s"):
        check_positive("duration", bad, unit="s")


@pytest.mark.parametrize("bad", ["10", None, True, [1.0]])
def test_number_type(bad):
    with pytest.raises(TypeError, match="alpha_freq must be a real number"):
        check_number("alpha_freq", bad)


def test_number_range_with_context():
    with pytest.raises(ValueError, match=r"alpha_freq must lie in \(0, 64\) in Hz \(Nyquist is 64 Hz\), got 80"):
        check_number(
            "alpha_freq",
            80,
            low=0,
            high=64,
            low_inclusive=False,
            high_inclusive=False,
            unit="Hz",
            context="Nyquist is 64 Hz",
        )
    assert check_number("alpha_freq", 10, low=0, high=64) == 10.0


def test_int_checks():
    assert check_int("n_records", np.int64(3), low=1) == 3
    with pytest.raises(TypeError, match="n_records must be an integer, got float 2.5"):
        check_int("n_records", 2.5)
    with pytest.raises(TypeError, match="n_records must be an integer, got bool"):
        check_int("n_records", True)
    with pytest.raises(ValueError, match="n_records must be an integer >= 1, got 0"):
        check_int("n_records", 0, low=1)
    with pytest.raises(ValueError, match="index must be an integer between 0 and 2, got 5"):
        check_int("index", 5, low=0, high=2)


def test_option_lists_allowed_values():
    with pytest.raises(ValueError, match="modality must be one of 'eeg', 'ecg'; got 'meg'"):
        check_option("modality", "meg", ("eeg", "ecg"))


def test_finite_array_counts_bad_samples():
    with pytest.raises(ValueError, match="x contains 2 non-finite value"):
        check_finite_array("x", np.array([1.0, np.nan, np.inf]))


def test_type_check():
    with pytest.raises(TypeError, match="name must be a str, got int 3"):
        check_type("name", 3, str, "a str")
