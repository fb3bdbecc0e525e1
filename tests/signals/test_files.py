# SPDX-License-Identifier: BSD-3-Clause
"""Safe outputs: nothing the user had is lost, and no half-written file is left."""

import pytest

from biosynth._utils.files import atomic_output


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_writes_through_a_temporary_name(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_output(target, overwrite=False) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".txt" and tmp != target
        tmp.write_text("new")
        assert not target.exists()
    assert target.read_text() == "new"
    assert _leftovers(tmp_path) == []


def test_existing_output_needs_overwrite(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with (
        pytest.raises(FileExistsError, match=r"'.*out.txt' already exists; pass overwrite=True \(--overwrite\)"),
        atomic_output(target, overwrite=False),
    ):
        pass
    assert target.read_text() == "old"
    with atomic_output(target, overwrite=True) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"


def test_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="writer failed"), atomic_output(target, overwrite=True) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer failed")
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("as_folder", [False, True])
def test_output_that_appears_while_writing_is_kept(tmp_path, as_folder):
    target = tmp_path / "out.zarr"
    with pytest.raises(FileExistsError, match="appeared while writing"), atomic_output(target, overwrite=False) as tmp:
        if as_folder:
            tmp.mkdir()
            (tmp / "part").write_text("new")
        else:
            tmp.write_text("new")
        target.write_text("someone else's")
    assert target.read_text() == "someone else's"
    assert _leftovers(tmp_path) == []


def test_folder_output_replaces_a_file_with_overwrite(tmp_path):
    target = tmp_path / "out.zarr"
    target.write_text("a file where a Zarr store goes")
    with atomic_output(target, overwrite=True) as tmp:
        tmp.mkdir()
        (tmp / "part").write_text("new")
    assert (target / "part").read_text() == "new"


def test_folder_output_replaces_a_folder_with_overwrite(tmp_path):
    target = tmp_path / "out.zarr"
    target.mkdir()
    (target / "old").write_text("old")
    with atomic_output(target, overwrite=True) as tmp:
        tmp.mkdir()
        (tmp / "part").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["part"]


def test_file_output_onto_a_folder_is_refused(tmp_path):
    target = tmp_path / "report.html"
    target.mkdir()
    with (
        pytest.raises(IsADirectoryError, match="is a folder; give a file name"),
        atomic_output(target, overwrite=True) as tmp,
    ):
        tmp.write_text("x")
    assert target.is_dir()


def test_missing_folder_is_named(tmp_path):
    with (
        pytest.raises(FileNotFoundError, match=r"output folder '.*nowhere' does not exist"),
        atomic_output(tmp_path / "nowhere" / "out.txt", overwrite=False),
    ):
        pass
