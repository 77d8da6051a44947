"""Fuzz the loader: any text and any odd structure gives Problems, never a traceback.

Run: `pytest tests/unit/test_lessons_fuzz.py -q`.
"""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.loader import load_lesson


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_loader_never_raises_on_any_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "x.yaml"
    path.write_text(text, encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert lesson is None
    assert all(p.line >= 1 for p in problems) and problems


KEYS = ["id", "type", "title", "body", "options", "items", "answer", "precedes", "pairs", "lab"]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b", "ordering", "lab"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), VALUES))
def test_loader_never_raises_on_odd_structures(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("odd") / "x.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert lesson is None
    assert problems and all(str(p).startswith(f"{path}:") for p in problems)
