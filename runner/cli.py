"""Command line: run one lab job, run the background worker, list schedules.

    python -m runner run pipeline --schedule 1F1B --stages 2 --microbatches 4 --out DIR
    python -m runner run tensor_parallel --mode ladder --out DIR    # any registered workload
    python -m runner workloads                                      # list them, with fields
    python -m runner worker [--db DATA/jobs.db or postgresql://…] [--results DATA/results]
    python -m runner schedules

DATA is $PARALAB_DATA_DIR, else <repo>/data (datadir.py), wherever the command is started.

Bad parameters exit 2 with one line, `error: FIELD: reason`, before anything is launched.
torch is imported only to learn its version, the GPU count and the schedules it offers, so
`--help` and the refusals that need no machine facts are instant.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from runner import registry
from runner import spec as specs

EXIT_FAILED = 1
EXIT_BAD_PARAMS = 2


class _Parser(argparse.ArgumentParser):
    """argparse that refuses in one line (`error: ...`) instead of usage + message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_PARAMS)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m runner", description="ParaLab job runner")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run one job in the foreground and write DIR/trace.json")
    per_workload = run.add_subparsers(dest="workload", required=True, parser_class=_Parser)
    for workload in registry.all():
        add_workload_parser(per_workload, workload)
    worker = sub.add_parser("worker", help="consume the job queue until SIGINT/SIGTERM")
    worker.add_argument(
        "--db",
        help="SQLite file or postgresql:// URL; default: $PARALAB_DATABASE_URL or DATA/jobs.db",
    )
    worker.add_argument("--results", type=Path, help="default: DATA/results")
    worker.add_argument("--timeout", type=float, default=300.0, help="per-job limit, seconds")
    worker.add_argument("--poll", type=float, default=1.0, help="seconds between queue checks")
    sub.add_parser("schedules", help="list the schedules this torch can run")
    sub.add_parser("workloads", help="list the workloads and their fields")
    return parser


_ARG_TYPES = {"int": int, "float": float, "str": str}


def add_workload_parser(sub, workload: registry.Workload) -> None:
    """`run NAME --field VALUE ...`: one option per spec field, from its declaration."""
    cls = workload.spec_class
    parser = sub.add_parser(
        workload.name, help=workload.summary, description=workload.summary, allow_abbrev=False
    )
    aliases = {target: alias for alias, target in cls.ALIASES.items()}
    for f in dataclasses.fields(cls):
        flags = [f"--{f.name.replace('_', '-')}"]
        if f.name in aliases:
            flags.append(f"--{aliases[f.name].replace('_', '-')}")
        choices = f.metadata.get("choices")
        parser.add_argument(
            *flags, dest=f.name, type=_ARG_TYPES[str(f.type)], default=None, choices=choices,
            help=f"{f.metadata.get('doc', '')} (default: {f.default})",
        )  # fmt: skip
    parser.add_argument("--out", required=True, type=Path, help="folder for trace.json and log")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before it is killed")


def machine() -> specs.Machine:
    """Facts validation needs, from torch (imported here, lazily): version, GPUs, schedules."""
    import torch

    from runner import schedules

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return specs.Machine(
        torch=torch.__version__,
        gpus=gpus,
        schedules=tuple(schedules.available(torch)),
        gpu_free_bytes=_gpu_free_bytes(torch, gpus),
    )


def _gpu_free_bytes(torch: Any, gpus: int) -> int | None:
    """Free memory of the fullest GPU, via NVML where torch can use it, else its total size.

    Not torch.cuda.mem_get_info: that would create a CUDA context on every GPU in this
    process, which would then hold memory the ranks need for the whole run.
    """
    if not gpus:
        return None
    free = []
    for index in range(gpus):
        total = torch.cuda.get_device_properties(index).total_memory
        try:
            free.append(total - torch.cuda.device_memory_used(index))
        except Exception:  # no NVML here: fall back to the card's size
            free.append(total)
    return min(free)


def spec_from_args(args: argparse.Namespace) -> specs.BaseSpec:
    cls = registry.get(args.workload).spec_class
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls)}
    return cls.from_mapping({k: v for k, v in given.items() if v is not None})


def _refuse(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_PARAMS


def cmd_run(args: argparse.Namespace) -> int:
    problem = _timeout_problem(args.timeout) or _out_problem(args.out, create=False)
    if problem:
        return _refuse(problem)
    try:
        spec = specs.validate(spec_from_args(args), machine())
    except specs.SpecError as exc:
        return _refuse(str(exc))
    problem = _out_problem(args.out, create=True)
    if problem:
        return _refuse(problem)
    from runner import launch

    stop = _stop_on_signals()
    print(f"running {spec.describe()} on {spec.ranks} {spec.device} ranks; log: {args.out}/log.txt")
    result = launch.run(
        spec,
        args.out,
        timeout_s=args.timeout,
        log_path=args.out / "log.txt",
        should_cancel=stop.is_set,
        on_progress=lambda fraction, phase: print(f"progress: {fraction:4.0%} {phase}", flush=True),
    )
    if result.status == "done":
        print(result.trace_path)
        return 0
    print(f"error: job {result.status}: {result.message}", file=sys.stderr)
    return EXIT_FAILED


def cmd_worker(args: argparse.Namespace) -> int:
    import logging

    from datadir import DataDirError
    from runner.queue import JobQueue, default_queue
    from runner.worker import Worker, WorkerBusy
    from storage.db import store_errors

    problem = _timeout_problem(args.timeout)
    if problem:
        return _refuse(problem)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        default = None if (args.db and args.results) else default_queue()
        queue = JobQueue(args.db or default.db, args.results or default.results_dir)
    except (DataDirError, ValueError, *store_errors()) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    stop = _stop_on_signals()
    print(f"worker: {queue.identity}; Ctrl-C stops", flush=True)
    try:
        Worker(queue, timeout_s=args.timeout, poll_s=args.poll).run_forever(stop)
    except WorkerBusy as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _timeout_problem(timeout: float) -> str | None:
    from runner.launch import check_timeout

    try:
        check_timeout(timeout)
    except ValueError as err:
        return str(err)
    return None


def _out_problem(out: Path, create: bool) -> str | None:
    """Why `--out` cannot be the job's folder (an existing file, an unwritable place)."""
    if out.exists() and not out.is_dir():
        return f"out: {out} exists and is not a folder"
    if not create:
        return None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return f"out: cannot create {out}: {err.strerror or err}"
    if not os.access(out, os.W_OK):
        return f"out: {out} is not writable"
    return None


def cmd_schedules(args: argparse.Namespace) -> int:
    print("\n".join(machine().schedules))
    return 0


def cmd_workloads(args: argparse.Namespace) -> int:
    """Every registered workload, its module and its fields with defaults and reasons."""
    for workload in registry.all():
        print(f"{workload.name} — {workload.title}: {workload.summary}")
        print(f"  runs: torchrun -m {workload.module}")
        aliases = {t: a for a, t in workload.spec_class.ALIASES.items()}
        for name, typ, default, doc in workload.spec_class.fields_doc():
            alias = f" (or --{aliases[name]})" if name in aliases else ""
            print(f"  --{name.replace('_', '-')}{alias} {typ} = {default!r}: {doc}")
        print()
    return 0


def _stop_on_signals() -> threading.Event:
    """An event set by SIGINT/SIGTERM, so a job in flight is stopped cleanly, not orphaned."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "run": cmd_run,
        "worker": cmd_worker,
        "schedules": cmd_schedules,
        "workloads": cmd_workloads,
    }[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os._exit(EXIT_FAILED)
