"""Lab page and lab blocks: who may queue a run, one run at a time, the queue position.

The test holds the jobs database's lock, so the app's worker thread stands by and nothing
is launched: these tests are about admission, not about runs.
"""

from __future__ import annotations

import pytest

from runner.queue import JobQueue
from runner.queue_lock import QueueLock
from tests.app.conftest import page, pick_view, run_lab

BLOCK = "1f1b-m8"  # a pipeline lab block of lesson 1
LESSON = "pipeline-parallelism"


@pytest.fixture
def queue(data_dir):
    data_dir.mkdir(parents=True, exist_ok=True)
    jobs = JobQueue(data_dir / "jobs.db", data_dir / "results")
    lock = QueueLock(jobs.db_path)
    assert lock.acquire("the test")
    yield jobs
    lock.release()


def test_a_visitor_is_asked_to_sign_in_and_queues_nothing(queue):
    at = page("lab").run()
    run_lab(at, "pipeline").run()
    assert not at.exception
    assert any("Sign in" in w.value for w in at.warning)
    assert queue.list() == []


def test_a_learners_run_is_queued_for_them_with_its_position(queue, learner):
    at = page("lab", learner=learner.token).run()
    run_lab(at, "pipeline").run()
    assert not at.exception
    (job,) = queue.list()
    assert (job.state, job.requested_by) == ("queued", f"learner:{learner.id}")
    assert job.timeout_s == 120.0
    assert any("next in the queue" in p.proto.text for p in at.get("progress"))


def test_the_run_button_is_disabled_while_the_learners_run_waits(queue, learner, store):
    other = store.create_learner("Grace")
    at = page("lesson", learner=learner.token, lesson=LESSON, q=BLOCK).run()
    pick_view(at, f"labview-{BLOCK}", "Run it here").run()
    at.button(key=f"view-{BLOCK}-run").click().run()
    assert not at.exception
    assert at.button(key=f"view-{BLOCK}-run").disabled
    (job,) = queue.list()
    # the same preset from another learner: joined
    joined = page("lesson", learner=other.token, lesson=LESSON, q=BLOCK).run()
    pick_view(joined, f"labview-{BLOCK}", "Run it here").run()
    joined.button(key=f"view-{BLOCK}-run").click().run()
    assert [j.id for j in queue.list()] == [job.id]
    assert not [b for b in joined.button if b.key == f"view-{BLOCK}-cancel"]  # not theirs
