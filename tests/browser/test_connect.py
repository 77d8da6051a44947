"""A page connects to the server at its first try: no probe of `/lesson/_stcore/health`
(a 404, then 100 ms of waiting) before the real one at the root (ui/static_shell.py)."""

from __future__ import annotations

from bench.bench_pages import IDLE_JS
from ui.navigation import url_paths
from ui.static_shell import patched_index


def test_a_lesson_page_asks_the_root_for_health_only(server, page):
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(server.url + "/lesson?lesson=pipeline-parallelism")
    page.wait_for_function(IDLE_JS, polling=100, timeout=60_000)
    health = [u for u in urls if u.endswith("_stcore/health")]
    assert health == [server.url + "/_stcore/health"], health
    assert page.evaluate("window.__streamlit.BACKEND_BASE_URL") == server.url + "/"
    assert page.title() != "Streamlit"


def test_behind_a_proxy_prefix_the_base_keeps_the_prefix(page):
    """Served at http://paralab.test/course/…, the base is /course/ on every page (the
    script only drops a trailing page name), and on the prefix itself."""
    shell = patched_index("<head><script type=\"module\" src=\"x.js\"></script></head>",
                          url_paths(), "ParaLab")  # fmt: skip
    page.route("http://paralab.test/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body=shell))  # fmt: skip
    for path in ("/course/lesson?lesson=x", "/course/lab", "/course", "/course/", "/"):
        page.goto("http://paralab.test" + path)
        expected = "http://paralab.test/" if path == "/" else "http://paralab.test/course/"
        assert page.evaluate("window.__streamlit.BACKEND_BASE_URL") == expected, path
