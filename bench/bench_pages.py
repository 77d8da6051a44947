"""How long each page takes in a real browser, against a blank Streamlit page. Prints only.

    $ python bench/bench_pages.py [--rounds 3] [--pages home,lesson:pipeline-parallelism,lab]
    $ python bench/bench_pages.py --before /tmp/old-checkout   # also time another checkout
    $ python bench/bench_pages.py --click --pages lab    # + click Run → chart, cold and cached

Starts two real servers on free 127.0.0.1 ports — the app (`python -m ui.serve`) and a
one-line blank Streamlit app — with a fresh data directory, and drives them with Debian's
Chromium (the browser tests' flags). One *load* is `page.goto(url)` until the page is idle:
the script has finished (`stApp[data-test-script-state=notRunning]`, after it has run), no
element still shows Streamlit's loading skeleton (a widget whose code is still being fetched)
and every Plotly chart on the page has drawn its SVG. Each page is loaded once to warm the
server's caches, then `--rounds` times, interleaved with the blank page so that load from
other work on the machine hits both alike. Ratios are page ÷ blank within one run, of the
medians and of the minima (the minima are the better guide on a busy machine: contention
only ever adds time).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402

SETTLE_S = 20.0
BLANK_APP = 'import streamlit as st\n\nst.title("Blank")\n'
# The same blank page behind st.navigation at /page: every app page is at a path like this,
# and Streamlit's front end probes /page/_stcore/… before /_stcore/… there (framework cost).
BLANK_NAV_APP = (
    "import streamlit as st\n\n"
    'st.navigation([st.Page(lambda: st.title("Blank"), title="Blank", url_path="page")]).run()\n'
)
IDLE_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (document.querySelector("[data-testid='stSkeleton']")) return false;  // a widget not drawn yet
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
  return [...charts].every(c => c.querySelector(".main-svg"));
}"""


class BlankServer(Server):
    """A Streamlit server running only `st.title` (the baseline)."""

    def __init__(self, data_dir: Path, text: str = BLANK_APP) -> None:
        app = data_dir / "blank_app.py"
        app.write_text(text)
        super().__init__(data_dir, app=str(app))


def load(page, url: str) -> float:
    """Seconds from navigation to an idle page (script done, every chart drawn)."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(IDLE_JS, polling=20, timeout=120_000)
    return time.perf_counter() - t0


def app_pages(lessons: dict[str, int], whole: bool = False) -> list[tuple[str, str]]:
    """(name, path) of every page to time: each section of each lesson (a learner's page is
    one section: pages/lesson.py), with `whole` also each lesson on one page."""
    pages = [("home", "/")]  # the default page is the root (/home answers "Page not found")
    for lesson_id, count in lessons.items():
        for n in range(1, count + 1):
            pages.append((f"lesson {lesson_id} §{n}", f"/lesson?lesson={lesson_id}&section={n}"))
        if whole:
            pages.append((f"lesson {lesson_id} whole", f"/lesson?lesson={lesson_id}&section=all"))
    return [*pages, ("lab", "/lab")]


SECTIONS_PY = (
    "import json; from pathlib import Path; from lessons.loader import load_catalog; "
    "from lessons.sections import sections; "
    "print(json.dumps({l.id: [s.title for s in sections(l)] for l in "
    "load_catalog(Path('content/lessons')).lessons}))"
)


def lesson_sections(root: Path = ROOT) -> dict[str, list[str]] | None:
    """Lesson id → its sections' titles, in the checkout at `root` (asked in a process of
    its own there, so another checkout's code and content answer for it); None, said why,
    where that checkout cannot tell (one from before lessons had sections)."""
    out = subprocess.run(
        [sys.executable, "-c", SECTIONS_PY], cwd=root, capture_output=True, text=True
    )
    if out.returncode != 0:
        why = (out.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"{root}: no section titles ({why}); its pages are timed by number", file=sys.stderr)
        return None
    return json.loads(out.stdout)


def unlike(ours: dict[str, list[str]], theirs: dict[str, list[str]] | None) -> set[str]:
    """Paths of our sections that the other checkout lacks or calls by another title (a
    lesson cut anew): timing those against it would compare different pages."""
    if theirs is None:
        return set()
    return {
        f"/lesson?lesson={lesson}&section={n}"
        for lesson, titles in ours.items()
        for n, title in enumerate(titles, 1)
        if theirs.get(lesson, [])[n - 1 : n] != [title]
    }


def measure(browser, apps: dict[str, Server], blank: Server, pages, rounds: int, lacks=None):
    """Seconds per load: {"blank": [...], "home": [...], "home (before)": [...], ...}.
    `lacks`: app label → the paths not to time on that app (`unlike`)."""
    lacks = lacks or {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    times: dict[str, list[float]] = {"blank": [], "blank at /page": []}
    load(page, blank.url)
    load(page, apps["blank at /page"].url + "/page")
    for label, app in apps.items():  # warm-up: caches, imports, first session
        if label == "blank at /page":
            continue
        for _, path in pages:
            if path not in lacks.get(label, ()):
                load(page, app.url + path)
    for _ in range(rounds):
        for name, path in pages:
            for label, app in apps.items():
                if label != "blank at /page" and path not in lacks.get(label, ()):
                    times.setdefault(name + label, []).append(load(page, app.url + path))
            times["blank"].append(load(page, blank.url))
            times["blank at /page"].append(load(page, apps["blank at /page"].url + "/page"))
    context.close()
    return times


def click_to_chart(browser, app: Server) -> dict[str, float]:
    """Seconds from clicking Run on the lab page to the measured chart: the first run of
    the default spec on this server (cold), then the identical run again (served from cache).

    The server first gets SETTLE_S after its first lab visit, as a server that has been up a
    while has: its worker has started the warm pool, which imports torch once."""
    from classroom.store import Store

    learner = Store(app.data_dir / "paralab.db").create_learner("Bench")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    out = {}
    load(page, f"{app.url}/lab?learner={learner.token}")
    time.sleep(SETTLE_S)
    for label in ("cold", "cached"):
        load(page, f"{app.url}/lab?learner={learner.token}")
        run = page.get_by_role("tabpanel", name="Run")
        t0 = time.perf_counter()
        run.get_by_role("button", name="Run", exact=True).click()
        run.locator(".js-plotly-plot").first.wait_for(timeout=300_000)
        out[f"click Run → chart ({label})"] = time.perf_counter() - t0
    context.close()
    return out


def report(times: dict[str, list[float]]) -> None:
    base, floor = statistics.median(times["blank"]), min(times["blank"])
    print("\n| page | median | min | max | ÷ blank (medians) | ÷ blank (minima) |")
    print("|---|---|---|---|---|---|")
    for name, samples in times.items():
        med = statistics.median(samples)
        print(
            f"| {name} | {med * 1e3:,.0f} ms | {min(samples) * 1e3:,.0f} ms | "
            f"{max(samples) * 1e3:,.0f} ms | {med / base:.2f}× | {min(samples) / floor:.2f}× |"
        )
    worst: dict[str, float] = {}  # lesson → its slowest section, ÷ blank (medians)
    for name, samples in times.items():
        if name.startswith("lesson ") and " §" in name and "(before)" not in name:
            lesson = name[len("lesson ") :].split(" §")[0]
            worst[lesson] = max(worst.get(lesson, 0.0), statistics.median(samples) / base)
    if worst:
        over = {k: v for k, v in worst.items() if v > 2.0}
        print(
            f"\nslowest section per lesson ÷ blank (medians): {min(worst.values()):.2f}–"
            f"{max(worst.values()):.2f}×; over 2×: "
            + (", ".join(f"{k} {v:.2f}×" for k, v in over.items()) or "none")
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--pages", help="comma-separated: home, lab, lesson:ID (every section; default: all)"
    )
    ap.add_argument("--whole", action="store_true", help="also each lesson on one page")
    ap.add_argument("--before", type=Path, help="another checkout to time in the same rounds")
    ap.add_argument("--click", action="store_true", help="also time click Run → chart")
    args = ap.parse_args()
    ours = lesson_sections()
    pages = app_pages({lesson: len(titles) for lesson, titles in ours.items()}, args.whole)
    if args.pages:
        wanted = {w.replace("lesson:", "lesson ") for w in args.pages.split(",")}
        pages = [p for p in pages if p[0] in wanted or p[0].rsplit(" ", 1)[0] in wanted]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        dirs = [Path(tmp) / d for d in ("app", "blank", "before", "blank-nav")]
        for d in dirs:
            d.mkdir()
        apps = {"": Server(dirs[0])}
        lacks = {}
        if args.before:
            lacks[" (before)"] = unlike(ours, lesson_sections(args.before))
            apps[" (before)"] = Server(dirs[2], root=args.before.resolve())
        blank = BlankServer(dirs[1])
        apps["blank at /page"] = BlankServer(dirs[3], BLANK_NAV_APP)
        try:
            for server in (*apps.values(), blank):
                server.start()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                t0 = time.perf_counter()
                times = measure(browser, apps, blank, pages, args.rounds, lacks)
                clicks = click_to_chart(browser, apps[""]) if args.click else {}
                browser.close()
        finally:
            for server in (*apps.values(), blank):
                server.stop()
    print(f"{args.rounds} rounds after one warm-up load per page, viewport 1280×900")
    report(times)
    for name, seconds in clicks.items():
        print(f"\n{name}: {seconds * 1e3:,.0f} ms (a 2-rank CPU 1F1B run, m=4, lab defaults)")
    print(f"\n_total {time.perf_counter() - t0:.0f} s_")


if __name__ == "__main__":
    main()
