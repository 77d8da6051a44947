"""Markers by folder: every test under tests/browser/ is `browser`, under tests/integration/
`integration`, so `-m "not browser"` and `-m browser` select what they say.

(A `pytestmark` in a conftest.py marks nothing: pytest reads it only from test modules.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MARKERS = {"browser": pytest.mark.browser, "integration": pytest.mark.integration}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            folder = Path(str(item.path)).resolve().relative_to(HERE).parts[0]
        except ValueError:  # a test outside tests/
            continue
        if folder in MARKERS:
            item.add_marker(MARKERS[folder])
