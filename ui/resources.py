"""Shared, cached handles for the pages: the progress store, the lesson catalogue, the job queue.

This is the page layer (it imports Streamlit); the packages it wraps (`lessons`,
`classroom`, `runner`) stay free of it. Every `st.cache_*` of the app lives here, so a
rerun of a page never reopens the database or re-reads unchanged lessons.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

import datadir
from classroom.store import Store
from lessons.loader import Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent
TRACE_DIR = ROOT / "content" / "traces"


@st.cache_resource(show_spinner=False)
def _store(directory: str) -> Store:
    return Store(Path(directory) / "paralab.db")


@st.cache_resource(show_spinner=False)
def _checked_data_dir(configured: str | None) -> str:
    del configured  # the cache key: datadir reads the variable itself
    return str(datadir.data_dir())  # raises (and caches nothing) while the folder is unusable


def data_dir() -> str:
    """The data folder, checked once per process; an unusable one stops the page with one
    line (missing, read-only, full), not a traceback."""
    try:
        return _checked_data_dir(os.environ.get(datadir.ENV))
    except datadir.DataDirError as err:
        st.error(f"ParaLab cannot keep answers or runs here — {err}", icon=":material/error:")
        st.stop()


def store() -> Store:
    """The progress store (SQLite in WAL mode under the data directory)."""
    return _store(data_dir())


def _lesson_stamp(directory: Path) -> tuple[tuple[str, float], ...]:
    """Names and modification times of the lesson files: the catalogue's cache key.

    The link's own time for a link whose target is gone (the loader reports it as broken).
    """
    return tuple(sorted((p.name, _mtime(p)) for p in directory.glob("*.y*ml")))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return path.lstat().st_mtime


# cache_resource, not cache_data: one shared, read-only object instead of an unpickled copy
# per call (~5–10 ms for the catalogue on every page run).
@st.cache_resource(show_spinner=False, max_entries=4)
def _catalog(directory: str, stamp: tuple[tuple[str, float], ...]) -> Catalog:
    del stamp  # part of the cache key only: an edited lesson file is read again
    return load_catalog(Path(directory))


def lesson_dir() -> Path:
    """`$PARALAB_LESSONS` or `content/lessons`."""
    return Path(os.environ.get("PARALAB_LESSONS", ROOT / "content" / "lessons"))


def catalog() -> Catalog:
    """All lessons, re-read only when a file in the lesson folder changes."""
    directory = lesson_dir()
    return _catalog(str(directory), _lesson_stamp(directory))


@st.cache_resource(show_spinner=False, max_entries=128)
def _trace(path: str, stamp: float) -> dict:
    del stamp  # part of the cache key only: a rewritten file is read again
    from runner.trace import load

    return load(path)


def trace_at(path) -> dict:
    """A validated trace file, read once per version of the file (not on every rerun).

    Shared between sessions: treat it as read-only (everything in `runner.gantt` is pure)."""
    return _trace(str(path), Path(path).stat().st_mtime)


@st.cache_resource(show_spinner=False)
def _job_queue(directory: str):
    from runner import warm_pool
    from runner.queue import JobQueue
    from runner.worker import ensure_worker_thread

    queue = JobQueue(Path(directory) / "jobs.db", Path(directory) / "results")
    # CPU runs fork their ranks from a process with torch imported (runner/warm_pool.py)
    ensure_worker_thread(queue, warm_pool=warm_pool.shared() if warm_pool.enabled() else None)
    return queue


def job_queue():
    """The persistent lab job queue, with one background worker thread per server process.

    The thread consumes the queue once it holds the database's lock (a `python -m runner
    worker` beside the app may hold it instead); taking it, it cleans up after a dead worker.
    """
    return _job_queue(data_dir())


@st.cache_resource(show_spinner=False)
def machine():
    """What this server can run (runner.specs.base.Machine): torch, GPUs, schedules."""
    import torch

    from runner import schedules
    from runner.spec import Machine

    return Machine(
        torch=torch.__version__.split("+")[0],
        gpus=torch.cuda.device_count() if torch.cuda.is_available() else 0,
        schedules=tuple(schedules.available(torch)),
    )
