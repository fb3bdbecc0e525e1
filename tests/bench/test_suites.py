# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth bench epilepsy|parkinson``: results independent of chunking, workers and
resuming; summaries; scaling; the command line."""

from __future__ import annotations

import json
import warnings

import pytest

from biosynth.bench import json_clean, markdown_summary, measure_scaling, run_suite, write_outputs
from biosynth.cli import main

SMALL = {"n_records": 4, "duration": 10.0, "n_compare": 4, "progress": False}


def _scores(result):
    keep = ("detectors", "zone_auc_mean", "by_state", "classifier_balanced_accuracy")
    return json_clean({k: result[k] for k in keep if k in result})  # NaN as None: comparable


@pytest.mark.parametrize("suite", ["epilepsy", "parkinson"])
def test_results_do_not_depend_on_chunking(suite):
    one = run_suite(suite, chunk_size=4, **SMALL)
    other = run_suite(suite, chunk_size=1, **SMALL)
    assert _scores(one) == _scores(other)
    assert one["schema"] == 1 and one["suite"] == suite
    assert set(one["seconds"]) == {"generate+detect", "reference"}


def test_parkinson_suite_on_a_local_cluster_equals_the_single_process_run():
    pytest.importorskip("distributed")
    local = run_suite("parkinson", chunk_size=1, **SMALL)
    cluster = run_suite("parkinson", chunk_size=1, scheduler="processes:2", **SMALL)
    assert _scores(cluster) == _scores(local)
    assert cluster["scheduler"] == "processes:2"


def test_a_resumed_run_reuses_finished_chunks_and_gives_the_same_results(tmp_path):
    first = run_suite("parkinson", chunk_size=1, out_dir=tmp_path, **SMALL)
    chunks = sorted(tmp_path.rglob("*.json"))
    assert len([c for c in chunks if c.stem.isdigit()]) == 4
    chunks[-1].unlink()  # as if the run had been killed before the last chunk
    again = run_suite("parkinson", chunk_size=1, out_dir=tmp_path, **SMALL)
    assert _scores(again) == _scores(first)


def test_epilepsy_detectors_find_interictal_events_and_the_summary_says_so(tmp_path):
    result = run_suite("epilepsy", chunk_size=2, **SMALL)
    spikes = result["detectors"]["spike"]
    assert spikes["n_true"] > 0 and spikes["f1"] > 0.8
    text = markdown_summary(result)
    assert "| spike |" in text and "Zone AUC" in text
    paths = write_outputs(result, tmp_path / "epi.json")
    assert json.loads(paths[0].read_text())["suite"] == "epilepsy"
    assert "<img" not in paths[2].read_text()  # no scaling, no plot
    with pytest.raises(FileExistsError):
        write_outputs(result, tmp_path / "epi.json")


def test_scaling_rows_and_plot():
    scaling = measure_scaling("parkinson", max_records=4, duration=2.0, seed=0, records=(2, 4), durations=(2.0,))
    assert [r["n_records"] for r in scaling["records"]] == [2, 4]
    assert all(r["samples_per_s"] > 0 and r["peak_memory_mb"] > 10 for r in scaling["records"] + scaling["duration"])


def test_bench_command_writes_json_markdown_and_html(tmp_path, capsys):
    out = tmp_path / "pd.json"
    argv = ["bench", "parkinson", "--n-records", "2", "--duration", "10", "--chunk-size", "1", "--out", str(out)]
    assert main(argv) == 0
    assert "time in bursts" in capsys.readouterr().out
    assert out.exists() and out.with_suffix(".md").exists() and out.with_suffix(".html").exists()
    assert main(argv) == 2  # nothing replaced without --overwrite
    assert main([*argv[:2], "--n-records", "0"]) == 2


def test_suites_write_data_cards_with_fidelity_utility_and_privacy(tmp_path, real_file):
    real_file("eeg_bonn_setD_F.npz")  # skips cleanly without the Bonn data
    card = tmp_path / "epi.md"
    run_suite("epilepsy", chunk_size=4, card=card, **SMALL)
    text = card.read_text()
    for needed in ("| utility |", "| privacy |", "tstr_balanced_accuracy", "mia_auc", "Bonn EEG database"):
        assert needed in text, needed
    pd_card = tmp_path / "pd.md"
    run_suite("parkinson", chunk_size=4, card=pd_card, **SMALL)
    text = pd_card.read_text()
    assert "time in beta bursts OFF" in text and "no privacy section" in text


@pytest.mark.gpu
def test_epilepsy_suite_on_a_gpu_matches_the_cpu():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA not available")
    cpu = run_suite("epilepsy", chunk_size=4, **SMALL)
    gpu = run_suite("epilepsy", chunk_size=4, device="cuda", **SMALL)
    assert _scores(gpu) == _scores(cpu)  # float32 filtering on both paths: same detections
    for section, ratio in cpu["reference"]["sections"].items():
        assert gpu["reference"]["sections"][section] == pytest.approx(ratio, rel=0.05, nan_ok=True)


def test_epilepsy_suite_compares_data_driven_generators_on_the_same_data(real_file):
    real_file("eeg_bonn_setE_S.npz")  # skips cleanly without the Bonn data
    # a learned record is one 4-s epoch: compare 10 of them (the multivariate section needs 6+)
    result = run_suite(
        "epilepsy", chunk_size=2, generators=("phase", "ar"), **{**SMALL, "n_records": 10, "n_compare": 10}
    )
    for name in ("phase", "ar"):
        row = result["generators"][name]
        assert row["records_per_s"] > 0 and set(row["reference"]["sections"]) >= {"spectral", "privacy", "utility"}
    assert "| phase |" in markdown_summary(result)
    with pytest.raises(ValueError, match="unknown"):
        run_suite("epilepsy", generators=("gan",), **SMALL)
    with pytest.raises(ValueError, match="applies to the epilepsy suite"):
        run_suite("parkinson", generators=("ar",), **SMALL)


def test_a_plan_that_would_fail_late_is_rejected_before_any_work():
    with pytest.raises(ValueError, match=r"gives 4 epochs of 4 s to compare; at least 6"):
        run_suite("epilepsy", n_records=2, duration=10.0, progress=False)


def test_old_suites_names_warn_and_point_to_the_new_ones():
    from biosynth.bench import epilepsy, parkinson, suites
    from biosynth.datasets import BONN_SFREQ

    with pytest.warns(FutureWarning, match=r"suites.epilepsy_chunk moved to biosynth.bench.epilepsy.score_chunk"):
        assert suites.epilepsy_chunk is epilepsy.score_chunk
    with pytest.warns(FutureWarning, match="parkinson.write_suite_card"):
        assert suites.parkinson_card is parkinson.write_suite_card
    with pytest.warns(FutureWarning, match="biosynth.datasets.BONN_SFREQ"):
        assert suites.BONN_SFREQ == BONN_SFREQ
    with pytest.warns(FutureWarning, match="published_time_in_bursts"):
        assert suites.PUBLISHED_TIME_IN_BURSTS == {"off": 0.270, "on": 0.161}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="no attribute 'nothing'"):
            suites.nothing
