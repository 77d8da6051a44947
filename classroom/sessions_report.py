"""After a live session: a report per question and per learner, a leaderboard, export rows.

Pure functions over the lesson's question models, the members and the current answers; the
export rows go through `classroom.export.to_csv` / `to_json`, so CSV cells are neutralised
by the same rule as every other export.

    >>> report = question_report(lesson.questions(), members, answers)
    >>> to_csv(session_export_rows(live, lesson, answers), SESSION_COLUMNS)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from classroom.export import percent
from classroom.sessions_models import LiveAnswer, LiveSession

SESSION_COLUMNS = (
    "session",
    "lesson",
    "learner",
    "learner_id",
    "question",
    "score",
    "points",
    "max_points",
    "percent",
    "correct",
    "answer",
    "timestamp",
)
"""Columns of `session_export_rows`: `points` = score × the question's points."""

LEARNER_COLUMNS = (
    "learner",
    "learner_id",
    "answered",
    "correct",
    "points",
    "max_points",
    "percent",
)


def question_report(
    questions: Sequence, members: Sequence[tuple[int, str]], answers: Sequence[LiveAnswer],
    describe: Callable[[object, object], str] = lambda q, a: json.dumps(a, ensure_ascii=False),
) -> list[dict]:  # fmt: skip
    """Per question in lesson order: participation, % correct, the commonest wrong answers.

    `describe(question, answer)` turns an answer into words (the page passes the option
    texts); the default is its JSON.
    """
    joined = max(len(members), 1)
    rows = []
    for q in questions:
        mine = [a for a in answers if a.question_id == q.id]
        wrong = Counter(a.answer_json for a in mine if not a.correct)
        rows.append(
            {
                "question": q.id,
                "answered": len(mine),
                "participation": len(mine) / joined,
                "correct": sum(a.correct for a in mine),
                "percent_correct": sum(a.correct for a in mine) / len(mine) if mine else None,
                "common_wrong": [
                    (describe(q, json.loads(answer)), n) for answer, n in wrong.most_common(3)
                ],
            }
        )
    return rows


def learner_report(
    questions: Sequence, members: Sequence[tuple[int, str]], answers: Sequence[LiveAnswer]
) -> list[dict]:
    """Per member: questions answered and right, points (score × points) out of the maximum."""
    points = {q.id: q.points for q in questions}
    max_points = sum(points.values())
    rows = []
    for learner_id, name in members:
        mine = [a for a in answers if a.learner_id == learner_id and a.question_id in points]
        got = sum(a.score * points[a.question_id] for a in mine)
        rows.append(
            {
                "learner": name,
                "learner_id": learner_id,
                "answered": len(mine),
                "correct": sum(a.correct for a in mine),
                "points": round(got, 4),
                "max_points": max_points,
                "percent": percent(got, max_points),
            }
        )
    return rows


def leaderboard(
    live: LiveSession, questions: Sequence, members: Sequence[tuple[int, str]],
    answers: Sequence[LiveAnswer], top: int = 10,
) -> list[dict]:  # fmt: skip
    """The best `top` learners by points on *revealed* questions only (nothing leaks early).

    With `live.hide_names` the names are replaced by "Learner N" (N: order of joining).
    """
    revealed = [q for q in questions if q.id in live.revealed]
    rows = learner_report(revealed, members, answers)
    alias = {learner_id: f"Learner {i}" for i, (learner_id, _) in enumerate(members, 1)}
    rows.sort(key=lambda r: (-r["points"], r["learner_id"]))
    board = []
    for place, row in enumerate(rows[:top], 1):
        name = alias[row["learner_id"]] if live.hide_names else row["learner"]
        board.append({"place": place, "learner": name, "points": row["points"]})
    return board


def session_export_rows(live: LiveSession, questions: Sequence, answers) -> list[dict]:
    """One row per learner and question answered in the session (their last answer)."""
    points = {q.id: q.points for q in questions}
    rows = []
    for a in answers:
        weight = points.get(a.question_id, 1.0)
        rows.append(
            {
                "session": live.code,
                "lesson": live.lesson_id,
                "learner": a.name,
                "learner_id": a.learner_id,
                "question": a.question_id,
                "score": a.score,
                "points": round(a.score * weight, 4),
                "max_points": weight,
                "percent": percent(a.score * weight, weight),
                "correct": a.correct,
                "answer": a.answer_json,
                "timestamp": _iso(a.answered_at),
            }
        )
    return rows


def _iso(epoch: float) -> str:
    when = datetime.fromtimestamp(epoch, timezone.utc)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
