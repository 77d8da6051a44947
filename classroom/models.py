"""The records the classroom store hands out, and the checks made before anything is stored.

Plain frozen dataclasses with no database behind them, so pages and tests can build them:

    >>> from classroom.models import QuestionState, validate_name
    >>> validate_name("  Ada Lovelace ")
    'Ada Lovelace'
    >>> QuestionState(tries=2, best_score=1.0, last_score=1.0, last_answer="b", solved=True)
    QuestionState(tries=2, best_score=1.0, last_score=1.0, last_answer='b', solved=True)
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

NAME_MAX = 40
"""Longest display name, in characters after stripping and NFC normalisation."""

# Bidirectional embeddings, overrides and isolates reorder the text shown around a name
# ("Trojan Source"); they are format characters, not controls, so they are listed by hand.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Learner:
    """One person using the app; the token in their link is how they come back."""

    id: int
    token: str
    """Secret from `secrets.token_urlsafe(16)`: whoever holds it acts as this learner."""
    name: str
    """Display name, 1–40 characters; not unique (two Adas may share a class)."""
    created_at: str
    """ISO-8601 UTC, e.g. `2026-11-21T23:00:00.123Z`."""


@dataclass(frozen=True)
class Attempt:
    """One submitted answer to one question."""

    id: int
    learner_id: int
    lesson_id: str
    question_id: str
    try_no: int
    """1 for the first try at this question by this learner, then 2, 3, … with no gaps."""
    answer_json: str
    """The answer as compact JSON, exactly as stored."""
    raw_score: float
    """Score from grading alone, before any retry penalty."""
    score: float
    """Score after the retry penalty: the one that counts."""
    correct: bool
    created_at: str
    """ISO-8601 UTC, e.g. `2026-11-21T23:00:00.123Z`."""

    @property
    def answer(self) -> Any:
        """The answer decoded from JSON (a str, bool, float, list or dict)."""
        return json.loads(self.answer_json)


@dataclass(frozen=True)
class QuestionState:
    """What one learner has done so far with one question."""

    tries: int
    best_score: float
    last_score: float
    last_answer: Any
    solved: bool
    """True once any try was correct, even if a later one was not."""
    revealed: bool = False
    """The learner asked to see the answer: the question is over, no further try counts."""


def validate_name(name: str) -> str:
    """Return `name` stripped and NFC-normalised, or raise ValueError saying what is wrong."""
    if not isinstance(name, str):
        raise ValueError(f"name must be text, not {type(name).__name__}")
    cleaned = unicodedata.normalize("NFC", name.strip())
    if not cleaned:
        raise ValueError("name must not be empty")
    if len(cleaned) > NAME_MAX:
        raise ValueError(f"name must be at most {NAME_MAX} characters, got {len(cleaned)}")
    for char in cleaned:
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI_CONTROLS:
            raise ValueError(f"name must not contain control characters (found U+{ord(char):04X})")
    return cleaned


def check_score(field: str, value: float) -> float:
    """`value` as a float, or ValueError naming `field` if it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{field} must be a finite number, got {value!r}")
    return float(value)


def encode_answer(answer: Any) -> str:
    """Compact JSON with sorted keys, or ValueError if `answer` is not JSON-serialisable."""
    try:
        return json.dumps(
            answer, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise ValueError(f"answer must be JSON-serialisable: {error}") from error


def states_from_attempts(
    attempts: Iterable[Attempt], revealed: Iterable[str] = ()
) -> dict[str, QuestionState]:
    """Fold attempts (of one learner in one lesson) into a `QuestionState` per question id.

    `revealed`: ids of the questions whose answer was shown; one never tried gets a state
    with no tries, so that it stays locked too.
    """
    shown = set(revealed)
    by_question: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_question.setdefault(attempt.question_id, []).append(attempt)
    states = {}
    for question_id, tries in by_question.items():
        last = max(tries, key=lambda attempt: attempt.try_no)
        states[question_id] = QuestionState(
            tries=len(tries),
            best_score=max(attempt.score for attempt in tries),
            last_score=last.score,
            last_answer=last.answer,
            solved=any(attempt.correct for attempt in tries),
            revealed=question_id in shown,
        )
    for question_id in shown - states.keys():
        states[question_id] = QuestionState(0, 0.0, 0.0, None, False, revealed=True)
    return states
