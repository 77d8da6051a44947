"""The lab's run form in Chromium (ui/spec_form.py: one component holding a real `<form>`),
by keyboard: a number out of bounds is said so under its field and runs nothing, a field in
error inside the closed "Model size and measurement" opens it and takes the focus, the view's
warning follows the fields as they change, and Run queues exactly what the form shows.

The test holds the jobs database's worker lock, so the server's worker stands by: the run is
queued, not launched (the runs themselves are tests/browser/test_lab.py's)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from classroom.store import Store
from runner.queue import JobQueue
from runner.queue_lock import QueueLock
from tests.browser.conftest import Server


@pytest.fixture
def held(tmp_path):
    """(server, jobs): a server whose worker stands by, the test holding its queue's lock."""
    data = tmp_path / "data"
    data.mkdir()
    jobs = JobQueue(data / "jobs.db", data / "results")
    lock = QueueLock(jobs.db_path)
    assert lock.acquire("the test")
    srv = Server(data)
    srv.start()
    yield srv, jobs
    srv.stop()
    lock.release()


def queued(jobs: JobQueue, timeout: float = 15.0) -> list:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if found := jobs.list():
            return found
        time.sleep(0.2)
    return []


def test_the_run_form_by_keyboard_refuses_bad_numbers_and_queues_what_it_shows(held, page):
    server, jobs = held
    learner = Store(server.data_dir / "paralab.db").create_learner("Ada")
    page.goto(server.url + f"/lab?learner={learner.token}")
    run = page.get_by_role("tabpanel", name="Run")
    m = run.get_by_role("spinbutton", name="Micro-batches m")
    expect(m).to_have_value("4")
    expect(m).to_have_accessible_description("m: pieces the batch is split into; more "
                                             "shrink the bubble")  # fmt: skip

    m.fill("0")
    m.press("Enter")  # Enter in a field runs the form, as in any web form: refused here
    expect(run.get_by_text("Out of range: from 1 to 256.")).to_be_visible()
    expect(m).to_have_attribute("aria-invalid", "true")
    expect(m).to_be_focused()
    m.fill("1")  # editing clears the message at once
    expect(run.get_by_text("Out of range: from 1 to 256.")).to_have_count(0)
    page.keyboard.press("Tab")  # leaving the field commits it: the warning follows
    expect(run.get_by_text("1 micro-batches for 2 ranks")).to_be_visible()
    # 1F1B refuses m < p; GPipe runs it (a large bubble: what the warning says)
    run.get_by_role("combobox", name="Schedule").select_option("GPipe")

    more = run.get_by_text("Model size and measurement")
    more.focus()
    page.keyboard.press("Enter")  # <details> opens by keyboard
    steps = run.get_by_role("spinbutton", name="Measured steps")
    steps.fill("2.5")
    page.keyboard.press("Tab")
    expect(run.get_by_text("A whole number: from 1 to 20.")).to_be_visible()
    more.focus()
    page.keyboard.press("Enter")  # closed again, the bad field hidden inside
    expect(steps).to_be_hidden()
    run.get_by_role("button", name="Run", exact=True).focus()
    page.keyboard.press("Enter")
    expect(steps).to_be_focused()  # Run opened the section and went to the field
    time.sleep(1.0)
    assert jobs.list() == []  # nothing was queued while a field was in error

    steps.fill("5")
    steps.press("Enter")
    (job,) = queued(jobs)
    spec = job.spec
    assert (spec.schedule, spec.microbatches, spec.iterations, spec.pp) == ("GPipe", 1, 5, 2)
    assert job.requested_by == f"learner:{learner.id}"
    expect(run.get_by_test_id("stProgress")).to_be_visible()  # waiting for the machine
    expect(m).to_have_value("1")  # the form still shows what was run
