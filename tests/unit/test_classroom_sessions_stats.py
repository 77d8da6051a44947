"""Tests for classroom.sessions_stats and sessions_report: distributions per question type,
the after-session report, the leaderboard and the session export.

$ pytest tests/unit/test_classroom_sessions_stats.py -q
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from classroom.export import to_csv, to_json
from classroom.sessions_models import LiveAnswer, LiveSession
from classroom.sessions_report import (
    SESSION_COLUMNS,
    leaderboard,
    learner_report,
    question_report,
    session_export_rows,
)
from classroom.sessions_stats import distribution, numeric_histogram
from lessons.loader import load_lesson


@pytest.fixture
def lesson(write_lesson, valid_text):
    lesson, problems = load_lesson(write_lesson(valid_text))
    assert not problems
    return lesson


def answers(question_id: str, *values, correct=None) -> list[LiveAnswer]:
    return [
        LiveAnswer(i + 1, f"L{i + 1}", question_id, json.dumps(v), 1.0 if ok else 0.0, ok, 0.0)
        for i, (v, ok) in enumerate(zip(values, correct or [False] * len(values), strict=True))
    ]


def counts(dist) -> dict:
    return {bar["id"]: bar["count"] for bar in dist["bars"]}


def test_single_choice_counts_learners_per_option_and_marks_the_key(lesson) -> None:
    dist = distribution(lesson.question("q-bubble"), answers("q-bubble", "a", "b", "b"))
    assert dist["kind"] == "choice" and dist["total"] == 3
    assert counts(dist) == {"a": 1, "b": 2, "c": 0}
    assert [bar["id"] for bar in dist["bars"] if bar["correct"]] == ["b"]


def test_multiple_choice_counts_each_ticked_option(lesson) -> None:
    dist = distribution(
        lesson.question("q-memory"), answers("q-memory", ["params"], ["params", "grads"])
    )
    assert counts(dist) == {"params": 2, "grads": 1, "acts": 0} and dist["total"] == 2


def test_true_false_counts_true_and_false(lesson) -> None:
    dist = distribution(lesson.question("q-tf"), answers("q-tf", True, False, True, True))
    assert counts(dist) == {"true": 3, "false": 1}
    assert [bar["id"] for bar in dist["bars"] if bar["correct"]] == ["true"]


def test_matching_counts_per_pair_with_the_key(lesson) -> None:
    given = [{"dp": "batch", "tp": "matrices"}, {"dp": "matrices", "tp": "batch"}, {"dp": "batch"}]
    dist = distribution(lesson.question("q-match"), answers("q-match", *given))
    rows = {row["id"]: row for row in dist["rows"]}
    assert rows["dp"]["key"] == "batch" and rows["dp"]["correct"] == 2
    assert rows["dp"]["counts"] == {"batch": 2, "matrices": 1, "vocab": 0}
    assert rows["tp"]["correct"] == 1 and rows["tp"]["counts"]["batch"] == 1


def test_numeric_histogram_bins_every_answer_and_counts_those_within_tolerance(lesson) -> None:
    dist = distribution(lesson.question("q-num"), answers("q-num", 400, 400.5, 200, 800, 401))
    assert dist["kind"] == "numeric" and dist["key"] == 400 and dist["tolerance"] == 1
    assert sum(b["count"] for b in dist["bins"]) == 5 and dist["outliers"] == 0
    assert dist["within"] == 3
    assert dist["bins"][0]["lo"] <= 200 and dist["bins"][-1]["hi"] >= 800


def test_numeric_typos_far_away_are_outliers_not_axis_stretchers() -> None:
    dist = numeric_histogram([0.11, 0.12, 0.1, 0.13, 0.11, 1e9], key=0.111, tolerance=0.02)
    assert dist["outliers"] == 1 and sum(b["count"] for b in dist["bins"]) == 5
    assert dist["bins"][-1]["hi"] < 10


def test_numeric_all_equal_answers_still_get_a_range() -> None:
    dist = numeric_histogram([27.0, 27.0], key=27.0)
    assert dist["bins"][0]["lo"] < 27 < dist["bins"][-1]["hi"]
    assert sum(b["count"] for b in dist["bins"]) == 2


def test_ordering_shows_agreement_with_the_key_per_position(lesson) -> None:
    q = lesson.question("q-order-key")  # key: warmup, steady, cooldown
    given = [["warmup", "steady", "cooldown"], ["steady", "warmup", "cooldown"]]
    dist = distribution(q, answers(q.id, *given))
    agree = [(p["position"], p["key"], p["agree"]) for p in dist["positions"]]
    assert agree == [(1, "warmup", 1), (2, "steady", 1), (3, "cooldown", 2)]
    assert dist["exact"] == 1


def test_question_report_gives_participation_percent_and_common_wrong_answers(lesson) -> None:
    members = [(1, "L1"), (2, "L2"), (3, "L3"), (4, "L4")]
    given = answers("q-bubble", "a", "a", "b", correct=[False, False, True])
    (row,) = [r for r in question_report(lesson.questions(), members, given) if r["answered"]]
    assert row["question"] == "q-bubble" and row["participation"] == 0.75
    assert row["percent_correct"] == pytest.approx(1 / 3)
    assert row["common_wrong"] == [('"a"', 2)]


def test_learner_report_and_leaderboard_count_points_of_revealed_questions_only(lesson) -> None:
    members = [(1, "Ada"), (2, "Bo")]
    given = [
        LiveAnswer(1, "Ada", "q-tf", "true", 1.0, True, 0.0),
        LiveAnswer(2, "Bo", "q-tf", "false", 0.0, False, 0.0),
        LiveAnswer(2, "Bo", "q-num", "400", 1.0, True, 0.0),
    ]
    report = {r["learner"]: r for r in learner_report(lesson.questions(), members, given)}
    assert report["Bo"]["points"] == 1.0 and report["Bo"]["max_points"] == len(lesson.questions())
    assert report["Ada"]["percent"] == pytest.approx(100 / len(lesson.questions()), abs=0.1)
    live = _session(revealed=("q-tf",), hide_names=True)
    board = leaderboard(live, lesson.questions(), members, given)
    assert board == [
        {"place": 1, "learner": "Learner 1", "points": 1.0},
        {"place": 2, "learner": "Learner 2", "points": 0.0},
    ]


def test_session_export_neutralises_formula_names_in_csv_only(lesson) -> None:
    given = [LiveAnswer(1, "=HYPERLINK(1)", "q-tf", "true", 1.0, True, 1.5e9)]
    rows = session_export_rows(_session(), lesson.questions(), given)
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows, SESSION_COLUMNS))))
    assert parsed[0]["learner"] == "'=HYPERLINK(1)" and parsed[0]["percent"] == "100.0"
    assert parsed[0]["session"] == "ABCDEF" and parsed[0]["timestamp"].startswith("2017-")
    assert json.loads(to_json(rows))[0]["learner"] == "=HYPERLINK(1)"


def _session(**changes) -> LiveSession:
    fields = dict(
        id=1, code="ABCDEF", lesson_id="pipeline-basics", mode="paced", open_question=None,
        opened_at=None, closes_at=None, run_lab=None, run_job_id=None, leaderboard=True,
        hide_names=False, version=1, created_at=0.0, ended_at=None, revealed=(),
    )  # fmt: skip
    return LiveSession(**{**fields, **changes})
