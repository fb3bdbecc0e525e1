# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest

from biosynth.datasets import load_sample
from biosynth.fidelity import compare
from biosynth.fidelity._metrics import split_sets
from biosynth.fidelity.features import extract_features
from biosynth.generators import match_recording, simulate_eeg
from biosynth.signals import convert_units, epochs, make_signals, resample


@pytest.fixture(scope="module")
def real():
    return load_sample("eeglab")


def _values(result):
    return {m.name: m.value for m in result.metrics}


def test_real_data_as_synthetic_scores_the_reference(real):
    result = compare(real, real, epoch_duration=4.0)
    for m in result.metrics:
        assert m.value == m.reference, m.name  # first half vs second half on both sides
        assert m.ratio == 1.0, m.name


@pytest.fixture(scope="module")
def repeated(real):
    """The real epochs twice over, so both halves hold the same records."""
    ep = epochs(real, 4.0)
    return make_signals(np.concatenate([ep.values, ep.values]), 128.0, ch_names=list(ep["channel"].values))


def test_identical_halves_score_zero(repeated):
    result = compare(repeated, repeated.copy())
    for m in result.metrics:
        assert m.value == m.reference, m.name
        assert m.ratio == 1.0, m.name  # 0 against a reference of 0 is as close as real is to real
        if m.section != "multivariate":
            assert m.value == 0.0, m.name
    values = _values(result)
    assert values["mmd2"] == 0.0 and values["pca_overlap"] == 1.0 and values["authenticity"] == 0.0  # copies


def test_doubled_amplitude_closed_form(repeated):
    doubled = repeated.copy(data=repeated.values * 2.0)
    result = compare(repeated, doubled)
    values = _values(result)
    assert values["log_spectral_distance"] == pytest.approx(10 * np.log10(4.0), rel=1e-9)  # PSD x 4
    assert values["wasserstein_relpow_alpha"] == pytest.approx(0.0, abs=1e-12)  # relative power unchanged
    assert values["wasserstein_kurtosis"] == pytest.approx(0.0, abs=1e-9)
    stds = repeated.values[: len(repeated) // 2].std(axis=-1).ravel()
    assert values["wasserstein_std"] == pytest.approx(np.mean(stds) / np.std(stds), rel=1e-9)  # W1(s, 2s) = mean s
    ratio = {m.name: m.ratio for m in result.metrics}
    assert ratio["log_spectral_distance"] == np.inf  # far, against a reference of 0


def test_every_metric_has_direction_and_reference(real):
    result = compare(real, simulate_eeg(4.0, n_records=20, seed=0, **match_recording(real)), epoch_duration=4.0)
    assert {m.section for m in result.metrics} == {
        "spectral",
        "statistical",
        "nonlinear",
        "multivariate",
        "plausibility",
    }
    for m in result.metrics:
        assert m.better in ("lower", "higher")
        assert np.isfinite(m.reference), m.name
    table = result.table()
    assert {"name", "value", "reference", "ratio", "better"} <= set(table.columns)


def test_matched_generator_beats_mismatched(real):
    like = match_recording(real)
    good = simulate_eeg(4.0, n_records=30, seed=0, **like)
    bad = simulate_eeg(4.0, n_records=30, seed=0, **(like | {"alpha_freq": 25.0, "amplitude": 5 * like["amplitude"]}))
    g, b = _values(compare(real, good, epoch_duration=4.0)), _values(compare(real, bad, epoch_duration=4.0))
    assert g["log_spectral_distance"] < b["log_spectral_distance"]
    assert g["wasserstein_std"] < b["wasserstein_std"]
    assert g["alpha_peak_frequency_gap"] < b["alpha_peak_frequency_gap"]


def test_units_do_not_change_the_result(real):
    synthetic = simulate_eeg(4.0, n_records=10, seed=1, **match_recording(real))
    a = _values(compare(real, synthetic, epoch_duration=4.0))
    b = _values(compare(real, convert_units(synthetic, "uV"), epoch_duration=4.0))
    for name in a:
        assert b[name] == pytest.approx(a[name], rel=1e-9, abs=1e-12), name


def test_channel_order_does_not_matter(real):
    synthetic = simulate_eeg(4.0, n_records=10, seed=1, **match_recording(real))
    shuffled = synthetic.isel(channel=np.random.default_rng(0).permutation(32))
    a, b = _values(compare(real, synthetic, epoch_duration=4.0)), _values(compare(real, shuffled, epoch_duration=4.0))
    assert a == pytest.approx(b, rel=1e-12)


def test_errors(real):
    synthetic = simulate_eeg(4.0, n_records=4, seed=0, **match_recording(real))
    with pytest.raises(ValueError, match=r"real and synthetic sampling rates differ \(128 Hz vs 256 Hz\); resample"):
        compare(real, resample(synthetic, 256.0), epoch_duration=4.0)
    other = make_signals(np.zeros((3, 2, 512)) + 1e-6, 128.0, ch_names=["A", "B"])
    with pytest.raises(ValueError, match="real and synthetic channels differ"):
        compare(real, other, epoch_duration=4.0)
    with pytest.raises(ValueError, match="real holds 1 record; at least 2 are needed"):
        compare(real, synthetic)
    with pytest.raises(ValueError, match=r"sections must be names from \['spectral', .*got \['coherence'\]"):
        compare(real, synthetic, epoch_duration=4.0, sections=["spectral", "coherence"])
    flat = synthetic.copy(data=synthetic.values.copy())
    flat.values[2, 5] = 1e-6
    with pytest.raises(
        ValueError, match=r"synthetic has flat \(constant\) signals: record '2/0' channel 'EEG 005'; drop"
    ):
        compare(real, flat, epoch_duration=4.0)


def test_privacy_flags_a_copying_generator(real):
    train, holdout = real.isel(time=slice(0, 3840)), real.isel(time=slice(3840, None))
    copies = train.copy(deep=True)
    fresh = simulate_eeg(2.0, n_records=15, seed=4, **match_recording(train))

    def privacy(synthetic):
        report = compare(train, synthetic, epoch_duration=2.0, holdout=holdout, sections=["privacy"])
        return {m.name: m for m in report.metrics}

    copied, drawn = privacy(copies), privacy(fresh)
    assert copied["memorised_copies_share"].value == 1.0 and copied["dcr_share_closer_to_train"].value == 1.0
    assert copied["mia_auc"].value > 0.9 and copied["mia_auc"].ratio > 1.8
    assert drawn["memorised_copies_share"].value == 0.0 and drawn["mia_auc"].value < 0.75
    assert {m.reference for m in copied.values() if m.name == "mia_auc"} == {0.5}  # the no-leak baseline


def test_training_is_holdout_the_other_way_round(real):
    """compare(held, synthetic, training=train) judges fidelity on the held-out records and
    computes privacy with train as members: the same privacy figures as holdout= the other
    way round (compare(train, synthetic, holdout=held))."""
    train, held = real.isel(time=slice(0, 3840)), real.isel(time=slice(3840, None))
    copies = train.copy(deep=True)
    forward = compare(train, copies, epoch_duration=2.0, holdout=held, sections=["privacy"])
    backward = compare(held, copies, epoch_duration=2.0, training=train, sections=["spectral", "privacy"])
    privacy = {m.name: m.value for m in backward.metrics if m.section == "privacy"}
    assert privacy == {m.name: m.value for m in forward.metrics}
    assert privacy["memorised_copies_share"] == 1.0  # the copies of the training part are caught
    assert backward.info["n_records_real"] == 15  # fidelity against the 30 s held out
    with pytest.raises(ValueError, match="not both"):
        compare(train, copies, epoch_duration=2.0, holdout=held, training=train)


def test_utility_uses_labels_per_record_or_epoch(real):
    synthetic = simulate_eeg(4.0, n_records=6, seed=2, **match_recording(real))
    labels_epochs = (np.arange(15) % 3 == 0, np.arange(6) % 2 == 0)
    report = compare(real, synthetic, epoch_duration=4.0, labels=labels_epochs, sections=["utility"])
    (metric,) = report.metrics
    assert metric.name == "tstr_balanced_accuracy" and 0.0 <= metric.value <= 1.0
    assert report.extras["utility"].tstr == metric.value
    with pytest.raises(ValueError, match=r"labels for synthetic must hold one label per record \(6\)"):
        compare(real, synthetic, epoch_duration=4.0, labels=(labels_epochs[0], [1, 0]), sections=["utility"])
    with pytest.raises(ValueError, match="'privacy', which needs holdout"):
        compare(real, synthetic, epoch_duration=4.0, sections=["privacy"])


def test_dask_backed_inputs_give_the_same_report(real):
    pytest.importorskip("dask")
    cut = epochs(real, 4.0)
    synthetic = simulate_eeg(4.0, n_records=8, seed=5, **match_recording(real))
    eager = compare(cut, synthetic, nonlinear=["katz_fd"])
    lazy = compare(cut.chunk({"record": 4}), synthetic.chunk({"record": 3}), nonlinear=["katz_fd"])
    assert [m.name for m in lazy.metrics] == [m.name for m in eager.metrics]
    for a, b in zip(lazy.metrics, eager.metrics, strict=True):
        assert a.value == pytest.approx(b.value, rel=1e-12, abs=1e-15, nan_ok=True), a.name
        assert a.reference == pytest.approx(b.reference, rel=1e-12, abs=1e-15, nan_ok=True), a.name


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"freq_range": 5}, r"freq_range must be a pair \(low, high\) in Hz, got 5"),
        ({"max_rows": 0}, "max_rows must be an integer >= 2, got 0"),
        ({"seed": "a"}, "seed must be an integer"),
        ({"labels": [1, 2, 3]}, r"labels must be a pair \(real_labels, synthetic_labels\)"),
        ({"epoch_duration": -1}, "epoch_duration must be a positive finite number in s, got -1"),
        ({"bands": {"alpha": (12, 8)}}, r"bands\['alpha'\] must be \(low, high\) with low < high"),
        ({"device": "gpu"}, "device must be"),
    ],
)
def test_bad_options_are_named_before_any_work(real, kwargs, match):
    args = {"epoch_duration": 4.0} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        compare(real, real, **args)


def test_short_synthetic_sets_compare_equal_sample_sizes(real):
    cut = epochs(real, 4.0)  # 15 epochs: halves of 7

    feats = extract_features(cut, nonlinear=None)
    sets = split_sets(feats, feats.isel(record=slice(0, 3)))
    assert sets.real_a.sizes["record"] == 7 and sets.real_b.sizes["record"] == 3 == sets.synthetic.sizes["record"]


def test_torch_device_gives_the_same_report(real):
    """device reaches the features (Welch, nonlinear), MMD and the classifier test:
    with "torch:cpu" every section's values are close to the CPU path's (the classifier
    AUC within the lbfgs tolerance of the CPU path, see classifier_two_sample_test)."""
    pytest.importorskip("torch")
    cut = epochs(real, 4.0)
    synthetic = simulate_eeg(4.0, n_records=8, seed=5, **match_recording(real))
    options = {"nonlinear": ["katz_fd", "permutation_entropy", "spectral_entropy"], "seed": 0}
    cpu = compare(cut, synthetic, **options)
    tor = compare(cut, synthetic, device="torch:cpu", **options)
    assert [m.name for m in tor.metrics] == [m.name for m in cpu.metrics]
    for a, b in zip(tor.metrics, cpu.metrics, strict=True):
        tol = 5e-3 if a.name == "classifier_discrimination" else 1e-6
        assert a.value == pytest.approx(b.value, rel=1e-6, abs=tol, nan_ok=True), a.name
        assert a.reference == pytest.approx(b.reference, rel=1e-6, abs=tol, nan_ok=True), a.name
