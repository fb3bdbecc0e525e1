# SPDX-License-Identifier: BSD-3-Clause
"""Where real recordings are found: argument, environment variable, default beside the checkout."""

from __future__ import annotations

import numpy as np
import pytest

from biosynth.datasets import (
    BONN_N_TIMES,
    BONN_SETS,
    BONN_SFREQ,
    REAL_DATA_ENV,
    checkout_root,
    load_bonn,
    load_segments,
    real_data_dir,
    real_data_file,
)


def test_argument_then_environment_then_default(tmp_path, monkeypatch):
    mine, env = tmp_path / "mine", tmp_path / "env"
    mine.mkdir()
    env.mkdir()
    monkeypatch.setenv(REAL_DATA_ENV, str(env))
    assert real_data_dir(mine) == mine
    assert real_data_dir() == env
    monkeypatch.delenv(REAL_DATA_ENV)
    root = checkout_root()
    default = None if root is None else root.parent / "shared" / "data" / "real"
    assert real_data_dir() == (default if default is not None and default.is_dir() else None)


def test_a_named_folder_must_exist_the_default_may_not(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match=r"folder '.*nowhere' \(passed as path\) does not exist"):
        real_data_dir(tmp_path / "nowhere")
    with pytest.raises(TypeError, match=r"^path must be a str, a path-like object or None, got int 3\.$"):
        real_data_dir(3)
    monkeypatch.setenv(REAL_DATA_ENV, str(tmp_path / "typo"))
    with pytest.raises(FileNotFoundError, match=r"\(from \$BIOSYNTH_REAL_DATA\) does not exist"):
        real_data_dir()
    monkeypatch.setenv(REAL_DATA_ENV, "")  # empty: unset
    monkeypatch.setattr("biosynth.datasets.real.checkout_root", lambda: None)  # as an installed wheel
    assert real_data_dir() is None
    with pytest.raises(FileNotFoundError, match=r"x.npz not found: no real-data folder \(set \$BIOSYNTH_REAL_DATA"):
        real_data_file("x.npz")


def test_real_data_file_and_segments(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"^eeg_bonn_setD_F.npz not found under .*\.$"):
        real_data_file(BONN_SETS["D"], tmp_path)
    data = np.arange(6.0).reshape(2, 3)
    np.savez(tmp_path / "seg.npz", data=data, sfreq=100.0, units="uV", ch_names=np.array(["a", "b"]))
    segments = load_segments(real_data_file("seg.npz", tmp_path))
    assert segments.sizes == {"record": 2, "channel": 1, "time": 3}
    assert segments.attrs["units"] == "uV" and segments.attrs["provenance"] == {"source": "seg.npz"}
    np.testing.assert_array_equal(segments.values[:, 0], data)
    with pytest.raises(FileNotFoundError, match="eeg_bonn_setE_S.npz not found under"):
        load_bonn("E", tmp_path)
    with pytest.raises(ValueError, match="name must be a Bonn set, one of A, B, C, D, E; got 'F'"):
        load_bonn("F", tmp_path)


def test_bonn_sets_have_the_documented_shape(real_file):
    real_file(BONN_SETS["D"])  # skips cleanly without the Bonn data
    bonn = load_bonn("D")
    assert bonn.sizes == {"record": 100, "channel": 1, "time": BONN_N_TIMES}
    assert bonn.attrs["sfreq"] == pytest.approx(BONN_SFREQ)
