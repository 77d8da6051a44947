"""Open answers (essay questions): the text, the learner's self-assessment, a grader's grade.

One row per learner and question, written once: a learner sees the model answer after
submitting, so the text is final then (as Moodle's essay is once the attempt is submitted).
Self-assessment and grade are rubric line indexes plus the score they give; the score is
computed by `lessons.grading` (this package has no lesson models) and checked here.

    >>> store.submit_essay(ada.id, "pipeline-parallelism", "why-bubbles", "Because …")
    >>> store.self_assess_essay(ada.id, "pipeline-parallelism", "why-bubbles", [0, 2], 0.75)
    >>> store.grade_essay(ada.id, "pipeline-parallelism", "why-bubbles", [0], 0.5, "Say why.")
    >>> store.essay(ada.id, "pipeline-parallelism", "why-bubbles").grade
    0.5

The SQL is plain (`?` parameters, no SQLite-only syntax) so another engine can run it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from classroom.models import check_score

ESSAY_MAX_CHARS = 100_000
"""Longest essay text stored, whatever a lesson allows (hostile input cannot grow the file)."""
COMMENT_MAX_CHARS = 10_000
"""Longest grader comment stored."""

ESSAY_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE essays (
        learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        question_id TEXT NOT NULL,
        text TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        self_lines TEXT,
        self_score REAL,
        grade_lines TEXT,
        grade REAL,
        comment TEXT NOT NULL DEFAULT '',
        graded_at TEXT,
        PRIMARY KEY (learner_id, lesson_id, question_id))""",
    "CREATE INDEX essays_by_lesson ON essays(lesson_id)",
)
"""The migration that adds the essays table (appended to `classroom.store.MIGRATIONS`)."""


@dataclass(frozen=True)
class Essay:
    """One learner's open answer to one question, with its assessments."""

    learner_id: int
    lesson_id: str
    question_id: str
    text: str
    submitted_at: str
    """ISO-8601 UTC."""
    self_lines: tuple[int, ...] | None
    """Rubric lines (0-based) the learner says they met; None before they assess."""
    self_score: float | None
    """Score of `self_lines` in [0, 1]."""
    grade_lines: tuple[int, ...] | None
    """Rubric lines the grader says were met; None until graded."""
    grade: float | None
    """The grader's score in [0, 1]: the one that counts."""
    comment: str
    """The grader's comment ('' for none)."""
    graded_at: str | None


def essay_from_row(row: Any) -> Essay:
    def lines(text: str | None) -> tuple[int, ...] | None:
        return None if text is None else tuple(json.loads(text))

    return Essay(
        learner_id=row["learner_id"],
        lesson_id=row["lesson_id"],
        question_id=row["question_id"],
        text=row["text"],
        submitted_at=row["submitted_at"],
        self_lines=lines(row["self_lines"]),
        self_score=row["self_score"],
        grade_lines=lines(row["grade_lines"]),
        grade=row["grade"],
        comment=row["comment"],
        graded_at=row["graded_at"],
    )


def check_text(field: str, text: Any, limit: int, *, empty_ok: bool = False) -> str:
    """`text` if it is a string within `limit` characters with no NUL, else ValueError."""
    if not isinstance(text, str):
        raise ValueError(f"{field} must be text, not {type(text).__name__}")
    if not empty_ok and not text.strip():
        raise ValueError(f"{field} must not be empty")
    if len(text) > limit:
        raise ValueError(f"{field} must be at most {limit} characters, got {len(text)}")
    if "\x00" in text:
        raise ValueError(f"{field} must not contain NUL characters")
    return text


def check_lines(lines: Any) -> str:
    """Rubric line indexes as stored JSON: distinct non-negative ints, sorted."""
    ok = isinstance(lines, (list, tuple)) and all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 1000 for i in lines
    )
    if not ok or len(set(lines)) != len(lines):
        raise ValueError(f"rubric lines must be distinct indexes 0..999, got {lines!r}")
    return json.dumps(sorted(lines))


def check_fraction(field: str, value: Any) -> float:
    score = check_score(field, value)
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"{field} must be in [0, 1], got {score}")
    return score


class EssayStore:
    """The essay operations of `classroom.store.Store` (a mixin: it uses the store's
    `_connect`, `_write` and `_now`)."""

    _KEY = "learner_id = ? AND lesson_id = ? AND question_id = ?"

    def submit_essay(self, learner_id: int, lesson_id: str, question_id: str, text: str) -> Essay:
        """Store the learner's text, once. ValueError if bad or already submitted,
        LookupError for an unknown learner."""
        text = check_text("essay text", text, ESSAY_MAX_CHARS)
        with self._write() as conn:
            known = conn.execute("SELECT 1 FROM learners WHERE id = ?", (learner_id,)).fetchone()
            if known is None:
                raise LookupError(f"no learner with id {learner_id}")
            key = (learner_id, lesson_id, question_id)
            if conn.execute(f"SELECT 1 FROM essays WHERE {self._KEY}", key).fetchone():
                raise ValueError(f"essay {question_id!r} was already submitted")
            conn.execute(
                "INSERT INTO essays (learner_id, lesson_id, question_id, text, submitted_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (*key, text, self._now()),
            )
        return self.essay(learner_id, lesson_id, question_id)

    def self_assess_essay(
        self, learner_id: int, lesson_id: str, question_id: str, lines: list[int], score: float
    ) -> Essay:
        """Record the rubric lines the learner ticked and their score (may be redone)."""
        values = (check_lines(lines), check_fraction("self_score", score))
        return self._update(
            "self_lines = ?, self_score = ?", values, (learner_id, lesson_id, question_id)
        )

    def grade_essay(
        self,
        learner_id: int,
        lesson_id: str,
        question_id: str,
        lines: list[int],
        grade: float,
        comment: str = "",
    ) -> Essay:
        """Record a grader's rubric lines, grade and comment (a later grade replaces it)."""
        values = (
            check_lines(lines),
            check_fraction("grade", grade),
            check_text("comment", comment, COMMENT_MAX_CHARS, empty_ok=True),
            self._now(),
        )
        return self._update(
            "grade_lines = ?, grade = ?, comment = ?, graded_at = ?",
            values,
            (learner_id, lesson_id, question_id),
        )

    def _update(self, assignments: str, values: tuple, key: tuple) -> Essay:
        with self._write() as conn:
            sql = f"UPDATE essays SET {assignments} WHERE {self._KEY}"
            cursor = conn.execute(sql, (*values, *key))
            if cursor.rowcount == 0:
                raise LookupError(f"no essay {key[2]!r} submitted by learner {key[0]}")
        return self.essay(*key)

    def essay(self, learner_id: int, lesson_id: str, question_id: str) -> Essay | None:
        """This learner's essay for this question, or None before they submit."""
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT * FROM essays WHERE {self._KEY}", (learner_id, lesson_id, question_id)
            ).fetchone()
        return essay_from_row(row) if row else None

    def essays(self, lesson_id: str | None = None) -> list[Essay]:
        """Every essay (of one lesson, if given), oldest submission first; submissions in
        the same millisecond by learner id."""
        sql = "SELECT * FROM essays"
        params: tuple = ()
        if lesson_id is not None:
            sql, params = sql + " WHERE lesson_id = ?", (lesson_id,)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY submitted_at, learner_id", params).fetchall()
        return [essay_from_row(row) for row in rows]
