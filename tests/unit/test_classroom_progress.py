"""Tests for classroom.progress: lesson progress arithmetic.

$ pytest tests/unit -q -k classroom
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from classroom.models import QuestionState
from classroom.progress import LessonProgress, lesson_progress
from classroom.store import Store


def state(best: float, solved: bool, tries: int = 1) -> QuestionState:
    return QuestionState(
        tries=tries, best_score=best, last_score=best, last_answer=None, solved=solved
    )


def test_no_questions_is_no_progress() -> None:
    assert lesson_progress([], {}) == LessonProgress(0, 0, 0, 0.0, 0.0)


def test_nothing_answered_yet() -> None:
    assert lesson_progress(["q1", "q2"], {}) == LessonProgress(0, 0, 2, 0.0, 0.0)


def test_counts_answered_solved_and_best_scores() -> None:
    states = {"q1": state(1.0, True, tries=3), "q2": state(0.5, False), "q4": state(0.25, False)}

    progress = lesson_progress(["q1", "q2", "q3", "q4"], states)

    assert progress == LessonProgress(answered=3, solved=1, total=4, score_sum=1.75, fraction=0.75)


def test_states_outside_the_lesson_and_repeated_ids_are_ignored() -> None:
    states = {"q1": state(1.0, True), "removed": state(1.0, True)}

    progress = lesson_progress(["q1", "q2", "q1"], states)

    assert progress == LessonProgress(answered=1, solved=1, total=2, score_sum=1.0, fraction=0.5)


def test_progress_from_a_real_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "paralab.db")
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, "pipeline", "q1", "a", 0.0, 0.0, False)
    store.record_attempt(ada.id, "pipeline", "q1", "b", 1.0, 0.5, True)
    store.record_attempt(ada.id, "pipeline", "q2", "c", 0.25, 0.25, False)

    progress = lesson_progress(["q1", "q2", "q3"], store.question_state(ada.id, "pipeline"))

    assert (progress.answered, progress.solved, progress.total) == (2, 1, 3)
    assert progress.score_sum == 0.75
    assert progress.fraction == 2 / 3


ids = st.lists(st.sampled_from([f"q{i}" for i in range(8)]), max_size=12)
states = st.dictionaries(
    st.sampled_from([f"q{i}" for i in range(10)]),
    st.builds(
        state,
        st.floats(0, 1),
        st.booleans(),
        st.integers(1, 5),
    ),
)


@given(ids, states)
def test_progress_invariants(question_ids: list[str], question_states) -> None:
    progress = lesson_progress(question_ids, question_states)

    assert 0 <= progress.solved <= progress.answered <= progress.total
    assert progress.total == len(set(question_ids))
    assert 0.0 <= progress.fraction <= 1.0
    assert 0.0 <= progress.score_sum <= progress.answered


def test_solved_fraction_counts_only_solved_questions():
    states = {
        "a": QuestionState(tries=1, best_score=1.0, last_score=1.0, last_answer="x", solved=True),
        "b": QuestionState(tries=2, best_score=0.5, last_score=0.5, last_answer="y", solved=False),
    }
    progress = lesson_progress(["a", "b", "c", "d"], states)
    assert progress.fraction == 0.5  # answered 2 of 4
    assert progress.solved_fraction == 0.25  # solved 1 of 4
    assert lesson_progress([], {}).solved_fraction == 0.0
