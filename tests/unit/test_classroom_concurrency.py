"""Concurrency tests for classroom.store: threads and processes writing at the same moment.

Every worker waits on a barrier so that all of them submit at once; the assertions are on
what arrived (every row, try numbers 1..N with no gap or repeat), never on timing.

    $ pytest tests/unit -q -k classroom
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from classroom.store import MIGRATIONS, Store

LESSON = "pipeline-basics"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "paralab.db")


# Concurrency ------------------------------------------------------------------------------

THREADS = 16
SHARED_THREADS = 4  # of THREADS, these all answer the same learner's same question
PER_THREAD = 25


def test_concurrent_threads_never_lose_or_duplicate_a_try(store: Store) -> None:
    shared = store.create_learner("Shared")
    own = [store.create_learner(f"Solo {i}") for i in range(THREADS - SHARED_THREADS)]
    learners = [shared] * SHARED_THREADS + own
    start = threading.Barrier(THREADS)

    def submit(learner_id: int) -> list[int]:
        start.wait(timeout=60)  # release every thread at once
        return [
            store.record_attempt(learner_id, LESSON, "q", n, 0.0, 0.0, False).try_no
            for n in range(PER_THREAD)
        ]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(submit, [learner.id for learner in learners]))

    assert len(store.attempts()) == THREADS * PER_THREAD
    shared_tries = sorted(t for result in results[:SHARED_THREADS] for t in result)
    assert shared_tries == list(range(1, SHARED_THREADS * PER_THREAD + 1))
    stored = sorted(a.try_no for a in store.attempts(shared.id))
    assert stored == shared_tries
    for learner, result in zip(own, results[SHARED_THREADS:], strict=True):
        assert result == list(range(1, PER_THREAD + 1))
        assert [a.answer for a in store.attempts(learner.id)] == list(range(PER_THREAD))


PROCESSES = 4


def _process_worker(path: str, shared_id: int, start, index: int) -> None:
    """Runs in a spawned process: its own Store, its own learner, and the shared question."""
    store = Store(Path(path))
    own = store.create_learner(f"Process {index}")
    start.wait(timeout=60)
    for n in range(PER_THREAD):
        store.record_attempt(shared_id, LESSON, "q", [index, n], 0.0, 0.0, False)
        store.record_attempt(own.id, LESSON, "q", n, 0.0, 0.0, False)


def test_concurrent_processes_share_the_file_through_wal(store: Store) -> None:
    shared = store.create_learner("Shared")
    context = multiprocessing.get_context("spawn")  # no fork of a threaded pytest
    start = context.Barrier(PROCESSES)
    workers = [
        context.Process(target=_process_worker, args=(str(store.path), shared.id, start, i))
        for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES

    assert store.journal_mode() == "wal"
    assert len(store.list_learners()) == 1 + PROCESSES
    assert len(store.attempts()) == 2 * PROCESSES * PER_THREAD
    shared_attempts = store.attempts(shared.id)
    assert sorted(a.try_no for a in shared_attempts) == list(range(1, PROCESSES * PER_THREAD + 1))
    assert sorted(map(tuple, (a.answer for a in shared_attempts))) == [
        (i, n) for i in range(PROCESSES) for n in range(PER_THREAD)
    ]
    for learner in store.list_learners()[1:]:
        assert [a.try_no for a in store.attempts(learner.id)] == list(range(1, PER_THREAD + 1))


def _open_and_join(path: str, start) -> None:
    """Runs in a spawned process: open a store the moment every other process does."""
    start.wait(timeout=60)
    Store(Path(path)).create_learner("Early bird")


def test_many_processes_can_create_the_same_new_file_at_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for round_no in range(3):  # the race on creating the file is narrow: try a few new files
        path = tmp_path / f"new-{round_no}.db"
        start = context.Barrier(2 * PROCESSES)
        workers = [
            context.Process(target=_open_and_join, args=(str(path), start))
            for _ in range(2 * PROCESSES)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert [worker.exitcode for worker in workers] == [0] * (2 * PROCESSES)
        store = Store(path)
        assert (store.journal_mode(), store.schema_version()) == ("wal", len(MIGRATIONS))
        assert len(store.list_learners()) == 2 * PROCESSES
