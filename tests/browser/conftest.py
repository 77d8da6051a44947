"""Browser tests: a real Streamlit server on a free localhost port, driven by Debian's Chromium.

The server runs with its own data directory; it is stopped by its pid (process group) at the
end, and restarted in the middle of a test with `server.restart()` to prove that answers
live in the database, not in the server's memory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PARALAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m ui.serve` (streamlit run app.py) in its own process group, on a free port.

    ``app``: another script to serve with plain `streamlit run` (the benchmarks' blank page);
    ``root``: the checkout to serve from (the benchmarks compare two)."""

    def __init__(
        self,
        data_dir: Path,
        env: dict[str, str] | None = None,
        app: str = "app.py",
        root: Path = ROOT,
    ) -> None:
        self.data_dir = data_dir
        self.env = env or {}
        self.app = app
        self.root = root
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "PARALAB_DATA_DIR": str(self.data_dir), **self.env}
        # the app as scripts/app.sh serves it (ui.serve: v2 navigation from the first visit)
        run = ["ui.serve"] if self.app == "app.py" else ["streamlit", "run", self.app]
        cmd = [
            sys.executable,
            "-m",
            *run,
            "--server.headless=true",
            f"--server.port={self.port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
        ]
        log = open(self.data_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not start; see {log.name}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = Server(data)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh dev (installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, save a screenshot of the page next to the test's temporary files."""
    outcome = yield
    report = outcome.get_result()
    pg = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and pg is not None:
        path = Path(item.funcargs["tmp_path"]) / "failure.png"
        try:
            pg.screenshot(path=str(path))
            report.sections.append(("screenshot", str(path)))
        except Exception as err:
            report.sections.append(("screenshot", f"not taken: {err}"))
