"""`-m "not browser"` leaves the browser tests out and `-m browser` selects exactly them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def collected(*args: str) -> set[str]:
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *args, "tests/browser", "tests/unit/test_throttle.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return {line.split("::")[0] for line in res.stdout.splitlines() if "::" in line}


def test_browser_marker_selects_by_folder():
    browser = collected("-m", "browser")
    assert browser and all(path.startswith("tests/browser/") for path in browser)
    assert collected("-m", "not browser") == {"tests/unit/test_throttle.py"}
