"""The records of live sessions (plain frozen dataclasses) and the rule for refusing answers.

>>> live.refusal("bubble-p4-m4", time.time())   # None, or why the answer is refused
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MODES = ("paced", "self")
"""`paced`: the instructor opens one question at a time; `self`: the class works freely."""


class AnswerRefused(Exception):
    """An answer the session does not accept; the message says why, in words for the learner."""


@dataclass(frozen=True)
class LiveSession:
    """One row of `live_sessions`, with the ids of its revealed questions."""

    id: int
    code: str
    lesson_id: str
    mode: str
    open_question: str | None
    """Paced mode: the question the class sees (None before the first); it stays shown,
    closed, after `closes_at`, until the instructor opens the next."""
    opened_at: float | None
    closes_at: float | None
    """Epoch seconds after which answers to the open question are refused (None: open)."""
    run_lab: str | None
    """Lab block id of the class run, and its job in the queue."""
    run_job_id: int | None
    leaderboard: bool
    hide_names: bool
    version: int
    """Bumped by every change the learners' screens must follow."""
    created_at: float
    ended_at: float | None
    revealed: tuple[str, ...]

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    def refusal(self, question_id: str, now: float) -> str | None:
        """Why an answer to `question_id` at `now` is refused, or None if it is accepted."""
        if self.ended:
            return "This session has ended: answers are no longer accepted."
        if question_id in self.revealed:
            return "The answer to this question was revealed: answers are no longer accepted."
        if self.mode == "self":
            return None
        if self.open_question != question_id:
            return "This question is not open now: the instructor moved on, so it was not saved."
        if self.closes_at is not None and now >= self.closes_at:
            return "Too late: this question is closed, so your answer was not saved."
        return None

    def is_open(self, now: float) -> bool:
        """Paced mode: a question is shown and still takes answers."""
        return self.open_question is not None and (self.closes_at is None or now < self.closes_at)

    def seconds_left(self, now: float) -> float | None:
        """Seconds until the open question closes (None without a countdown)."""
        if self.open_question is None or self.closes_at is None:
            return None
        return max(0.0, self.closes_at - now)


@dataclass(frozen=True)
class LiveAnswer:
    """A learner's current answer to one question of a session (the last one they gave)."""

    learner_id: int
    name: str
    question_id: str
    answer_json: str
    score: float
    correct: bool
    answered_at: float

    @property
    def answer(self) -> Any:
        """The answer decoded from JSON."""
        return json.loads(self.answer_json)
