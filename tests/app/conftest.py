"""AppTest fixtures: every test gets its own data directory (a fresh SQLite store)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from classroom.store import Store
from lessons.loader import load_lesson

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("PARALAB_DATA_DIR", str(d))
    monkeypatch.delenv("PARALAB_INSTRUCTOR_PASSCODE", raising=False)
    monkeypatch.delenv("PARALAB_LESSONS", raising=False)
    return d


@pytest.fixture(scope="session")
def lesson():
    """Lesson 1 (pipeline parallelism) as the loader reads it: every question type, labs."""
    found, problems = load_lesson(ROOT / "content" / "lessons" / "01-pipeline-parallelism.yaml")
    assert not problems, problems
    return found


@pytest.fixture
def store(data_dir) -> Store:
    return Store(data_dir / "paralab.db")


@pytest.fixture
def learner(store):
    return store.create_learner("Ada")


def page(name: str, **query: str) -> AppTest:
    """An AppTest of the whole app (so `st.navigation` knows every page), on `pages/<name>.py`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    if name != "home":
        at.switch_page(f"pages/{name}.py")
    return at


_NONCES = itertools.count(1)


def answer(at: AppTest, key: str, value) -> AppTest:
    """Give question `key` (`q-<lesson>-<question>` or a live session's) the answer `value`
    as its controls would send it (`ui/controls.py`, a custom component: option ids, a
    list of them, "true"/"false", {item: description}, a number). Run or click next."""
    at.session_state[f"{key}-answer"] = {"value": value}
    return at


def answer_control(at: AppTest, key: str, part: str = "answer") -> dict:
    """What question `key`'s controls were drawn with: the component's data (`kind`,
    `value`, `disabled`, the options…), as the browser received it. `part="essay"`: an
    essay's text field."""
    (element,) = [e for e in at.get("bidi_component") if e.key == f"{key}-{part}"]
    return json.loads(element.proto.json)


def write_essay(at: AppTest, key: str, text: str) -> AppTest:
    """Type `text` into essay `key`'s field (`ui/controls.py` `essay_input`) and leave it,
    as the browser sends it. Run or click next."""
    at.session_state[f"{key}-essay"] = {"value": text}
    return at


def pick_lesson(at: AppTest, lesson_id: str) -> AppTest:
    """Pick a lesson in the lesson page's sidebar list (`lesson_pick`, a `<select>` of
    ui/controls.py) as the browser would send it. Run next."""
    at.session_state["lesson_pick"] = {"value": lesson_id}
    return at


def lab_form(at: AppTest, workload: str) -> dict:
    """What the lab page's run form for `workload` (`ui/spec_form.py`, a custom component)
    was drawn with: its `fields` (name, label, kind, bounds or options, main) and `values`."""
    (element,) = [e for e in at.get("bidi_component") if e.key == f"lab_form_{workload}"]
    return json.loads(element.proto.json)


def run_lab(at: AppTest, workload: str, run: bool = True, **values) -> AppTest:
    """Set the lab form's fields to `values` (the rest keep what the form shows) as the page
    would send them, and with `run` press Run (a new nonce each time). Run next."""
    shown = lab_form(at, workload)["values"]
    run_id = f"test-{next(_NONCES)}" if run else None
    at.session_state[f"lab_form_{workload}"] = {"value": {"values": shown | values, "run": run_id}}
    return at


def pick_view(at: AppTest, key: str, view: str) -> AppTest:
    """Pick `view` on the lab card's view picker `key` (`labview-<block>`: ui/controls.py)
    as a click on its pill would. Run next."""
    at.session_state[key] = {"value": view}
    return at
