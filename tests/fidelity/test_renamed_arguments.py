# SPDX-License-Identifier: BSD-3-Clause
"""Keyword names renamed in biosynth 0.2 so that each name has one meaning across
biosynth.fidelity: the old spelling still works until 0.3, with a FutureWarning, and
gives the same result as the new one."""

import numpy as np
import pandas as pd
import pytest

from biosynth.fidelity import (
    FidelityReport,
    Metric,
    detect_spikes,
    detrended_fluctuation,
    dfa_fluctuation,
    lempel_ziv_complexity,
    match_events,
    score_events,
)
from biosynth.signals import make_signals
from biosynth.signals.events import make_events


def _same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, tuple):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    else:
        np.testing.assert_array_equal(a, b)


X = np.random.default_rng(0).normal(size=(2, 600))
TRUTH = make_events([1.0, 2.0], 0.0, "spike", channel="LA1")
FOUND = make_events([1.08, 2.01], 0.0, "spike", channel="LA1")
SPIKY = make_signals(np.random.default_rng(1).normal(0.0, 5.0, (1, 4000)), 1000.0, units="uV", modality="ecog")
REPORT = FidelityReport(
    metrics=[Metric("a", "spectral", 1.2, 1.0, "lower", "", ""), Metric("b", "spectral", 3.0, 1.0, "lower", "", "")],
    info={},
    features={},
    examples={},
)

CASES = [
    # (function, positional arguments, old name, new name, value)
    (detect_spikes, (SPIKY,), "threshold", "threshold_sd", 3.0),
    (lempel_ziv_complexity, (X,), "threshold", "binarize", "mean"),
    (match_events, (TRUTH, FOUND), "tolerance", "match_window", 0.1),
    (score_events, (TRUTH, FOUND), "tolerance", "match_window", 0.1),
    (dfa_fluctuation, (X,), "order", "detrend_order", 2),
    (detrended_fluctuation, (X,), "order", "detrend_order", 2),
    (REPORT.summary, (), "threshold", "max_ratio", 2.0),
]


@pytest.mark.parametrize(("func", "args", "old", "new", "value"), CASES, ids=[c[0].__qualname__ for c in CASES])
def test_old_keyword_warns_and_agrees(func, args, old, new, value):
    expected = func(*args, **{new: value})
    with pytest.warns(FutureWarning, match=rf"\({old}=\.\.\.\) was renamed to {new}= in biosynth 0\.2"):
        got = func(*args, **{old: value})
    _same(got, expected)


def test_new_names_change_the_result():
    """The renamed arguments are really passed on (not dropped by the shim)."""
    assert len(match_events(TRUTH, FOUND, match_window=0.1)) == 2
    assert len(match_events(TRUTH, FOUND, match_window=0.05)) == 1
    assert REPORT.summary(max_ratio=2.0).loc["spectral", "close"] == 1
    assert REPORT.summary(max_ratio=3.0).loc["spectral", "close"] == 2


def test_a_method_is_named_with_its_class():
    with pytest.warns(FutureWarning, match=r"^FidelityReport\.summary\(threshold=\.\.\.\) was renamed to max_ratio="):
        REPORT.summary(threshold=2.0)


def test_both_spellings_is_an_error():
    with pytest.raises(TypeError, match="got both tolerance= .* and match_window="):
        match_events(TRUTH, FOUND, tolerance=0.1, match_window=0.1)
