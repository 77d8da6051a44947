"""Helpers for the answer-key tests of the lessons added in wave 2 (`test_content_*.py`).

Each lesson's test module recomputes its numeric keys from formulas and pins the reviewed
keys of the other questions in a `Keys` table; `assert_all_keyed` fails when a question of
the lesson has no entry, so a new question cannot land without a reviewed key. The YAML is
read with pyyaml directly, so the tests do not depend on the `lessons` package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import yaml

LESSONS = Path(__file__).resolve().parents[2] / "content" / "lessons"
GB = 10**9  # the lessons use decimal gigabytes
NON_QUESTIONS = ("markdown", "lab")


@cache
def lesson(file: str) -> dict:
    return yaml.safe_load((LESSONS / file).read_text(encoding="utf-8"))


def questions(file: str) -> list[dict]:
    return [b for b in lesson(file)["body"] if b["type"] not in NON_QUESTIONS]


def question(file: str, qid: str) -> dict:
    found = [q for q in questions(file) if q["id"] == qid]
    assert len(found) == 1, f"{file}: question {qid!r} found {len(found)} times"
    return found[0]


def assert_numeric(file: str, qid: str, expected: float, *, wrong: tuple[float, ...] = ()):
    """The key equals `expected` (to 1e-3 relative), and every plausible wrong value is refused.

    A wrong value listed in the question's `wrong_answers` must be refused by the key's
    tolerance too (it gets its own feedback instead).
    """
    q = question(file, qid)
    assert q["type"] == "numeric", qid
    tolerance = q.get("tolerance", 0)
    assert q["answer"] == pytest.approx(expected, rel=1e-3, abs=1e-9), f"{qid}: {q['answer']}"
    assert abs(float(expected) - q["answer"]) <= tolerance + 1e-9, qid
    for value in wrong:
        assert abs(value - q["answer"]) > tolerance, f"{qid}: would accept wrong {value}"
    for known in q.get("wrong_answers", []):
        assert abs(known["value"] - q["answer"]) > tolerance, f"{qid}: wrong_answers {known}"
        assert known["feedback"].strip(), qid
    return q


@dataclass
class Keys:
    """The reviewed keys of one lesson's non-numeric questions, and the recomputed ones."""

    file: str
    choice: dict[str, set[str]] = field(default_factory=dict)
    true_false: dict[str, bool] = field(default_factory=dict)
    matching: dict[str, dict[str, str]] = field(default_factory=dict)
    ordering: dict[str, list[str]] = field(default_factory=dict)
    essay: set[str] = field(default_factory=set)
    recomputed: set[str] = field(default_factory=set)

    def check(self) -> None:
        """Every question is keyed here, and each pinned key is the lesson's."""
        for qid, right in self.choice.items():
            got = {o["id"] for o in question(self.file, qid)["options"] if o.get("correct")}
            assert got == right, f"{self.file}: {qid}: {got} != {right}"
        for qid, right in self.true_false.items():
            assert question(self.file, qid)["answer"] is right, f"{self.file}: {qid}"
        for qid, right in self.matching.items():
            assert question(self.file, qid)["pairs"] == right, f"{self.file}: {qid}"
        for qid, right in self.ordering.items():
            assert question(self.file, qid)["answer"] == right, f"{self.file}: {qid}"
        for qid in self.essay:
            assert_essay(question(self.file, qid))
        keyed = (
            set(self.choice)
            | set(self.true_false)
            | set(self.matching)
            | set(self.ordering)
            | self.essay
            | self.recomputed
        )
        for q in questions(self.file):
            assert q["id"] in keyed, f"{self.file}: {q['id']} has no reviewed key in a test"
            assert q["prompt"].strip() and q["explanation"].strip(), q["id"]
            if q["type"] == "numeric":
                assert q["id"] in self.recomputed, f"{q['id']}: numeric keys are recomputed"


def assert_essay(q: dict) -> None:
    """An open answer carries a model answer and a rubric whose lines have points."""
    assert q["type"] == "essay", q["id"]
    assert len(q["model_answer"].split()) >= 40, f"{q['id']}: model answer too thin"
    rubric = q["rubric"]
    assert len(rubric) >= 3, q["id"]
    assert all(line["points"] > 0 and line["text"].strip() for line in rubric), q["id"]
