"""axe-core audit (WCAG 2.0/2.1 A and AA) of the home, lesson and lab pages in Chromium.

Fails on any violation inside the app's own content; Streamlit's own (navigation, header)
are listed in the report, not failed on: they are the framework's to fix.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bench.bench_pages import IDLE_JS
from tests.browser.axe import audit, describe

PAGES = {
    "home": "/",  # the default page lives at the root: /home is "Page not found"
    # one section, with the sidebar's table of contents and Previous / Next
    "lesson": "/lesson?lesson=pipeline-parallelism&section=3",
    # every block of the lesson on one page
    "lesson-whole": "/lesson?lesson=pipeline-parallelism&section=all",
    # preformatted diagrams (scrollable, so focusable) and a second ordering card list
    "lesson-3": "/lesson?lesson=tensor-parallelism-ladder-residual&section=all",
    "lab": "/lab",
}


def settle(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(IDLE_JS, polling=100, timeout=60_000)


@pytest.mark.parametrize("name", list(PAGES))
def test_no_wcag_aa_violation_of_ours(server, page, name, record_property):
    settle(page, server.url + PAGES[name])
    nodes = audit(page)
    framework = [n for n in nodes if not n["ours"]]
    record_property("framework_violations", describe(framework) or "none")
    if framework:
        print(f"Streamlit's own WCAG violations on {name}:\n{describe(framework)}")
    ours = [n for n in nodes if n["ours"]]
    assert not ours, f"WCAG 2 AA violations in our content on {name}:\n{describe(ours)}"


def test_a_lesson_with_a_chart_open_has_no_violation_of_ours(server, page):
    settle(page, server.url + "/lesson?lesson=pipeline-parallelism&q=1f1b-m8")
    lab = page.locator(".st-key-lab-1f1b-m8")
    lab.get_by_text("Predicted", exact=True).click()
    expect(lab.locator(".js-plotly-plot")).to_be_visible(timeout=30_000)
    page.wait_for_function(IDLE_JS, polling=100, timeout=60_000)
    ours = [n for n in audit(page) if n["ours"]]
    assert not ours, describe(ours)
