"""The page shell `ui.serve` serves: Streamlit's index.html with the server's base URL set
before its bundle runs (ui/static_shell.py)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from streamlit import file_util

from ui.navigation import url_paths
from ui.static_shell import MARKER, PREFIX, build, patched_index, remove_stale

STREAMLIT_STATIC = file_util.get_static_dir()


def test_the_script_comes_before_streamlits_bundle_and_names_every_page():
    index = (Path(STREAMLIT_STATIC) / "index.html").read_text()
    out = patched_index(index, url_paths(), "ParaLab")
    assert out is not None
    script = out.index("BACKEND_BASE_URL")
    assert script < out.index(MARKER)
    assert all(f'"{p}"' in out[:script] for p in url_paths())
    assert "<title>ParaLab</title>" in out


def test_a_shell_without_the_module_script_is_left_alone():
    assert patched_index("<html><script src=x></script></html>", ["lesson"], "ParaLab") is None


def test_the_mirror_is_private_to_this_process_and_serves_streamlits_files(tmp_path):
    first = build(Path(STREAMLIT_STATIC), ["lesson"], "ParaLab", tmp_path)
    assert first is not None and (first / "index.html").is_file()
    assert first.name.startswith(f"{PREFIX}{os.getpid()}-")
    assert stat.S_IMODE(first.stat().st_mode) == 0o700  # nobody else can plant a shell in it
    assert (first / "static").is_symlink() and (first / "static" / "js").is_dir()
    second = build(Path(STREAMLIT_STATIC), ["lesson"], "ParaLab", tmp_path)
    assert second != first  # never a folder somebody else could have made first
    js = sorted((Path(STREAMLIT_STATIC) / "static" / "js").iterdir())
    shutil.rmtree(first)  # what the exit handler does: it unlinks the links, nothing behind
    assert not first.exists()
    assert sorted((Path(STREAMLIT_STATIC) / "static" / "js").iterdir()) == js
    assert (Path(STREAMLIT_STATIC) / "index.html").is_file()


def test_stale_mirrors_of_dead_servers_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    gone = tmp_path / f"{PREFIX}{dead.pid}-abc"
    mine = tmp_path / f"{PREFIX}{os.getpid()}-def"
    other = tmp_path / "paralab-static-notapid-x"
    for folder in (gone, mine, other):
        folder.mkdir()
        (folder / "index.html").write_text("x")
    remove_stale(tmp_path)
    assert not gone.exists() and mine.exists() and other.exists()
