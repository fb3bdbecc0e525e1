# SPDX-License-Identifier: BSD-3-Clause
"""Fidelity: features of signals, real-versus-synthetic comparison and the report."""

from biosynth.fidelity.compare import SCHEMA, SECTIONS, FidelityReport, Metric, compare
from biosynth.fidelity.distances import (
    correlation_distance,
    effect_size,
    ks_statistic,
    log_spectral_distance,
    quantile_wasserstein,
    scaled_wasserstein,
)
from biosynth.fidelity.entropy import (
    approximate_entropy,
    lempel_ziv_complexity,
    multiscale_entropy,
    multiscale_entropy_curve,
    permutation_entropy,
    sample_entropy,
    spectral_entropy,
    svd_entropy,
)
from biosynth.fidelity.features import extract_features, feature_names, record_embedding
from biosynth.fidelity.fractal import (
    detrended_fluctuation,
    dfa_fluctuation,
    higuchi_fd,
    hurst_exponent,
    katz_fd,
    petrosian_fd,
)
from biosynth.fidelity.multivariate import (
    AlphaPrecisionResult,
    C2STResult,
    MMDResult,
    PCAOverlapResult,
    PRDCResult,
    alpha_precision_beta_recall,
    classifier_two_sample_test,
    mmd,
    pca_overlap,
    precision_recall_density_coverage,
)
from biosynth.fidelity.nonlinear import MEASURES, nonlinear_features
from biosynth.fidelity.plausibility import DEFAULT_RULES as PLAUSIBILITY_RULES
from biosynth.fidelity.plausibility import PlausibilityRules, check_plausibility
from biosynth.fidelity.privacy import (
    DistanceToClosestRecord,
    MembershipInference,
    MemorisedCopies,
    NearestNeighbourDistanceRatio,
    distance_to_closest_record,
    membership_inference,
    memorised_copies,
    nearest_neighbour_distance_ratio,
)
from biosynth.fidelity.report import render_html, write_report
from biosynth.fidelity.spectral import EEG_BANDS, band_power, peak_frequency, welch_psd
from biosynth.fidelity.statistical import amplitude_quantiles, autocorrelation, moments
from biosynth.fidelity.timedomain import hjorth_complexity, hjorth_mobility, line_length, zero_crossings
from biosynth.fidelity.utility import UtilityResult, train_synthetic_test_real

__all__ = [
    "EEG_BANDS",
    "MEASURES",
    "PLAUSIBILITY_RULES",
    "SCHEMA",
    "SECTIONS",
    "AlphaPrecisionResult",
    "C2STResult",
    "DistanceToClosestRecord",
    "FidelityReport",
    "MMDResult",
    "MembershipInference",
    "MemorisedCopies",
    "Metric",
    "NearestNeighbourDistanceRatio",
    "PCAOverlapResult",
    "PRDCResult",
    "PlausibilityRules",
    "UtilityResult",
    "alpha_precision_beta_recall",
    "amplitude_quantiles",
    "approximate_entropy",
    "autocorrelation",
    "band_power",
    "check_plausibility",
    "classifier_two_sample_test",
    "compare",
    "correlation_distance",
    "detrended_fluctuation",
    "dfa_fluctuation",
    "distance_to_closest_record",
    "effect_size",
    "extract_features",
    "feature_names",
    "higuchi_fd",
    "hjorth_complexity",
    "hjorth_mobility",
    "hurst_exponent",
    "katz_fd",
    "ks_statistic",
    "lempel_ziv_complexity",
    "line_length",
    "log_spectral_distance",
    "membership_inference",
    "memorised_copies",
    "mmd",
    "moments",
    "multiscale_entropy",
    "multiscale_entropy_curve",
    "nearest_neighbour_distance_ratio",
    "nonlinear_features",
    "pca_overlap",
    "peak_frequency",
    "permutation_entropy",
    "petrosian_fd",
    "precision_recall_density_coverage",
    "quantile_wasserstein",
    "record_embedding",
    "render_html",
    "sample_entropy",
    "scaled_wasserstein",
    "spectral_entropy",
    "svd_entropy",
    "train_synthetic_test_real",
    "welch_psd",
    "write_report",
    "zero_crossings",
]
