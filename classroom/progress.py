"""How far a learner is through a lesson: pure arithmetic over `QuestionState`s.

The caller names the lesson's questions as plain ids, so this module needs no lesson model;
states for ids that are not in the list (a question since removed from the lesson) are
ignored, and a question never tried simply counts as not answered.

Usage:

    >>> from classroom.progress import lesson_progress
    >>> states = store.question_state(learner.id, "pipeline-basics")
    >>> p = lesson_progress(["q-order", "q-bubble", "q-memory"], states)
    >>> f"{p.answered}/{p.total} answered, {p.solved} solved, {p.score_sum:.1f} points"
    '2/3 answered, 1 solved, 1.5 points'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from classroom.models import QuestionState


@dataclass(frozen=True)
class LessonProgress:
    """One learner's standing in one lesson."""

    answered: int
    """Questions of the lesson tried at least once."""
    solved: int
    """Questions answered correctly on some try."""
    total: int
    """Questions in the lesson (distinct ids)."""
    score_sum: float
    """Sum over the lesson's questions of the best score reached (each in [0, 1] per
    question when scores come from `lessons.grading`)."""
    fraction: float
    """`answered / total`, how far through the lesson; 0.0 for a lesson with no questions."""

    @property
    def solved_fraction(self) -> float:
        """`solved / total`: what the progress bars show; 0.0 for a lesson with no questions."""
        return self.solved / self.total if self.total else 0.0


def lesson_progress(
    question_ids: Iterable[str], states: Mapping[str, QuestionState]
) -> LessonProgress:
    """Count answered and solved questions and add up best scores for one lesson."""
    ids = list(dict.fromkeys(question_ids))  # drop repeats, keep order
    tried = [states[question_id] for question_id in ids if question_id in states]
    answered = sum(1 for state in tried if state.tries > 0)
    return LessonProgress(
        answered=answered,
        solved=sum(1 for state in tried if state.solved),
        total=len(ids),
        score_sum=sum(state.best_score for state in tried),
        fraction=answered / len(ids) if ids else 0.0,
    )
