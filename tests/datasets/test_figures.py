# SPDX-License-Identifier: BSD-3-Clause
"""Published figures shipped as package data, and the numbers the suites read from them."""

from __future__ import annotations

import pytest

from biosynth.datasets import PUBLISHED, figure_numbers, published_entry, published_figures


def test_parkinson_figures_load_as_fresh_copies():
    assert PUBLISHED == ("parkinson",)
    figures = published_figures("parkinson")
    assert {"beta_bursts_stn", "dbs", "not_found"} <= set(figures)
    figures["beta_bursts_stn"].clear()
    assert published_figures("parkinson")["beta_bursts_stn"]  # the caller's copy only
    with pytest.raises(ValueError, match="name must be one of 'parkinson'; got 'ecg'"):
        published_figures("ecg")


def test_entries_and_numbers():
    figures = published_figures("parkinson")
    bursts = published_entry(figures, "time spent in beta bursts")
    assert figure_numbers(bursts["value"]["OFF"], divisor=100) == (0.270, 0.005)
    assert figure_numbers(bursts["value"]["ON"], divisor=100) == (0.161, 0.017)  # decimal-exact
    dbs = published_entry(figures, "beta peak suppression by STN DBS")
    assert figure_numbers(dbs["value"]["median_peak_power_at_3V"], divisor=100) == (0.54,)
    assert figure_numbers("4-6") == (4.0, 6.0)  # a range, not 4 and -6
    assert figure_numbers("15-25 ms, M1 leading", divisor=1000) == (0.015, 0.025)  # M1 is a name
    assert figure_numbers("-3.5 to +2") == (-3.5, 2.0)
    with pytest.raises(KeyError, match="matches 0 published entries"):
        published_entry(figures, "no such quantity")
    with pytest.raises(KeyError, match=r"matches [2-9]\d* published entries"):
        published_entry(figures, "burst")


def test_the_suite_reads_the_same_figures():
    from biosynth.bench.parkinson import published_time_in_bursts, reference_note

    # the figures the suite hard-coded before they came from the JSON
    assert published_time_in_bursts() == {"off": 0.270, "on": 0.161}
    assert reference_note() == "time in bursts OFF/ON against Tinkhauser et al. 2017 (27.0 % / 16.1 %), see by_state"
