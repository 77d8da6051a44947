"""The HTML shell Streamlit serves, told where its server is, so a page connects at once.

Streamlit's front end does not know the server's base URL. On a page such as `/lesson` it
asks `/lesson/_stcore/health` first (a 404: that is a page, not the base), waits 100 ms, and
then asks `/_stcore/health`; on a 2-core box that is a third of a light page's load. The
front end reads an optional `window.__streamlit.BACKEND_BASE_URL` (the hook Streamlit gives
hosts that embed it); the shell below sets it before Streamlit's bundle runs, from the
browser's own address minus a trailing page name of this app, so a proxy that serves the
app under a prefix (`/paralab/lesson`) still gets `/paralab` (a prefix that is itself a page
name, `/lab/`, would be taken for the page: the README says not to use one). Everything
else in the static folder is served as is (symlinks to Streamlit's files).

`install()` is called by `ui.serve` before the server starts; a plain `streamlit run
app.py` serves Streamlit's own shell and connects 100 ms later, nothing else differs. If
Streamlit's shell ever changes so that the marker is missing, `install()` prints why and
leaves Streamlit's shell in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

MARKER = '<script type="module"'
TITLE = "<title>Streamlit</title>"


def shell_script(page_paths: list[str]) -> str:
    """An inline script that sets `window.__streamlit.BACKEND_BASE_URL` to the base URL."""
    return (
        "<script>(function () {\n"
        f"  var pages = {json.dumps(sorted(page_paths))};\n"
        '  var path = window.location.pathname.replace(/\\/+$/, "");\n'
        '  var last = path.slice(path.lastIndexOf("/") + 1);\n'
        "  if (pages.indexOf(last) >= 0) path = path.slice(0, path.length - last.length - 1);\n"
        "  window.__streamlit = Object.assign({}, window.__streamlit || {},\n"
        '    {BACKEND_BASE_URL: window.location.origin + path + "/"});\n'
        "})();</script>\n    "
    )


def patched_index(index_html: str, page_paths: list[str], title: str) -> str | None:
    """Streamlit's index.html with the base-URL script before its bundle; None if the
    shell no longer has the module script this relies on."""
    if MARKER not in index_html:
        return None
    out = index_html.replace(MARKER, shell_script(page_paths) + MARKER, 1)
    return out.replace(TITLE, f"<title>{title}</title>", 1)


def build(static_dir: Path, page_paths: list[str], title: str, parent: Path) -> Path | None:
    """A folder beside `parent` that mirrors `static_dir` with the patched index.html.

    Named by the content it serves, built under a temporary name and renamed into place,
    so servers started together share one and a restart reuses it."""
    index = patched_index((static_dir / "index.html").read_text(), page_paths, title)
    if index is None:
        return None
    digest = hashlib.sha256(f"{static_dir}\n{index}".encode()).hexdigest()[:16]
    target = parent / f"paralab-static-{digest}"
    if (target / "index.html").is_file():
        return target
    partial = Path(tempfile.mkdtemp(prefix=".paralab-static-", dir=parent))
    for entry in static_dir.iterdir():
        if entry.name != "index.html":
            (partial / entry.name).symlink_to(entry)
    (partial / "index.html").write_text(index)
    try:
        os.rename(partial, target)
    except OSError:  # another server renamed its copy first: the same content
        shutil.rmtree(partial, ignore_errors=True)
    return target


def install(page_paths: list[str], title: str = "ParaLab") -> Path | None:
    """Point Streamlit's static handler at the patched shell. Returns the folder, or None
    (and says why on stderr) when Streamlit's own shell stays."""
    from streamlit import file_util

    static_dir = Path(file_util.get_static_dir())
    try:
        folder = build(static_dir, page_paths, title, Path(tempfile.gettempdir()))
    except OSError as err:
        print(f"[serve] serving Streamlit's own page shell: {err}", file=sys.stderr)
        return None
    if folder is None:
        print(
            f"[serve] serving Streamlit's own page shell: {MARKER!r} not in its index.html",
            file=sys.stderr,
        )
        return None
    file_util.get_static_dir = lambda: str(folder)
    return folder
