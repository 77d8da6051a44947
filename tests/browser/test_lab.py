"""The live lab in Chromium: a real torchrun job started from the page, its progress, its chart."""

from __future__ import annotations

from playwright.sync_api import expect

from classroom.store import Store


def test_a_run_started_in_the_browser_shows_progress_then_measured_and_predicted(server, page):
    learner = Store(server.data_dir / "paralab.db").create_learner("Ada")  # visitors cannot run
    chunks = []  # Streamlit's Plotly chunk: fetched while the page is idle, before any chart
    page.on("request", lambda r: chunks.append(r.url) if "/PlotlyChart." in r.url else None)
    page.goto(server.url + f"/lab?learner={learner.token}")
    run = page.get_by_role("tabpanel", name="Run")
    expect(run.get_by_role("button", name="Run", exact=True)).to_be_visible(timeout=30_000)
    for _ in range(150):  # the idle callback fires within 3 s of the page's load
        if chunks:
            break
        page.wait_for_timeout(100)
    assert len(chunks) == 1 and run.locator(".js-plotly-plot").count() == 0
    run.get_by_role("button", name="Run", exact=True).click()
    # Progress while the job is queued or running (a fragment polls the job's row).
    expect(run.get_by_test_id("stProgress")).to_be_visible(timeout=30_000)
    # Then the measured chart with both bubble figures, from a real trace.
    expect(run.get_by_text("Measured bubble")).to_be_visible(timeout=120_000)
    expect(run.get_by_text("Predicted bubble")).to_be_visible()
    expect(run.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    expect(run.get_by_text("1F1B · p=2 · m=4 · cpu")).to_be_visible()  # the chart's title
    assert len(chunks) == 1  # the chart used the module the page had already loaded
    table = run.get_by_role("table")  # recent runs: a real table, read by screen readers
    expect(table.get_by_role("cell", name="done")).to_be_visible()
    # The job ran for real: its trace is on disk under the server's data directory.
    traces = list((server.data_dir / "results").glob("*/trace.json"))
    assert len(traces) == 1


def test_a_tensor_parallel_run_from_the_form_shows_measured_beside_predicted(server, page):
    learner = Store(server.data_dir / "paralab.db").create_learner("Grace")
    page.goto(server.url + f"/lab?learner={learner.token}")
    run = page.get_by_role("tabpanel", name="Run")
    workloads = run.get_by_role("radiogroup", name="Workload")  # the form follows the registry
    workloads.get_by_role("radio", name="Tensor parallelism").click()
    expect(run.get_by_text("Tensor-parallel degree tp")).to_be_visible(timeout=30_000)
    # Streamlit drops a click that lands while the workload switch still reruns the page:
    # click until the run is queued (an identical spec is joined, never queued twice)
    for _ in range(5):
        run.get_by_role("button", name="Run", exact=True).click()
        try:
            expect(run.get_by_test_id("stProgress")).to_be_visible(timeout=8_000)
            break
        except AssertionError:
            continue
    expect(run.get_by_text("Step, measured")).to_be_visible(timeout=150_000)
    expect(run.get_by_text("Step, predicted")).to_be_visible()
    expect(run.get_by_text("Max |error| vs 1 process")).to_be_visible()
    expect(run.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    traces = list((server.data_dir / "results").glob("*/trace.json"))
    assert len(traces) == 1
    assert '"workload": "tensor_parallel"' in traces[0].read_text()


def test_recordings_are_browsable_without_a_gpu(server, page):
    page.goto(server.url + "/lab")
    page.get_by_role("tab", name="Recordings").click()
    panel = page.get_by_role("tabpanel", name="Recordings")
    expect(panel.get_by_text("Recorded on 2× NVIDIA H200")).to_be_visible(timeout=30_000)
    expect(panel.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
