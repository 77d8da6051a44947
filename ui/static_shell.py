"""The HTML shell Streamlit serves, told where its server is, so a page connects at once.

Streamlit's front end does not know the server's base URL. On a page such as `/lesson` it
asks `/lesson/_stcore/health` first (a 404: that is a page, not the base), waits 100 ms, and
then asks `/_stcore/health`; on a 2-core box that is a third of a light page's load. The
front end reads an optional `window.__streamlit.BACKEND_BASE_URL` (the hook Streamlit gives
hosts that embed it); the shell below sets it before Streamlit's bundle runs, from the
browser's own address minus a trailing page name of this app, so a proxy that serves the
app under a prefix (`/paralab/lesson`) still gets `/paralab` (a prefix that is itself a page
name, `/lab/`, would be taken for the page: the README says not to use one). Everything
else in the static folder is served as is: symlinks to Streamlit's files, in a private
folder of this process.

`install()` is called by `ui.serve` before the server starts; a plain `streamlit run
app.py` serves Streamlit's own shell and connects 100 ms later, nothing else differs. If
Streamlit's shell ever changes so that the marker is missing, `install()` prints why and
leaves Streamlit's shell in place.
"""

from __future__ import annotations

import atexit
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


PREFIX = "paralab-static-"


def build(static_dir: Path, page_paths: list[str], title: str, parent: Path) -> Path | None:
    """A private folder in `parent` (mode 0700, this process's) that mirrors `static_dir`
    with the patched index.html; None if the shell cannot be patched.

    Private and per process, not shared by name: a folder anyone could create first in a
    shared temporary directory would let them serve the page shell, and one half removed by
    a temp cleaner would be reused broken. `remove_stale` clears what dead servers left."""
    index = patched_index((static_dir / "index.html").read_text(encoding="utf-8"), page_paths,
                          title)  # fmt: skip
    if index is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent))
    try:
        for entry in static_dir.iterdir():
            if entry.name != "index.html":
                (folder / entry.name).symlink_to(entry)
        (folder / "index.html").write_text(index, encoding="utf-8")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def remove_stale(parent: Path) -> None:
    """Remove the mirrors of servers that are gone (killed with -9: no exit handler ran).
    Only this user's folders named `paralab-static-<pid>-…` whose pid is not running."""
    for folder in parent.glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.lstat().st_uid != os.getuid() or folder.is_symlink():
                continue
            os.kill(int(pid), 0)  # raises if no such process
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def install(page_paths: list[str], title: str = "ParaLab") -> Path | None:
    """Point Streamlit's static handler at the patched shell, removed again at exit.
    Returns the folder, or None (and says why on stderr) when Streamlit's own shell stays."""
    from streamlit import file_util

    static_dir = Path(file_util.get_static_dir())
    parent = Path(tempfile.gettempdir())
    try:
        remove_stale(parent)
        folder = build(static_dir, page_paths, title, parent)
    except OSError as err:
        print(f"[serve] serving Streamlit's own page shell: {err}", file=sys.stderr)
        return None
    if folder is None:
        print(
            f"[serve] serving Streamlit's own page shell: {MARKER!r} not in its index.html",
            file=sys.stderr,
        )
        return None
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    file_util.get_static_dir = lambda: str(folder)
    return folder
