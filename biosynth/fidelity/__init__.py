# SPDX-License-Identifier: BSD-3-Clause
"""Fidelity: features of signals, real-versus-synthetic comparison and the report."""

from biosynth.fidelity.compare import FidelityResult, Metric, compare
from biosynth.fidelity.report import render_html, write_report
from biosynth.fidelity.spectral import EEG_BANDS, band_power, peak_frequency, welch_psd
from biosynth.fidelity.statistical import moments

__all__ = [
    "EEG_BANDS",
    "FidelityResult",
    "Metric",
    "band_power",
    "compare",
    "moments",
    "peak_frequency",
    "render_html",
    "welch_psd",
    "write_report",
]
