"""The suite collects at all: no two test modules share a basename (pytest's default import
mode keys modules by basename, and a clash stops the whole run before any test)."""

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_test_module_basenames_are_unique():
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert [n for n, count in names.items() if count > 1] == []
