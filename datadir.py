"""Where ParaLab keeps its data: one rule for every store (learners' answers, the job queue).

    >>> from datadir import data_dir
    >>> data_dir()            # $PARALAB_DATA_DIR if set, else <repo>/data; absolute either way
    PosixPath('/srv/paralab/data')

The same absolute folder for the app and for `python -m runner worker`, whatever directory
either was started from, so they always share one queue and one store. The folder is created
and a byte is written and removed, so a missing, read-only or full disk is found here, as one
line (`DataDirError`), before any store opens a database in it. Stdlib only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENV = "PARALAB_DATA_DIR"
REPO_ROOT = Path(__file__).resolve().parent


class DataDirError(OSError):
    """The data directory cannot be used; `str()` is one line saying where and why."""


def data_dir(check: bool = True) -> Path:
    """`$PARALAB_DATA_DIR` or `<repo>/data`, resolved, created, and (with `check`) writable."""
    configured = os.environ.get(ENV)
    path = Path(configured).expanduser() if configured else REPO_ROOT / "data"
    path = path.resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        if check:
            with tempfile.TemporaryFile(dir=path) as probe:
                probe.write(b"x")
                probe.flush()
                os.fsync(probe.fileno())
    except OSError as err:
        why = err.strerror or type(err).__name__
        message = f"data directory {path}: {why} (set {ENV} to a writable folder)"
        raise DataDirError(message) from err
    return path
