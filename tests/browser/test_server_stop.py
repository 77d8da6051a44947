"""SIGTERM of a plain `streamlit run app.py` server while a run started from the page is in
flight: the worker thread is stopped at exit, so the job ends interrupted, no rank is left."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from classroom.store import Store
from runner.queue import JobQueue
from runner.warm_pool import job_processes


def processes_of(job) -> set[int]:
    return job_processes(job.token, job.pid)


def test_stopping_the_server_mid_run_leaves_no_process(server, page):
    learner = Store(server.data_dir / "paralab.db").create_learner("Ada")
    page.goto(server.url + f"/lab?learner={learner.token}")
    run = page.get_by_role("tabpanel", name="Run")
    run.get_by_role("button", name="Run", exact=True).click()
    expect(run.get_by_test_id("stProgress")).to_be_visible(timeout=30_000)
    queue = JobQueue(server.data_dir / "jobs.db", server.data_dir / "results")
    deadline = time.monotonic() + 60
    while not [j for j in queue.list() if j.state == "running" and len(processes_of(j)) > 2]:
        assert time.monotonic() < deadline, "the run never started its ranks"
        time.sleep(0.2)
    (job,) = queue.list()
    server.stop()  # SIGTERM to the server's process group; the job's ranks are not in it
    assert processes_of(job) == set()
    assert queue.get(job.id).state == "interrupted"
