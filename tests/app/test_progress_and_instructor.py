"""My progress and the instructor's scores page (passcode, tables, downloads)."""

from __future__ import annotations

import time

import pytest

from tests.app.conftest import page


def test_progress_needs_a_learner():
    at = page("progress").run()
    assert not at.exception
    assert any("Sign in" in i.value for i in at.info)


def test_progress_lists_tries_and_scores(learner, store):
    store.record_attempt(learner.id, "pipeline-parallelism", "bubble-p4-m4", 0.5, 0.0, 0.0, False)
    store.record_attempt(learner.id, "pipeline-parallelism", "bubble-p4-m4", 0.43, 1.0, 0.9, True)
    at = page("progress", learner=learner.token).run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    table = next(t for t in tables if "bubble-p4-m4" in set(t["question"]))
    row = table[table["question"] == "bubble-p4-m4"].iloc[0]
    assert row["tries"] == 2 and row["solved"] and abs(row["best score"] - 0.9) < 1e-9


def test_instructor_page_is_off_without_a_passcode():
    at = page("home").run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/instructor.py")


def test_instructor_unlocks_with_the_passcode_and_exports(monkeypatch, learner, store):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", "s3cret-passcode")
    store.record_attempt(learner.id, "pipeline-parallelism", "q1", "=1+1", 1.0, 1.0, True)
    at = page("instructor").run()
    assert not at.exception
    assert not at.get("download_button")
    at.text_input(key="instructor_code").input("wrong")
    at.button(key="instructor_unlock").click().run()
    assert any("not right" in e.value for e in at.error)
    at.text_input(key="instructor_code").input("s3cret-passcode")
    at.button(key="instructor_unlock").click().run()
    assert any("Too many wrong passcodes" in e.value for e in at.error)  # even the right one
    time.sleep(1.1)  # the delay after one wrong try is 1 s
    at.button(key="instructor_unlock").click().run()
    assert not at.exception
    assert len(at.get("download_button")) == 6  # 3 score exports + 3 question banks
    summary = next(d.value for d in at.dataframe if "lesson" in d.value.columns)
    assert summary.shape[0] == 1


def test_the_live_class_view_counts_each_questions_answers(monkeypatch, learner, store):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", "s3cret-passcode")
    lesson = "pipeline-parallelism"
    store.record_attempt(learner.id, lesson, "bubble-p4-m4", 0.43, 1.0, 1.0, True)
    at = page("instructor").run()
    at.text_input(key="instructor_code").input("s3cret-passcode")
    at.button(key="instructor_unlock").click().run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "**answered**" in texts and "**1**" in texts  # header and the first question's row
    assert any("$p = 4$" in t for t in texts)  # prompts go to st.markdown: LaTeX renders
    assert any(p.proto.text == "100%" for p in at.get("progress"))  # its mean best
