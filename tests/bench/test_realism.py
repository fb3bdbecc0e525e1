# SPDX-License-Identifier: BSD-3-Clause
"""The realism benchmark (biosynth.bench.realism and realism_suite): split rule, targets, candidates,
end to end, the CLI and the real recordings."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from biosynth.bench.realism import (
    CANDIDATES,
    COLUMNS,
    HELD_OUT,
    MIN_EPOCHS,
    SECTIONS,
    Candidate,
    Targets,
    Unavailable,
    allowed_copies,
    check_targets,
    default_epoch,
    interleave,
    median_table,
    privacy_folds,
    realism_table,
    relabelled_copies,
    split_recording,
)
from biosynth.bench.realism_suite import RECORDINGS, load_recording
from biosynth.fidelity.privacy import memorised_copies
from biosynth.generators import simulate_parkinson
from biosynth.signals import RECORD, TIME, epochs, make_signals
from tests.cli._helpers import run
from tests.conftest import REAL_DIR

FAST = ("spectral", "statistical", "multivariate")


def var_process(seconds: float = 60.0, sfreq: float = 128.0, seed: int = 0):
    """A stationary 4-channel VAR(2) process with cross-channel coupling, in volts."""
    rng = np.random.default_rng(seed)
    burn = 200
    n = round(seconds * sfreq) + burn
    a1 = np.array([[1.2, 0.1, 0, 0], [0, 1.1, 0.2, 0], [0, 0, 1.3, 0.1], [0.1, 0, 0, 1.0]])
    a2 = -np.diag([0.5, 0.4, 0.6, 0.3])
    x, e = np.zeros((4, n)), rng.normal(size=(4, n))
    for t in range(2, n):
        x[:, t] = a1 @ x[:, t - 1] + a2 @ x[:, t - 2] + e[:, t]
    return make_signals(x[:, burn:] * 1e-5, sfreq, ch_names=["Fz", "Cz", "Pz", "Oz"], units="V", modality="eeg")


@pytest.fixture(scope="module")
def recording():
    return var_process()


# --- the split rule --------------------------------------------------------------------


PARTS = [
    (3840, 1, 128.0),
    (4097, 40, 173.61),
    (1000, 3, 100.0),
    (1500, 1, 1000.0),
    (9500, 1, 1000.0),
    (20000, 7, 250.0),
]


@pytest.mark.parametrize(("n_times", "n_records", "sfreq"), PARTS)
def test_default_epoch_gives_enough_epochs_and_at_most_4_s(n_times, n_records, sfreq):
    epoch = default_epoch(n_times, n_records, sfreq)
    n_samples = round(epoch * sfreq)
    assert math.isclose(n_samples, epoch * sfreq)  # whole samples
    assert epoch <= 4.0 and (n_times // n_samples) * n_records >= MIN_EPOCHS


def test_default_epoch_examples():
    assert default_epoch(30 * 128, 1, 128.0) == 1.875  # a 60-s recording split in halves
    assert default_epoch(4097, 40, 173.61) == 694 / 173.61  # Bonn: 4 s, 5 per segment


def test_continuous_recording_splits_in_time_without_overlap(recording):
    split = split_recording(recording)
    half = recording.sizes[TIME] // 2
    assert split.by == "time" and split.epoch == 1.875
    np.testing.assert_array_equal(split.fit.values[0], recording.values[:, :half])
    np.testing.assert_array_equal(split.held_out.values[0], recording.values[:, half:])
    assert split.fit[TIME].values[-1] < split.held_out[TIME].values[0]
    assert split.fit_epochs.sizes[RECORD] == split.held_out_epochs.sizes[RECORD] == 16
    # every fit epoch lies in the first half, every held-out epoch in the second
    first, second = recording.values[:, :half], recording.values[:, half:]
    for ep in split.held_out_epochs.values:
        assert not np.isin(ep[0], first[0]).any() and np.isin(ep[0], second[0]).all()


def test_segments_split_by_records_interleaved():
    segments = make_signals(np.random.default_rng(1).normal(size=(10, 1, 400)), 100.0, ch_names=["EEG"],
                            units="uV", record_names=[f"Z{i:03d}" for i in range(10)])  # fmt: skip
    split = split_recording(segments, max_records=3)
    assert split.by == "records"
    assert list(split.fit[RECORD].values) == ["Z000", "Z002", "Z004"]
    assert list(split.held_out[RECORD].values) == ["Z001", "Z003", "Z005"]
    fit_sources = {str(r).split("/")[0] for r in split.fit_epochs[RECORD].values}
    held_sources = {str(r).split("/")[0] for r in split.held_out_epochs[RECORD].values}
    assert fit_sources == {"Z000", "Z002", "Z004"} and not fit_sources & held_sources
    assert split.epoch == 400 // math.ceil(MIN_EPOCHS / 3) / 100.0
    assert split.fit_epochs.sizes[RECORD] == 3 * math.ceil(MIN_EPOCHS / 3)


def test_privacy_folds_interleave_the_epochs_of_a_continuous_recording(recording):
    split = split_recording(recording)
    whole = epochs(recording, split.epoch)
    (a, b), n = split.privacy, whole.sizes[RECORD]
    np.testing.assert_array_equal(a.fit.values, whole.values[0::2])
    np.testing.assert_array_equal(a.others.values, whole.values[1::2])
    assert a.members is a.fit and b.fit is a.others and b.others is a.fit
    assert a.fit.sizes[RECORD] + a.others.sizes[RECORD] == n == 32  # the whole recording, both halves


def test_privacy_folds_of_segments_are_the_split_both_ways():
    segments = make_signals(np.random.default_rng(2).normal(size=(8, 1, 400)), 100.0, ch_names=["EEG"], units="uV")
    split = split_recording(segments)
    (a, b) = split.privacy
    assert a.fit is split.fit and a.members is split.fit_epochs and a.others is split.held_out_epochs
    assert b.fit is split.held_out and b.members is split.held_out_epochs and b.others is split.fit_epochs


def test_privacy_is_judged_on_interleaved_folds_not_on_a_drifting_held_out_half(recording):
    # the amplitude triples over the recording: any model of the first half sits closer to it
    drifting = recording.copy(data=recording.values * np.linspace(1.0, 3.0, recording.sizes[TIME]))
    table = realism_table(drifting, generators=["ar", COPY], sections=FAST)
    ar, copy = table.loc["ar"], table.loc["copy"]
    assert ar["mia_auc_split"] > 0.9 and ar["mia_auc"] < 0.6 and ar["memorised_copies"] <= ar["copies_allowed"]
    assert copy["mia_auc"] > 0.9 and copy["memorised_copies"] > copy["copies_allowed"]


def _long_records_only(fit, seed):
    if fit.sizes[TIME] < 1000:
        raise ValueError("real records must last at least 1000 samples")
    return CANDIDATES["ar"].fit(fit, seed)


def test_a_candidate_that_cannot_fit_the_folds_keeps_the_held_out_copies_with_a_note(recording):
    picky = Candidate("picky", _long_records_only, "fits long records only")
    table = realism_table(recording, generators=[picky], sections=FAST)
    row = table.loc["picky"]
    assert row["passes"] in (True, False) and row["copies_allowed"] >= 0 and 0 <= row["mia_auc_split"] <= 1
    assert np.isnan(row["mia_auc"])  # the held-out half's MIA measures the split, not membership: not judged
    assert row["privacy_note"] == (
        "privacy from the held-out part, MIA not judged: the interleaved folds failed "
        "(ValueError: real records must last at least 1000 samples)"
    )


def test_segments_get_a_second_fold_with_the_held_out_segments_fitted():
    x = var_process(128.0).values[0]  # 16 segments of 8 s
    segments = make_signals(x.reshape(4, 16, -1).transpose(1, 0, 2), 128.0, ch_names=["Fz", "Cz", "Pz", "Oz"],
                            units="V", record_names=[f"S{i:02d}" for i in range(16)])  # fmt: skip
    table = realism_table(segments, generators=["ar", COPY], sections=FAST)
    ar, copy = table.loc["ar"], table.loc["copy"]
    assert table.attrs["by"] == "records" and "null_copies" not in table.columns
    assert ar["mia_auc"] < 0.6 and ar["memorised_copies"] <= ar["copies_allowed"] and ar["privacy_s"] > 0
    assert copy["mia_auc"] > 0.9 and copy["memorised_copies"] > copy["copies_allowed"]
    assert copy["memorised_copies"] > table.attrs["n_held_out_epochs"]  # copies in both folds


def test_the_second_fold_relabels_the_complement_of_the_first():
    rng = np.random.default_rng(3)
    real, names = rng.normal(size=(12, 3)), [f"e{i}" for i in range(12)]
    real[0] += 100.0  # an outlier, and the one synthetic record copies it: flagged where e0 is called fitted
    a, b = np.arange(0, 12, 2), np.arange(1, 12, 2)
    first = relabelled_copies(real[a], real[:1], real[b], groups=[names[i] for i in (*a, *b)], n_relabellings=40)
    swapped = [names[i] for i in (*b, *a)]
    second, uncoupled = (
        relabelled_copies(real[b], real[:1], real[a], groups=swapped, complement=c, n_relabellings=40)
        for c in (True, False)
    )
    assert set(first) == {0, 1}
    np.testing.assert_array_equal(first + second, 1)  # e0 is fitted in exactly one fold of each relabelling
    assert set(first + uncoupled) == {0, 2}  # without it, the same seed draws the same fitted set in both folds


@pytest.mark.parametrize(("n", "fraction"), [(10, 0.5), (11, 0.5), (100, 0.3), (7, 0.75)])
def test_interleave_takes_the_fraction_spread_over_the_file(n, fraction):
    to_fit = interleave(n, fraction)
    assert abs(to_fit.sum() - fraction * n) < 1
    assert to_fit[: n // 2].sum() - to_fit[n // 2 :].sum() in (-1, 0, 1, 2)  # both halves of the file


@pytest.mark.parametrize(
    ("options", "message"),
    [({"fit_fraction": 1.0}, "fit_fraction must lie in"), ({"epoch": 20.0}, "at least 4 are needed")],
)
def test_split_refuses_what_compare_cannot_use(recording, options, message):
    with pytest.raises(ValueError, match=message):
        split_recording(recording, **options)


# --- targets ----------------------------------------------------------------------------

PASSING = {"spectral": 1.1, "statistical": 1.2, "nonlinear": 1.0, "multivariate": 1.3, "c2st_auc": 0.7,
           "mia_auc": 0.52, "memorised_copies": 1, "copies_allowed": 3}  # fmt: skip


def test_a_row_within_every_target_has_no_reason():
    assert check_targets(PASSING, heldout_auc=0.6) == []


def test_a_missed_target_names_the_section_and_its_worst_metric_worst_first():
    row = {**PASSING, "nonlinear": 3.0, "nonlinear_worst": "ks_permutation_entropy 12", "statistical": 1.6,
           "c2st_auc": 0.9}  # fmt: skip
    misses = check_targets(row, heldout_auc=0.6)
    assert len(misses) == 3
    assert misses[0] == "nonlinear 3 > 1.5 (worst: ks_permutation_entropy 12)"  # 2x its limit
    assert misses[1].startswith("C2ST AUC 0.90 > 0.75") and misses[2].startswith("statistical 1.6 > 1.5")


def test_an_infinite_ratio_misses_and_a_missing_section_is_not_checked():
    row = {**PASSING, "multivariate": float("inf"), "multivariate_worst": "recall inf", "nonlinear": float("nan")}
    assert check_targets(row, heldout_auc=0.6) == ["multivariate inf > 1.5 (worst: recall inf)"]


def test_the_auc_target_follows_the_held_out_auc():
    row = {**PASSING, "c2st_auc": 0.85}
    assert check_targets(row, heldout_auc=0.82) == []  # target 0.87
    assert check_targets(row, heldout_auc=0.6) == ["C2ST AUC 0.85 > 0.75"]
    assert Targets().max_auc(float("nan")) == 0.75


def test_privacy_targets():
    misses = check_targets({**PASSING, "mia_auc": 0.8, "memorised_copies": 9}, heldout_auc=0.6)
    assert misses == ["memorised copies 9 > 3", "MIA AUC 0.80 > 0.6"]


def _copies(synthetic_sd: float, rng, n: int = 20, copies: int = 0) -> tuple[int, int]:
    """The copies count of a synthetic set and its allowance: ``copies`` near-duplicates of
    fitted records, the rest fresh records of SD ``synthetic_sd`` (below 1: crowding)."""
    fitted, unseen = rng.normal(size=(n, 5)), rng.normal(size=(n, 5))
    synthetic = synthetic_sd * rng.normal(size=(n, 5))
    synthetic[:copies] = fitted[:copies] + 1e-3 * rng.normal(size=(copies, 5))
    count = memorised_copies(real=fitted, synthetic=synthetic, holdout=unseen).indices.size
    return count, allowed_copies(relabelled_copies(fitted, synthetic, unseen, n_relabellings=100, seed=1))


@pytest.mark.parametrize("synthetic_sd", [1.0, 0.3])  # fresh records; records crowding the centre
def test_allowed_copies_holds_about_95_percent_of_runs_for_a_generator_blind_to_membership(synthetic_sd):
    rng = np.random.default_rng(0)
    counts = np.array([_copies(synthetic_sd, rng) for _ in range(200)])
    assert 0.92 <= np.mean(counts[:, 0] <= counts[:, 1]) <= 0.99
    # crowding is flagged whichever records were fitted: it raises the allowance (3 for fresh records)
    if synthetic_sd == 1:
        assert np.median(counts[:, 1]) == 3
    else:
        assert np.median(counts[:, 1]) >= 8


def test_relabelling_keeps_the_epochs_of_a_segment_together():
    # 20 segments of 4 similar epochs, even segments fitted; a blind generator draws new segments
    rng = np.random.default_rng(0)
    within = {"groups": [], "epochs": []}
    for _ in range(60):
        seg = np.repeat(np.arange(20), 4)
        epochs_ = np.repeat(rng.normal(size=(20, 5)), 4, axis=0) + 0.3 * rng.normal(size=(80, 5))
        fit = seg % 2 == 0
        synthetic = np.repeat(rng.normal(size=(10, 5)), 4, axis=0) + 0.3 * rng.normal(size=(40, 5))
        count = memorised_copies(real=epochs_[fit], synthetic=synthetic, holdout=epochs_[~fit]).indices.size
        for key, groups in (("groups", np.r_[seg[fit], seg[~fit]]), ("epochs", None)):
            null = relabelled_copies(epochs_[fit], synthetic, epochs_[~fit], groups=groups, n_relabellings=60)
            within[key].append(count <= allowed_copies(null))
    # epoch by epoch, the relabelled unseen set holds each fitted epoch's siblings: too small a threshold
    assert np.mean(within["groups"]) >= 0.9 and np.mean(within["epochs"]) < 0.7
    with pytest.raises(ValueError, match="groups must label each of the 80 real records"):
        relabelled_copies(epochs_[fit], synthetic, epochs_[~fit], groups=seg[:10])


@pytest.mark.parametrize(
    ("args", "message"),
    [(([],), "null_counts must be a non-empty 1-D array"), (([[1, 2]],), "got shape \\(1, 2\\)"),
     (([1, 2], 1.0), "level must lie in")],
)  # fmt: skip
def test_allowed_copies_refuses_what_is_not_a_null_in_one_line(args, message):
    with pytest.raises(ValueError, match=message) as err:
        allowed_copies(*args)
    assert "\n" not in str(err.value)


def test_privacy_folds_refuse_fewer_than_four_epochs(recording):
    with pytest.raises(ValueError, match="cut has 3 epochs; privacy_folds needs at least 4"):
        privacy_folds(epochs(recording, 1.0).isel({RECORD: slice(0, 3)}))


def test_allowed_copies_catches_copies_of_fitted_records():
    rng = np.random.default_rng(1)
    counts = np.array([_copies(1.0, rng, copies=10) for _ in range(100)])
    assert np.mean(counts[:, 0] > counts[:, 1]) >= 0.95
    assert allowed_copies([0, 1, 1, 2, 5]) == 5 and allowed_copies(np.arange(100)) == 94


# --- candidates -------------------------------------------------------------------------


def test_parametric_defaults_sample_short_epochs_with_the_real_channels():
    lfp = simulate_parkinson(10.0, 500.0, n_records=1, signals=["lfp"], seed=0)["lfp"]
    lfp = lfp.assign_coords(channel=["L0", "L1", "L2"])
    sampler = CANDIDATES["defaults"].fit(lfp, 0)
    out = sampler.sample(5, duration=0.5, seed=1)  # simulate_parkinson's shortest record is 2 s
    assert out.shape == (5, 3, 250) and list(out["channel"].values) == ["L0", "L1", "L2"]
    assert np.all(out.values.std(axis=-1) > 0)


def test_defaults_are_unavailable_for_an_unknown_modality(recording):
    misc = recording.copy()
    misc.attrs["modality"] = "misc"
    with pytest.raises(Unavailable, match="no parametric default for modality 'misc'"):
        CANDIDATES["defaults"].fit(misc, 0)


class _Copier:
    """Returns fit epochs verbatim: the worst privacy a generator can have."""

    def __init__(self, fit):
        self.fit = fit

    def sample(self, n_records, *, duration, seed):
        from biosynth.signals import epochs

        cut = epochs(self.fit, duration)
        pick = np.random.default_rng(seed).choice(cut.sizes[RECORD], n_records, replace=False)
        return cut.isel(record=pick)


def _missing(fit, seed):
    raise Unavailable("not installed here")


COPY = Candidate("copy", lambda fit, seed: _Copier(fit), "fit epochs verbatim", holds_real_samples=True)
MISSING = Candidate("missing", _missing, "cannot run")


def test_end_to_end_on_a_stationary_process(recording):
    table = realism_table(recording, generators=["ar", COPY, MISSING], sections=FAST)
    assert list(table.index) == [HELD_OUT, "ar", "copy", "missing"]
    held, ar, copy, missing = (table.loc[n] for n in table.index)
    assert table.attrs["heldout_auc"] < 0.8 and table.attrs["n_held_out_epochs"] == 16
    assert np.isnan(held["mia_auc"]) and all(np.isnan(table["nonlinear"]))  # not asked for
    # a linear AR model of a linear Gaussian process passes every target
    assert ar["passes"], ar["reason"]
    assert ar["c2st_auc"] <= ar["auc_target"] and max(ar[list(FAST)]) <= 1.5
    # copies of the training epochs are caught by both privacy figures
    assert copy["passes"] is False and copy["holds_real_samples"]
    assert copy["memorised_copies"] > copy["copies_allowed"] and copy["mia_auc"] > 0.6
    assert "memorised copies" in copy["reason"] and "MIA AUC" in copy["reason"]
    assert missing["passes"] is None and missing["reason"] == "skipped: not installed here"
    assert np.isnan(missing["c2st_auc"])


def _draw(c2st: float, held_auc: float = 0.6) -> pd.DataFrame:
    """One draw's table with a single candidate that passes every target but the C2ST AUC's,
    which it passes when at most max(0.75, held_auc + 0.05)."""
    table = pd.DataFrame(index=[HELD_OUT, "x"], columns=list(COLUMNS), dtype=object)
    table.loc[:, list(SECTIONS)] = 1.0
    table.loc[HELD_OUT, "c2st_auc"], table.loc["x", "c2st_auc"] = held_auc, c2st
    table.loc["x", ["mia_auc", "memorised_copies", "copies_allowed"]] = [0.5, 0.0, 3.0]
    passes = c2st <= max(0.75, held_auc + 0.05)
    table.loc["x", ["passes", "draws_passed", "n_draws"]] = [passes, int(passes), 1]
    table.attrs.update(heldout_auc=held_auc, seeds=[len(str(c2st))])
    return table


def test_median_table_judges_the_median_and_counts_the_draws_that_passed():
    table = median_table([_draw(0.70), _draw(0.90), _draw(0.72)])
    row = table.loc["x"]
    assert row["c2st_auc"] == pytest.approx(0.72) and row["n_draws"] == 3
    assert row["passes"] and row["reason"] == "" and row["draws_passed"] == 2
    worse = median_table([_draw(0.70), _draw(0.90), _draw(0.80)]).loc["x"]
    assert not worse["passes"] and worse["reason"] == "C2ST AUC 0.80 > 0.75" and worse["draws_passed"] == 1
    held = median_table([_draw(0.8, held_auc=0.7), _draw(0.8, held_auc=0.9), _draw(0.8, held_auc=0.8)])
    assert held.attrs["heldout_auc"] == pytest.approx(0.8) and held.loc["x", "auc_target"] == pytest.approx(0.85)
    assert held.loc["x", "passes"]  # 0.80 <= 0.8 + 0.05: the target follows the median held-out AUC


def test_realism_table_refuses_zero_repeats(recording):
    with pytest.raises(ValueError, match="repeats"):
        realism_table(recording, generators=["ar"], sections=FAST, repeats=0)


def test_cli_runs_the_folder_and_writes_markdown_and_json(tmp_path, capsys):
    data = var_process(40.0, seed=3)
    folder = tmp_path / "real"
    folder.mkdir()  # only the EEGLAB file's name: every other recording is skipped with one line
    np.savez(folder / "eeg_eeglab_32ch.npz", data=data.values.astype(np.float32), sfreq=128.0,
             ch_names=np.array(data["channel"].values, dtype=str), units="V")  # fmt: skip
    out = tmp_path / "realism.md"
    code, _, err = run(capsys, "bench", "realism", "--real-data", str(folder), "--generators", "ar",
                            "--out", str(out), "--repeats", "2")  # fmt: skip
    assert code == 0, err
    text = out.read_text()
    assert "## eeglab" in text and "| metric | held-out real | ar |" in text
    assert "the median of 2 draws (seeds 0-1)" in text and " of 2 draws) |" in text
    assert "`bonn_A` skipped: eeg_bonn_setA_Z.npz not found" in text
    result = json.loads(out.with_suffix(".json").read_text())
    assert result["schema"] == "biosynth.realism/1" and set(result["recordings"]) == {"eeglab"}
    assert len(result["skipped"]) == len(RECORDINGS) - 1
    row = result["recordings"]["eeglab"]["table"]["ar"]
    assert 0.5 <= row["c2st_auc"] <= 1.0 and row["passes"] in (True, False)


def test_cli_refuses_zero_repeats_in_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "bench", "realism", "--real-data", str(tmp_path), "--repeats", "0")
    assert code == 2 and "repeats must be an integer >= 1, got 0" in err and len(err.strip().splitlines()) == 1


def test_cli_refuses_an_unknown_candidate(tmp_path, capsys):
    code, _, err = run(capsys, "bench", "realism", "--real-data", str(tmp_path), "--generators", "gan")
    assert code == 2 and "'gan'" in err and len(err.strip().splitlines()) == 1


# --- real recordings (skipped where absent) ---------------------------------------------

BY_NAME = {r.name: r for r in RECORDINGS}


def test_real_recordings_load_as_described(real_file):
    real_file("lfp_pd_stn_ecog_medoff.npz")
    stn, ecog = load_recording(BY_NAME["pd_stn_lfp"], REAL_DIR), load_recording(BY_NAME["pd_ecog"], REAL_DIR)
    assert list(stn["channel"].values) == ["LFP_RIGHT_0", "LFP_RIGHT_1", "LFP_RIGHT_2"]
    assert ecog.sizes["channel"] == 6 and "MOV_RIGHT" not in ecog["channel"].values
    assert stn.attrs["modality"] == "lfp" and ecog.attrs["modality"] == "ecog"


def test_seizure_halves_meet_at_the_onset(real_file):
    with np.load(real_file("eeg_seizure_8ch.npz")) as f:
        onset, total = int(f["seizure_onset_sample"]), f["data"].shape[1]
    before = load_recording(BY_NAME["seizure8_pre"], REAL_DIR)
    after = load_recording(BY_NAME["seizure8_ictal"], REAL_DIR)
    assert before.sizes[TIME] == onset and after.sizes[TIME] == total - onset


def test_iaaft_leaks_membership_on_a_real_lfp(real_file):
    real_file("lfp_pd_stn_ecog_medoff.npz")
    table = realism_table(load_recording(BY_NAME["pd_stn_lfp"], REAL_DIR), generators=["ar", "iaaft"], sections=FAST)
    assert table.loc["iaaft", "holds_real_samples"] and table.loc["iaaft", "mia_auc"] > 0.6
    assert table.loc["iaaft", "mia_auc"] > table.loc["ar", "mia_auc"]
    assert "MIA AUC" in table.loc["iaaft", "reason"]


def test_neurodsp_candidate_reproduces_the_peak_and_the_channel_sd():
    pytest.importorskip("neurodsp")
    from scipy.signal import welch

    from benchmarks.realism import NeurodspSampler, components

    params = {"offset": 0.0, "knee": 0.0, "exponent": 2.0, "peaks": [[10.0, 1.0, 1.0]]}
    found, variances = components(params, 512, 128.0)
    assert list(found) == ["sim_powerlaw", "sim_bursty_oscillation"] and len(variances) == 2
    assert 0 < variances[1] < variances[0]  # a 10x peak over 1/f^2: less power than the background
    fit = make_signals(np.random.default_rng(0).normal(scale=[[2e-5], [5e-5]], size=(2, 4096)), 128.0,
                       ch_names=["A", "B"], units="V")  # fmt: skip
    out = NeurodspSampler(fit, [params, params], "test").sample(20, duration=4.0, seed=0)
    assert out.shape == (20, 2, 512)
    np.testing.assert_allclose(out.values.std(axis=(0, 2)), [2e-5, 5e-5], rtol=0.02)
    freqs, psd = welch(out.values[:, 0], 128.0, nperseg=256)
    mean = psd.mean(axis=0)
    flank = mean[(freqs >= 6) & (freqs <= 7)].mean(), mean[(freqs >= 13) & (freqs <= 14)].mean()
    assert freqs[np.argmax(mean * freqs**2)] == pytest.approx(10.0, abs=1.0)  # the peak over the 1/f^2 line
    assert mean[np.argmin(abs(freqs - 10))] > 3 * np.sqrt(flank[0] * flank[1])


def test_median_table_refuses_no_tables():
    """No draws to take the median of: a one-line error naming ``tables``."""
    from biosynth.bench.realism import median_table

    with pytest.raises(ValueError, match=r"^tables: got an empty sequence; expected the tables of one or more draws"):
        median_table([])


def test_realism_script_refuses_zero_repeats(capsys):
    """``python -m benchmarks.realism --repeats 0`` exits 2 with argparse's usage and one
    error line naming ``--repeats``, before anything is fitted."""
    from benchmarks.realism import main

    with pytest.raises(SystemExit) as info:
        main(["--repeats", "0"])
    assert info.value.code == 2
    assert "error: --repeats must be at least 1 (draws per recording), got 0" in capsys.readouterr().err
