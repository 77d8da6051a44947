"""No page asks the internet for anything: every request goes to the app's own origin.

A classroom may be offline or firewalled; a favicon or font from a CDN fails there (and
tells a third party who is reading what). The browser records every request while a
learner walks through the home page, a lesson with a chart open, and each lab tab.
"""

from __future__ import annotations

from playwright.sync_api import expect

from bench.bench_pages import IDLE_JS


def _walk(server, page) -> None:
    for path in ("/", "/lesson?lesson=pipeline-parallelism", "/lab"):
        page.goto(server.url + path)
        page.wait_for_function(IDLE_JS, polling=100, timeout=60_000)
    page.goto(server.url + "/lesson?lesson=pipeline-parallelism&q=1f1b-m8")
    lab = page.locator(".st-key-lab-1f1b-m8")
    lab.get_by_text("Recorded on 2× NVIDIA H200", exact=True).click()
    expect(lab.locator(".js-plotly-plot")).to_be_visible(timeout=30_000)
    # two stages per rank: hatched chunks on both panels (a legend-only key trace once
    # kept this chart from drawing at all)
    page.goto(server.url + "/lesson?lesson=interleaved-zero-bubble&q=interleaved-1f1b-m8")
    lab = page.locator(".st-key-lab-interleaved-1f1b-m8")
    lab.get_by_role("radio", name="Recorded on 2× NVIDIA H200").click()
    expect(lab.locator(".js-plotly-plot")).to_be_visible(timeout=30_000)
    page.goto(server.url + "/lab")
    for tab in ("Compare two runs", "Recordings", "Simulator"):
        page.get_by_role("tab", name=tab).click()
        panel = page.get_by_role("tabpanel", name=tab)
        expect(panel.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)


def test_every_request_goes_to_the_apps_origin(server, page):
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    _walk(server, page)
    assert len(urls) > 20  # the walk really loaded pages, scripts and fonts
    origins = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")
    foreign = sorted({u for u in urls if not u.startswith(origins)})
    assert not foreign, f"requests off this server: {foreign}"
    assert all(
        u.startswith((server.url, server.url.replace("http", "ws")))
        or u.startswith(("data:", "blob:"))
        for u in urls
    )


def test_the_favicon_is_served_by_the_app(server, page):
    page.goto(server.url + "/")
    page.wait_for_function(IDLE_JS, polling=100, timeout=60_000)
    hrefs = page.eval_on_selector_all("link[rel~='icon']", "els => els.map(e => e.href)")
    assert hrefs, "no favicon link"
    assert all(h.startswith((server.url, "data:")) for h in hrefs), hrefs
