"""Run a Python module or script that dies with the process that started it.

    python -m runner.tether -m torch.distributed.run --standalone ... # torchrun, tethered
    python -m runner.tether --module runner.workloads.pipeline --spec S --out D
    python -m runner.tether path/to/script.py --spec S --out D

Linux's `prctl(PR_SET_PDEATHSIG, SIGKILL)` asks the kernel to SIGKILL this process the
moment its parent exits, however the parent ends (`kill -9` included), so nothing the
parent's clean-up code would have done is needed. launch.py runs torchrun through this, and
torchrun runs each rank through it (`--no-python`), so a killed app takes torchrun along and
a dead torchrun takes its ranks: torchrun starts ranks in sessions of their own, which no
process-group signal reaches.

The parent may die before the prctl call; then the kernel would never send the signal. The
expected parent pid travels in `PARALAB_TETHER_PARENT`: if `getppid()` is no longer it, this
process exits at once. Then it names itself as the parent its own children must check.
Stdlib only (ctypes), safe to run before torch is imported. Elsewhere than Linux it does
nothing, and launch.py's token scan (PARALAB_JOB_TOKEN) remains the only safety net.
"""

from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys

PARENT_VAR = "PARALAB_TETHER_PARENT"
PR_SET_PDEATHSIG = 1
ORPHANED_EXIT = 70  # the parent was already gone: nothing was run


def tether() -> bool:
    """Ask for SIGKILL when the parent dies; exit if it is already gone. False off Linux."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    expected = os.environ.get(PARENT_VAR, "")
    if expected.isdigit() and os.getppid() != int(expected):
        os._exit(ORPHANED_EXIT)
    os.environ[PARENT_VAR] = str(os.getpid())  # what our own children check
    return True


def main(argv: list[str]) -> None:
    """`-m MODULE args…` / `--module MODULE args…` / `SCRIPT.py args…`, run as __main__."""
    if not argv:
        raise SystemExit("usage: python -m runner.tether (-m MODULE | SCRIPT) [ARGS ...]")
    tether()
    if argv[0] in ("-m", "--module"):
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return
    script = os.path.abspath(argv[0])
    sys.argv = [script, *argv[1:]]
    sys.path[0] = os.path.dirname(script)  # as `python SCRIPT` would
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
