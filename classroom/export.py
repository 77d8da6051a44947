"""Scores out of the store, as rows for an instructor's spreadsheet or a school's LMS.

`export_rows` gives one row per attempt, `summary_rows` one row per learner and lesson;
`to_csv` and `to_json` turn either into text for `st.download_button`.

CSV is opened by spreadsheets, which run any cell that starts with `=`, `+`, `-` or `@`
as a formula (`=HYPERLINK(...)` in a learner's name is enough), and tab or carriage return
can smuggle one in. Following the OWASP CSV-injection guidance, `to_csv` prefixes such
string cells with `'`, which spreadsheets read as "this is text". Numbers stay numbers, so
a score of -0.5 is not touched. JSON keeps every value raw: it is read by programs, not
spreadsheets, and a changed value would be a wrong value there.

Usage:

    >>> from classroom.export import export_rows, summary_rows, to_csv, to_json
    >>> csv_text = to_csv(export_rows(store))        # learner,learner_id,lesson,question,…
    >>> json_text = to_json(summary_rows(store))     # [{"learner": "Ada", "answered": 2, …}]
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from classroom.essays import Essay
from classroom.models import Attempt, states_from_attempts
from classroom.progress import lesson_progress
from classroom.store import Store

EXPORT_COLUMNS = (
    "learner",
    "learner_id",
    "lesson",
    "question",
    "try",
    "score",
    "raw_score",
    "correct",
    "points",
    "max_points",
    "percent",
    "revealed",
    "answer",
    "timestamp",
)
"""Columns of `export_rows`: `score` in [0, 1] after the retry penalty; `points` = score ×
the question's weight, `max_points` that weight, `percent` = points ÷ max_points × 100
(`percent()`); `revealed`: the learner was shown the
answer (this try's score stays, no later try counts); `answer` compact JSON, `timestamp`
ISO-8601 UTC."""

SUMMARY_COLUMNS = (
    "learner",
    "learner_id",
    "lesson",
    "answered",
    "solved",
    "tries",
    "revealed",
    "essays_to_grade",
    "total_score",
    "total_points",
    "max_points",
    "percent",
)
"""Columns of `summary_rows`: `total_score` sums each question's best score (0..1 each; an
essay's grade once graded), `total_points` the same weighted by points, `max_points` the
lesson's points (its essays' included) and `percent` total_points ÷ max_points × 100 (both
empty when the lesson is not known); `answered` the questions tried and the essays
submitted, `solved` only
auto-graded questions (an essay is graded, not solved); `tries` all tries of auto-graded
questions, `revealed` questions whose answer was shown, `essays_to_grade` the learner's
essays in the lesson still without a grade (the total is final when it is 0)."""

ESSAY_COLUMNS = (
    "learner",
    "learner_id",
    "lesson",
    "question",
    "text",
    "self_lines",
    "self_score",
    "grade_lines",
    "grade",
    "points",
    "max_points",
    "percent",
    "comment",
    "submitted_at",
    "graded_at",
)
"""Columns of `essay_rows`: the essay `text`; `self_lines` / `grade_lines` the rubric lines
(1-based, as `1 3`) the learner / the grader ticked; `self_score` and `grade` in [0, 1]
(empty until given); `points` = grade × the question's weight, `percent` of max_points
(empty until graded); timestamps ISO-8601 UTC."""

Points = Mapping[str, Mapping[str, float]]
"""lesson id → question id → the question's points (its weight), from `points_of`."""


def points_of(lessons: Iterable[Any]) -> dict[str, dict[str, float]]:
    """The `Points` of lesson models (anything with `.id` and `.questions()`)."""
    return {lesson.id: {q.id: q.points for q in lesson.questions()} for lesson in lessons}


def percent(points: float | None, max_points: float | None) -> float | None:
    """`points` as a percentage of `max_points`, to one decimal; None (an empty cell) when
    either is unknown or the maximum is 0 (a question worth no points has no percentage).

    >>> percent(1.5, 2), percent(1, 3), percent(0, 0)
    (75.0, 33.3, None)
    """
    if points is None or not max_points:
        return None
    return round(100 * points / max_points, 1)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A string cell starting with one of these is a formula to a spreadsheet (OWASP)."""


def export_rows(store: Store, points: Points | None = None) -> list[dict[str, Any]]:
    """One row per attempt, oldest first, with the columns of `EXPORT_COLUMNS`.

    A question missing from `points` weighs 1.
    """
    names = {learner.id: learner.name for learner in store.list_learners()}
    reveals = store.reveals()
    rows = []
    for attempt in store.attempts():
        weight = (points or {}).get(attempt.lesson_id, {}).get(attempt.question_id, 1.0)
        key = (attempt.learner_id, attempt.lesson_id, attempt.question_id)
        rows.append(_attempt_row(names, attempt, weight, key in reveals))
    return rows


def _attempt_row(names, attempt: Attempt, weight: float, revealed: bool) -> dict[str, Any]:
    return {
        "learner": names[attempt.learner_id],
        "learner_id": attempt.learner_id,
        "lesson": attempt.lesson_id,
        "question": attempt.question_id,
        "try": attempt.try_no,
        "score": attempt.score,
        "raw_score": attempt.raw_score,
        "correct": attempt.correct,
        "points": attempt.score * weight,
        "max_points": weight,
        "percent": percent(attempt.score * weight, weight),
        "revealed": revealed,
        "answer": attempt.answer_json,
        "timestamp": attempt.created_at,
    }


def summary_rows(store: Store, points: Points | None = None) -> list[dict[str, Any]]:
    """One row per learner and lesson they tried (an attempt or an essay), by learner id
    then lesson id.

    Without `points` for a lesson, only questions with attempts or essays are known here, so
    the row says how many were answered and solved, and `max_points` is left empty.
    """
    names = {learner.id: learner.name for learner in store.list_learners()}
    groups: dict[tuple[int, str], list[Attempt]] = {}
    for attempt in store.attempts():
        groups.setdefault((attempt.learner_id, attempt.lesson_id), []).append(attempt)
    essays: dict[tuple[int, str], list[Essay]] = {}
    for essay in store.essays():
        essays.setdefault((essay.learner_id, essay.lesson_id), []).append(essay)
    reveals = store.reveals()
    rows = []
    for learner_id, lesson_id in sorted(groups.keys() | essays.keys()):
        shown = [q for who, lesson, q in reveals if (who, lesson) == (learner_id, lesson_id)]
        states = states_from_attempts(groups.get((learner_id, lesson_id), []), shown)
        weights = (points or {}).get(lesson_id)
        written = essays.get((learner_id, lesson_id), [])
        rows.append(
            _summary_row(names[learner_id], learner_id, lesson_id, states, written, weights)
        )
    return rows


def _summary_row(
    name: str, learner_id: int, lesson_id: str, states, essays: list[Essay], weights
) -> dict[str, Any]:
    progress = lesson_progress(sorted(states), states)
    # with the lesson's points known, a question no longer in it counts for nothing (it is
    # not in the maximum either: a percent over 100 otherwise); unknown lesson: 1 point each
    default = 1.0 if weights is None else 0.0
    best = {q: s.best_score for q, s in states.items()}
    best |= {e.question_id: e.grade for e in essays if e.grade is not None}
    got = sum(score * (weights or {}).get(q, default) for q, score in best.items())
    most = sum(weights.values()) if weights is not None else None
    return {
        "learner": name,
        "learner_id": learner_id,
        "lesson": lesson_id,
        "answered": len(
            {q for q, s in states.items() if s.tries > 0} | {e.question_id for e in essays}
        ),
        "solved": progress.solved,
        "tries": sum(state.tries for state in states.values()),
        "revealed": sum(state.revealed for state in states.values()),
        "essays_to_grade": sum(1 for e in essays if e.grade is None),
        "total_score": sum(best.values()),
        "total_points": got,
        "max_points": most,
        "percent": percent(got, most),
    }


def question_rows(store: Store, lesson_id: str, question_ids: Sequence[str]) -> list[dict]:
    """The class on one lesson, a row per question in lesson order (an instructor's live view).

    `answered`: learners with at least one try; `solved`: learners who got it right;
    `mean_best`: their mean best score (None before anyone answered); `mean_tries`: likewise.
    """
    per_learner: dict[int, list[Attempt]] = {}
    for attempt in store.attempts(lesson_id=lesson_id):
        per_learner.setdefault(attempt.learner_id, []).append(attempt)
    states = [states_from_attempts(attempts) for attempts in per_learner.values()]
    rows = []
    for qid in question_ids:
        mine = [s[qid] for s in states if qid in s]
        rows.append(
            {
                "question": qid,
                "answered": len(mine),
                "solved": sum(s.solved for s in mine),
                "mean_best": sum(s.best_score for s in mine) / len(mine) if mine else None,
                "mean_tries": sum(s.tries for s in mine) / len(mine) if mine else None,
            }
        )
    return rows


def essay_rows(store: Store, points: Points | None = None) -> list[dict[str, Any]]:
    """One row per essay, oldest submission first, with the columns of `ESSAY_COLUMNS`."""
    names = {learner.id: learner.name for learner in store.list_learners()}

    def lines(ticked: tuple[int, ...] | None) -> str | None:
        return None if ticked is None else " ".join(str(i + 1) for i in ticked)

    rows = []
    for essay in store.essays():
        weight = (points or {}).get(essay.lesson_id, {}).get(essay.question_id, 1.0)
        got = None if essay.grade is None else essay.grade * weight
        rows.append(
            {
                "learner": names[essay.learner_id],
                "learner_id": essay.learner_id,
                "lesson": essay.lesson_id,
                "question": essay.question_id,
                "text": essay.text,
                "self_lines": lines(essay.self_lines),
                "self_score": essay.self_score,
                "grade_lines": lines(essay.grade_lines),
                "grade": essay.grade,
                "points": got,
                "max_points": weight,
                "percent": percent(got, weight),
                "comment": essay.comment,
                "submitted_at": essay.submitted_at,
                "graded_at": essay.graded_at,
            }
        )
    return rows


def neutralise(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as written: formula-like strings get a `'`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """RFC 4180 CSV with a header row; formula-like string cells neutralised (see module).

    `columns` defaults to the keys of the first row, so an empty export with no `columns`
    is the empty string; pass `EXPORT_COLUMNS` or `SUMMARY_COLUMNS` to always get a header.
    """
    rows = list(rows)
    if columns is None:
        columns = list(rows[0]) if rows else []
    if not columns:
        return ""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(column) for column in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(column)) for column in columns])
    return buffer.getvalue()


def to_json(rows: Iterable[Mapping[str, Any]]) -> str:
    """A JSON array of the rows, values unchanged (no formula neutralisation: see module)."""
    return json.dumps([dict(row) for row in rows], ensure_ascii=False, indent=2)
