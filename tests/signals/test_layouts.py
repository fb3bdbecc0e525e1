# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pandas as pd
import pytest

from biosynth.signals.layouts import (
    Layout,
    bipolar,
    bipolar_pairs,
    channels_tsv,
    combine,
    common_average,
    distances,
    electrodes_tsv,
    grid,
    parse_layout,
    read_electrodes_tsv,
    strip,
)


@pytest.mark.parametrize(("rows", "cols"), [(8, 8), (4, 5), (5, 4), (1, 3)])
def test_grid_numbered_row_by_row(rows, cols):
    layout = grid(rows, cols, spacing=0.004)
    pos = dict(zip(layout.names, layout.positions, strict=True))
    assert layout.names == tuple(f"G{k}" for k in range(1, rows * cols + 1))
    assert layout.shape == (rows, cols) and layout.spacing == 0.004
    # G1 top-left: every contact lies right of / below it
    assert np.all(layout.positions[:, 0] >= pos["G1"][0]) and np.all(layout.positions[:, 1] <= pos["G1"][1])
    np.testing.assert_allclose(pos[f"G{cols}"] - pos["G1"], [(cols - 1) * 0.004, 0, 0], atol=1e-15)
    if rows > 1:
        np.testing.assert_allclose(pos[f"G{cols + 1}"] - pos["G1"], [0, -0.004, 0], atol=1e-15)
    assert np.all(layout.positions[:, 2] == 0)


def test_grid_distances_neighbours_and_diagonals():
    layout = grid(8, 8, spacing=0.01, origin=(0.02, -0.01, 0.03))
    d = distances(layout)
    assert d.shape == (64, 64)
    np.testing.assert_allclose(d, d.T)
    np.testing.assert_allclose(np.diag(d), 0)
    idx = np.arange(64).reshape(8, 8)
    np.testing.assert_allclose(d[idx[:, :-1], idx[:, 1:]], 0.01)  # row neighbours
    np.testing.assert_allclose(d[idx[:-1, :], idx[1:, :]], 0.01)  # column neighbours
    np.testing.assert_allclose(d[idx[:-1, :-1], idx[1:, 1:]], np.sqrt(2) * 0.01)  # diagonals
    np.testing.assert_allclose(layout.positions[0], [0.02, -0.01, 0.03])


def test_strip_direction_and_origin():
    layout = strip(6, spacing=0.005, prefix="LTS", origin=(0, 0, 0.01), direction=(0, 3, 4))
    assert layout.names == ("LTS1", "LTS2", "LTS3", "LTS4", "LTS5", "LTS6")
    assert layout.shape == (1, 6) and layout.device_names == ("LTS",)
    steps = np.diff(layout.positions, axis=0)
    np.testing.assert_allclose(steps, np.tile([0, 0.003, 0.004], (5, 1)), atol=1e-15)
    np.testing.assert_allclose(layout.positions[0], [0, 0, 0.01])


def test_combine_keeps_order_and_refuses_duplicates():
    g = grid(2, 3)
    a = strip(4, prefix="LTS", origin=(0, -0.03, 0))
    b = strip(2, prefix="RFS", origin=(0.05, 0, 0))
    both = combine(g, a, b)
    assert both.names == g.names + a.names + b.names
    assert both.devices == ("G",) * 6 + ("LTS",) * 4 + ("RFS",) * 2
    assert both.shapes == ((2, 3), (1, 4), (1, 2))
    np.testing.assert_array_equal(both.positions, np.concatenate([g.positions, a.positions, b.positions]))
    with pytest.raises(ValueError, match="unique"):
        combine(g, grid(2, 2))
    with pytest.raises(ValueError, match="devices"):
        both.shape  # several devices: no single shape
    with pytest.raises(ValueError, match="unique"):
        Layout(("A1", "A1"), np.zeros((2, 3)), ("A", "A"), ((1, 2),), (0.01,))


def test_layout_is_read_only_and_checks_shapes():
    layout = grid(2, 2)
    with pytest.raises(ValueError):
        layout.positions[0, 0] = 1.0
    with pytest.raises(ValueError, match="shape"):
        Layout(("A1", "A2"), np.zeros((2, 3)), ("A", "A"), ((1, 3),), (0.01,))
    assert layout == grid(2, 2) and layout != grid(2, 2, spacing=0.005)


@pytest.mark.parametrize(
    ("text", "names", "shapes", "spacings"),
    [
        ("8x8", ("G1", "G64"), ((8, 8),), (0.01,)),
        ("1x6", ("S1", "S6"), ((1, 6),), (0.01,)),
        ("4x5:G,1x8:LTS", ("G1", "LTS8"), ((4, 5), (1, 8)), (0.01, 0.01)),
        ("8x8@4mm", ("G1", "G64"), ((8, 8),), (0.004,)),
        ("8x8:HD@4.5mm, 1x4:S@0.01m", ("HD1", "S4"), ((8, 8), (1, 4)), (0.0045, 0.01)),
    ],
)
def test_parse_layout(text, names, shapes, spacings):
    layout = parse_layout(text)
    assert (layout.names[0], layout.names[-1]) == names
    assert layout.shapes == shapes
    np.testing.assert_allclose(layout.spacings, spacings)
    # devices side by side, never overlapping
    d = distances(layout)
    assert np.all(d[~np.eye(len(layout), dtype=bool)] > 0)


def test_parse_layout_matches_builders():
    assert parse_layout("8x8") == grid(8, 8)
    assert parse_layout("1x6") == strip(6)
    vertical = parse_layout("6x1")
    np.testing.assert_allclose(vertical.positions[-1], [0, -0.05, 0], atol=1e-15)


@pytest.mark.parametrize("text", ["", "8by8", "8x8:G1", "0x8", "8x8@4", "8x8@4mm@5mm", "8x8,8x8", "8x8@10cm"])
def test_parse_layout_errors_name_the_text(text):
    with pytest.raises(ValueError, match="layout text"):
        parse_layout(text)


def test_spacing_and_size_errors():
    with pytest.raises(ValueError, match=r"spacing must lie in \(0, 0.05\] in m; got 10 \(mm\? pass 0.01\)"):
        grid(8, 8, spacing=10)
    with pytest.raises(ValueError, match="spacing"):
        strip(4, spacing=0)
    with pytest.raises(ValueError, match="rows must be an integer >= 1, got 0"):
        grid(0, 8)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        strip(0)
    with pytest.raises(ValueError, match="direction"):
        strip(3, direction=(0, 0, 0))
    with pytest.raises(ValueError, match="prefix"):
        grid(2, 2, prefix="G-1")


def test_bipolar_pairs_counts_and_order():
    layout = grid(8, 8)
    horizontal = bipolar_pairs(layout)
    assert len(horizontal) == 8 * 7
    assert horizontal[:2] == [("G1", "G2"), ("G2", "G3")]
    assert ("G8", "G9") not in horizontal  # rows are not joined end to start
    both = bipolar_pairs(layout, vertical=True)
    assert len(both) == 8 * 7 * 2 and ("G1", "G9") in both
    combined = combine(grid(2, 2), strip(3, prefix="LTS", origin=(0.05, 0, 0)))
    assert bipolar_pairs(combined) == [("G1", "G2"), ("G3", "G4"), ("LTS1", "LTS2"), ("LTS2", "LTS3")]


def test_bipolar_equals_hand_differences():
    layout = combine(grid(2, 2), strip(3, prefix="LTS", origin=(0.05, 0, 0)))
    rng = np.random.default_rng(0)
    data = rng.normal(size=(2, 7, 5))  # (record, contact, time)
    out, names = bipolar(data, layout, vertical=True)
    assert names == ["G1-G2", "G3-G4", "G1-G3", "G2-G4", "LTS1-LTS2", "LTS2-LTS3"]
    hand = [(0, 1), (2, 3), (0, 2), (1, 3), (4, 5), (5, 6)]
    expected = np.stack([data[:, a] - data[:, b] for a, b in hand], axis=1)
    np.testing.assert_array_equal(out, expected)
    with pytest.raises(ValueError, match="n_contacts=7"):
        bipolar(data[:, :6], layout)


def test_common_average_per_device_and_global():
    layout = combine(grid(2, 3), strip(4, prefix="LTS", origin=(0.05, 0, 0)))
    data = np.random.default_rng(1).normal(size=(10, 50)) + np.arange(10)[:, None]
    out = common_average(data, layout)
    np.testing.assert_allclose(out[:6].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out[6:].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out[:6], data[:6] - data[:6].mean(axis=0))
    pooled = common_average(data, layout, per_device=False)
    np.testing.assert_allclose(pooled.mean(axis=0), 0, atol=1e-12)
    assert not np.allclose(pooled[6:].mean(axis=0), 0)
    assert common_average(data.astype(np.float32), layout).dtype == np.float32
    assert common_average(np.ones((10, 3), dtype=int), layout).dtype == np.float64


def test_electrodes_tsv_round_trip(tmp_path):
    layout = combine(
        grid(4, 5, spacing=0.005, origin=(0.0123, -0.004, 0.001)),
        grid(5, 4, prefix="H", origin=(0.05, 0, 0)),
        strip(6, prefix="LTS", origin=(0, -0.05, 0), direction=(1, -1, 0)),
    )
    path = tmp_path / "sub-01_electrodes.tsv"
    electrodes_tsv(layout, path)
    table = pd.read_csv(path, sep="\t", keep_default_na=False)
    assert list(table.columns[:7]) == ["name", "x", "y", "z", "size", "material", "manufacturer"]
    assert table["size"].eq(4.2).all() and (table["manufacturer"] == "n/a").all()
    np.testing.assert_allclose(table[["x", "y", "z"]].to_numpy(), layout.positions * 1000)  # mm
    back = read_electrodes_tsv(path)
    assert back.names == layout.names and back.devices == layout.devices
    assert back.shapes == layout.shapes
    np.testing.assert_allclose(back.positions, layout.positions, rtol=0, atol=1e-9)
    np.testing.assert_allclose(back.spacings, layout.spacings, rtol=0, atol=1e-9)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        electrodes_tsv(layout, path)
    electrodes_tsv(grid(2, 2), path, overwrite=True)
    assert read_electrodes_tsv(path).names == ("G1", "G2", "G3", "G4")


def test_read_electrodes_tsv_without_group_columns(tmp_path):
    path = tmp_path / "electrodes.tsv"
    path.write_text("name\tx\ty\tz\tsize\nG1\t0\t0\t0\t4.2\nG2\t10\t0\t0\t4.2\nLTS1\t0\t-30\t0\t4.2\n")
    layout = read_electrodes_tsv(path)
    assert layout.devices == ("G", "G", "LTS") and layout.shapes == ((1, 2), (1, 1))
    np.testing.assert_allclose(layout.spacings, (0.01, 0.01))


def test_channels_tsv_bids_columns(tmp_path):
    path = tmp_path / "sub-01_channels.tsv"
    _, names = bipolar(np.zeros((3, 1)), strip(3))
    channels_tsv(names, path, sfreq=2000, low_cutoff=0.5, high_cutoff=500, status=["good", "bad"])
    table = pd.read_csv(path, sep="\t", keep_default_na=False)
    assert list(table.columns) == [
        "name",
        "type",
        "units",
        "low_cutoff",
        "high_cutoff",
        "sampling_frequency",
        "status",
    ]
    assert table["name"].tolist() == ["S1-S2", "S2-S3"]
    assert table["type"].tolist() == ["ECOG", "ECOG"] and table["units"].tolist() == ["uV", "uV"]
    assert table["sampling_frequency"].tolist() == [2000.0, 2000.0]
    assert table["low_cutoff"].tolist() == [0.5, 0.5] and table["high_cutoff"].tolist() == [500.0, 500.0]
    assert table["status"].tolist() == ["good", "bad"]
    with pytest.raises(FileExistsError):
        channels_tsv(names, path, sfreq=2000)
    channels_tsv(names, path, sfreq=2000, overwrite=True)
    table = pd.read_csv(path, sep="\t", keep_default_na=False)
    assert table["low_cutoff"].tolist() == ["n/a", "n/a"] and table["status"].tolist() == ["good", "good"]


def test_channels_tsv_errors(tmp_path):
    path = tmp_path / "channels.tsv"
    with pytest.raises(ValueError, match="sfreq"):
        channels_tsv(["G1"], path, sfreq=0)
    with pytest.raises(ValueError, match="status"):
        channels_tsv(["G1"], path, sfreq=1000, status=["ok"])
    with pytest.raises(ValueError, match="one value per channel"):
        channels_tsv(["G1", "G2"], path, sfreq=1000, status=["good"])
    assert not path.exists()
