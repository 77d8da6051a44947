"""One data-directory rule for the classroom store and the job queue."""

from __future__ import annotations

import pytest

import datadir
from classroom.store import data_dir as store_data_dir
from runner.queue import default_queue


def test_both_stores_use_one_absolute_folder_whatever_the_cwd(tmp_path, monkeypatch):
    monkeypatch.delenv("PARALAB_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # the runner used ./data, relative to wherever it started
    expected = datadir.REPO_ROOT / "data"
    assert store_data_dir() == expected
    assert default_queue().db_path == expected / "jobs.db"


def test_the_variable_wins_and_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARALAB_DATA_DIR", "rel/data")
    assert datadir.data_dir() == tmp_path / "rel" / "data"
    assert default_queue().results_dir == tmp_path / "rel" / "data" / "results"


def test_an_unusable_folder_is_one_line(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PARALAB_DATA_DIR", str(blocker / "data"))
    with pytest.raises(datadir.DataDirError) as err:
        datadir.data_dir()
    assert str(blocker / "data") in str(err.value) and "\n" not in str(err.value)


def test_a_full_disk_is_found_before_a_store_opens(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setenv("PARALAB_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(datadir.os, "fsync", full)
    with pytest.raises(datadir.DataDirError, match="No space left"):
        datadir.data_dir()
