"""The page shell `ui.serve` serves: Streamlit's index.html with the server's base URL set
before its bundle runs (ui/static_shell.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit import file_util

from ui.navigation import url_paths
from ui.static_shell import MARKER, build, patched_index

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


def test_the_mirror_serves_streamlits_files_and_is_reused(tmp_path):
    first = build(Path(STREAMLIT_STATIC), ["lesson"], "ParaLab", tmp_path)
    assert first is not None and (first / "index.html").is_file()
    assert (first / "static").is_symlink() and (first / "static" / "js").is_dir()
    again = build(Path(STREAMLIT_STATIC), ["lesson"], "ParaLab", tmp_path)
    assert again == first
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no partial copies left
