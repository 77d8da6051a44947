"""Start the Streamlit server for ParaLab: `python -m ui.serve [streamlit run options]`.

Same as `streamlit run app.py`, with two differences. The lab's worker thread starts with
the server, so jobs queued before a restart run without waiting for a visitor, and it is
stopped (its job interrupted, its ranks killed) when the server stops. And: Streamlit
treats an app that has a `pages/` folder as an old-style (v1) multipage app until some
session has called `st.navigation`, so the very first visitor after a (re)start who lands
on `/lesson` or `/lab` gets the folder's file list as navigation. Setting the flag before the
server starts makes every session use the app's own `st.navigation` from the first request.

Before serving, it imports what every page needs (torch, plotly, the lesson and runner
modules) and freezes those objects out of the garbage collector (`gc.freeze()`): with
`runner.postScriptGC` off (.streamlit/config.toml) the collector still runs on its own, and
a full collection would otherwise walk torch's and plotly's objects (~0.18 s on 2 cores).

And it serves Streamlit's page shell with the server's base URL written in
(`ui/static_shell.py`): on a page like `/lesson` the browser would otherwise probe
`/lesson/_stcore/health`, get a 404 and try again at the root 100 ms later.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from ui import static_shell
from ui.navigation import url_paths

APP = Path(__file__).resolve().parent.parent / "app.py"


def preload() -> None:
    """Import the modules the pages use, then move every object alive now out of the
    collector's reach: later collections only walk what pages create. The port opens after
    this (a few seconds: torch), so the first visitor's page does not pay for it."""
    print("[serve] importing torch, plotly and the lessons before serving…", file=sys.stderr)
    import pandas  # noqa: F401  (st.dataframe and Plotly import it on a page's first use)
    import plotly.graph_objects  # noqa: F401
    import pyarrow  # noqa: F401
    import torch  # noqa: F401

    import lessons.loader  # noqa: F401
    import runner.simulate  # noqa: F401
    import ui.charts  # noqa: F401

    gc.collect()
    gc.freeze()


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False  # v2 navigation from the first session on
    sys.argv = ["streamlit", "run", str(APP), *argv]
    from datadir import DataDirError, data_dir
    from runner import warm_pool
    from runner.queue import JobQueue
    from runner.worker import ensure_worker_thread, stop_worker_threads

    try:
        data = data_dir()
        pool = warm_pool.shared() if warm_pool.enabled() else None  # CPU ranks start warm
        ensure_worker_thread(JobQueue(data / "jobs.db", data / "results"), warm_pool=pool)
    except DataDirError as err:  # the pages say so too; the server still serves the lessons
        print(f"error: {err}", file=sys.stderr)
    preload()
    static_shell.install(url_paths())  # the page connects to the server at the first try
    try:
        return cli.main()
    finally:
        stop_worker_threads()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
