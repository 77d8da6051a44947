"""A bounded load run of a live session: many learners answering one open question.

$ .venv/bin/python bench/bench_sessions.py [--learners 100] [--browsers 20]

1. Store API: `--learners` simulated learners (threads) join one session and answer its open
   question through `SessionStore.submit`; printed: answers acknowledged vs stored (must be
   equal), wall time, and the ratio to the baseline measured in the same run (the same number
   of plain `Store.record_attempt` calls, the lesson page's path).
2. Browsers: a real server and `--browsers` Chromium contexts join by code and answer in
   parallel; a presenter context watches. Printed: answers acknowledged on screen vs stored,
   the time until every learner's screen followed the "open", and the time until the
   presenter's distribution included all of them (from the last acknowledgement).
Everything stays on 127.0.0.1; the server is stopped by its pid at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom.sessions import AnswerRefused, SessionStore
from classroom.store import Store

LESSON, QUESTION = "live-demo", "first-idle"


def store_run(n: int, workers: int = 16) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "paralab.db")
        sessions = SessionStore(store)
        live = sessions.create(LESSON)
        learners = [store.create_learner(f"L{i}") for i in range(n)]
        for learner in learners:
            sessions.join(live.id, learner.id)
        sessions.open_question(live.id, QUESTION)
        acked = []
        lock = threading.Lock()

        def answer(learner) -> None:
            try:
                sessions.submit(live.id, learner.id, QUESTION, "b", score=1.0, correct=True)
            except AnswerRefused:
                return
            with lock:
                acked.append(learner.id)

        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(answer, learners))
        session_s = time.perf_counter() - start
        stored = len(sessions.answers(live.id, QUESTION))

        def baseline(learner) -> None:
            store.record_attempt(learner.id, "baseline", QUESTION, "b", 1.0, 1.0, True)

        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(baseline, learners))
        base_s = time.perf_counter() - start
    print(f"store API: {n} learners, {workers} threads")
    verdict = "OK" if len(acked) == stored else "MISMATCH"
    print(f"  acknowledged {len(acked)}  stored {stored}  {verdict}")
    each = session_s / n * 1e3
    print(f"  session submits {session_s * 1e3:.0f} ms ({each:.1f} ms each); baseline")
    print(f"  record_attempt {base_s * 1e3:.0f} ms; ratio {session_s / base_s:.2f}×")


def browser_run(n: int, timeout_s: float) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.browser.sessions_helpers import card, class_server, join, unlock

    with tempfile.TemporaryDirectory() as tmp:
        server = class_server(Path(tmp))
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                _browser_class(browser, server, n, timeout_s, card, join, unlock)
                browser.close()
        finally:
            server.stop()


def _browser_class(browser, server, n, timeout_s, card, join, unlock) -> None:
    sessions = SessionStore(Store(server.data_dir / "paralab.db"))
    live = sessions.create(LESSON)
    pages = []
    for _ in range(n + 1):
        page = browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
        page.set_default_timeout(timeout_s * 1000)
        pages.append(page)
    teacher, learners = pages[0], pages[1:]
    unlock(teacher, server.url)
    start = time.perf_counter()
    for i, page in enumerate(learners):
        join(page, server.url, live.code, f"B{i}")
        print(f"  joined {i + 1}/{n} at {time.perf_counter() - start:.1f} s", flush=True)
    print(f"browsers: {n} learners joined in {time.perf_counter() - start:.1f} s")
    stage = teacher.locator(".st-key-presenter-stage")
    stage.get_by_text(f"0 / {n}").wait_for()
    for page in learners:  # each screen notes the wall-clock time its question card appears
        page.evaluate(FOLLOW_JS, f"[class*='-{QUESTION}-card']")
    opened = time.time()
    sessions.open_question(live.id, QUESTION)
    for page in learners:
        card(page, QUESTION).wait_for()
    seen_at = [page.evaluate("window.__paralabFollowedAt") / 1000 for page in learners]
    follow = sorted(at - opened for at in seen_at)
    print(f"  screens followed the open after {statistics.median(follow):.1f} s (median), "
          f"{follow[int(0.9 * (len(follow) - 1))]:.1f} s (90th percentile), "
          f"{follow[-1]:.1f} s (last); each screen timed itself")  # fmt: skip
    for page in learners:  # click all first, then wait: the answers are in flight together
        _try(lambda page=page: card(page, QUESTION).get_by_text("Rank 1", exact=True).click())
    for page in learners:
        _try(lambda page=page: card(page, QUESTION).get_by_role("button", name="Submit").click())
    acked = 0
    for page in learners:
        try:
            card(page, QUESTION).get_by_text("Answer received").wait_for()
            acked += 1
        except Exception as err:  # a screen that never acknowledged: counted, not fatal
            print(f"  no acknowledgement: {type(err).__name__}")
    last_ack = time.perf_counter()
    stored = len(sessions.answers(live.id, QUESTION))
    print(f"  acknowledged {acked}  stored {stored}  {'OK' if acked == stored else 'MISMATCH'}")
    if _try(lambda: stage.get_by_text(f"{stored} / {n}").wait_for()):
        seen = time.perf_counter() - last_ack
        print(
            f"  presenter's distribution included all {stored} stored answers {seen:.1f} s "
            "after the last acknowledgement"
        )


FOLLOW_JS = """(selector) => {
  window.__paralabFollowedAt = null;
  const seen = () => {
    if (window.__paralabFollowedAt === null && document.querySelector(selector)) {
      window.__paralabFollowedAt = Date.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(seen);
  observer.observe(document.body, {childList: true, subtree: true, attributes: true,
                                   attributeFilter: ["class"]});
  seen();
}"""
"""Installed in each learner's page before the open: the page's own clock (this machine's)
records when the question card appears, so screens checked one after another are not late
by the checking."""


def _try(action) -> bool:
    """Run one browser step; a timeout is printed and counted, not fatal to the run."""
    try:
        action()
        return True
    except Exception as err:
        print(f"  step timed out: {type(err).__name__}: {str(err).splitlines()[0][:90]}")
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=int, default=100, help="simulated learners (store API)")
    ap.add_argument("--browsers", type=int, default=20, help="real browser contexts (0: skip)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds any one wait may take")
    args = ap.parse_args()
    store_run(max(1, min(args.learners, 1000)))
    if args.browsers:
        browser_run(max(1, min(args.browsers, 40)), args.timeout)


if __name__ == "__main__":
    main()
