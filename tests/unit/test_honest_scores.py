"""Honest scores: a revealed answer stays revealed, guessing costs points, exports say so."""

from __future__ import annotations

import pytest

from classroom.export import export_rows, points_of, summary_rows
from classroom.store import QuestionLocked, Store
from lessons.grading import effective_penalty, final_score, grade
from lessons.models import SingleChoiceQuestion, TrueFalseQuestion

LESSON = "pipeline"


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "paralab.db")


def test_a_revealed_question_refuses_further_attempts_after_a_restart(store, tmp_path) -> None:
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, LESSON, "q1", "a", 0.0, 0.0, False)
    store.reveal(ada.id, LESSON, "q1")
    reopened = Store(tmp_path / "paralab.db")  # a reload or a server restart
    state = reopened.question_state(ada.id, LESSON)["q1"]
    assert state.revealed and not state.solved and state.tries == 1
    with pytest.raises(QuestionLocked, match="revealed"):
        reopened.record_attempt(ada.id, LESSON, "q1", "b", 1.0, 1.0, True)
    assert [a.try_no for a in reopened.attempts(ada.id)] == [1]


def test_reveal_before_any_try_is_a_state_with_no_tries(store) -> None:
    ada = store.create_learner("Ada")
    store.reveal(ada.id, LESSON, "q1")
    store.reveal(ada.id, LESSON, "q1")  # twice is once
    state = store.question_state(ada.id, LESSON)["q1"]
    assert (state.tries, state.revealed, state.best_score) == (0, True, 0.0)


def choice(n: int, **extra) -> SingleChoiceQuestion:
    options = [{"id": f"o{i}", "text": f"O{i}", "correct": i == n - 1} for i in range(n)]
    return SingleChoiceQuestion.model_validate(
        {"type": "single_choice", "id": "q", "prompt": "?", "explanation": ".", "options": options}
        | extra
    )


def test_guessing_through_every_option_earns_nothing_by_default() -> None:
    q = choice(4)
    scores = []
    for wrong_before, option in enumerate(q.options):
        raw = grade(q, option.id).score
        scores.append(final_score(raw, wrong_before, effective_penalty(q)))
    assert scores == [0.0, 0.0, 0.0, pytest.approx(0.0)]
    assert effective_penalty(q) == pytest.approx(1 / 3)  # Moodle's default for 4 options
    assert final_score(1.0, 1, effective_penalty(q)) == pytest.approx(2 / 3)


def test_an_authors_penalty_wins_and_true_false_allows_no_second_guess() -> None:
    assert effective_penalty(choice(4, penalty=0.0)) == 0.0
    assert effective_penalty(choice(2)) == 1.0
    tf = TrueFalseQuestion.model_validate(
        {"type": "true_false", "id": "t", "prompt": "?", "explanation": ".", "answer": True}
    )
    assert effective_penalty(tf) == 1.0


def test_exports_carry_tries_points_and_reveals(store) -> None:
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, LESSON, "q1", "a", 0.0, 0.0, False)
    store.reveal(ada.id, LESSON, "q1")
    store.record_attempt(ada.id, LESSON, "q2", "b", 1.0, 1.0, True)
    points = {LESSON: {"q1": 2.0, "q2": 3.0, "q3": 1.0}}
    rows = export_rows(store, points)
    assert [(r["question"], r["revealed"], r["max_points"]) for r in rows] == [
        ("q1", True, 2.0),
        ("q2", False, 3.0),
    ]
    assert rows[1]["points"] == 3.0
    (summary,) = summary_rows(store, points)
    assert (summary["tries"], summary["revealed"]) == (2, 1)
    assert (summary["total_points"], summary["max_points"]) == (3.0, 6.0)


def test_points_of_reads_each_lessons_question_weights() -> None:
    class Lesson:
        id = LESSON

        @staticmethod
        def questions():
            return [choice(3, id="a", points=2.0), choice(3, id="b")]

    assert points_of([Lesson()]) == {LESSON: {"a": 2.0, "b": 1.0}}
