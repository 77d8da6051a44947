"""One question on a lesson page: input, submit, score, feedback, explanation, retry.

What to draw for a question comes from its row in `lessons.types.TYPES`: the label, and the
`widget` key that `WIDGETS` below maps to a card body. Auto-graded types share one body
(input → submit → score → feedback, retries); the essay draws its own (`ui/essay.py`).
The inputs are one light component per question (`ui/controls.py`; the ordering cards,
`ui/ordering.py`), not Streamlit's widgets, which cost the browser several times as much.
Grading is `lessons.grading`; attempts are stored by `classroom.store`, so what the learner
sees after a refresh or a restart is read back from the database, not from the session.
Widget keys are `q-<lesson>-<question>-...` (`-answer`, `-cards`, `-submit`), stable for tests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import streamlit as st

from classroom.store import QuestionLocked
from lessons.grading import effective_penalty, final_score, grade
from lessons.types import question_type
from ui.controls import TF_IDS, answer_input, choice_options, matching_data
from ui.essay import essay_body
from ui.lab_panel import lab_comparison
from ui.ordering import initial_order, ordering_input
from ui.resources import store
from ui.rich_text import markdown

TF = [{"id": "true", "html": "True"}, {"id": "false", "html": "False"}]


def question_key(lesson_id: str, question_id: str) -> str:
    return f"q-{lesson_id}-{question_id}"


def render_question(lesson, question, number: int, learner, state) -> None:
    """Draw one question in a bordered card and handle its submission."""
    key = question_key(lesson.id, question.id)
    spec = question_type(question)
    with st.container(border=True, key=f"{key}-card"):
        # one element for the header and the prompt: each element costs the browser ~6 ms
        head = f"**Question {number}** · {spec.label} · {question.points:g} pt"
        note = _penalty_note(question, key, state) if spec.widget != "essay" else None
        if note:  # on the header's line, not a caption of its own: one element fewer
            head += f" · :small[{note}]"
        markdown(f"{head}\n\n{question.prompt}")
        WIDGETS[spec.widget](lesson, question, key, learner, state)


def _auto_body(draw_input: Callable) -> Callable:
    """The card body of an auto-graded type whose answer widget is `draw_input`."""

    def body(lesson, question, key: str, learner, state) -> None:
        locked = _is_over(question, key, state)
        last = state.last_answer if state else None
        answer = draw_input(question, key, last, locked)
        if not locked:
            _submit_row(lesson, question, key, learner, state, answer)
        if state:
            _feedback(question, key, state, locked)
            if question.lab:
                lab_comparison(lesson.lab(question.lab))

    return body


def _is_over(question, key: str, state) -> bool:
    """No more tries: solved, out of tries, or the answer shown (stored or in this tab)."""
    return _locked(question, state) or st.session_state.get(f"{key}-revealed", False)


def _penalty_note(question, key: str, state) -> str | None:
    """What a wrong try costs, said before answering; None when nothing is lost or over."""
    penalty = effective_penalty(question)
    if not penalty or _is_over(question, key, state):
        return None
    return f"each wrong try takes {penalty:.0%} off the score of the right one"


def _locked(question, state) -> bool:
    if state is None:
        return False
    out_of_tries = question.max_tries is not None and state.tries >= question.max_tries
    return state.solved or out_of_tries or state.revealed


def _radio_input(question, key: str, last, disabled: bool):
    opts = choice_options(question)
    return answer_input("radio", question, key, last, disabled, label="Your answer", options=opts)


def _checkbox_input(question, key: str, last, disabled: bool):
    value = answer_input(
        "checkboxes",
        question,
        key,
        last,
        disabled,
        label="Your answer (choose all that apply)",
        options=choice_options(question),
    )
    chosen = set(value or [])
    return [o.id for o in question.options if o.id in chosen]


def _true_false_input(question, key: str, last, disabled: bool):
    start = None if last is None else ("true" if last else "false")
    picked = answer_input("tf", question, key, start, disabled, label="Your answer", options=TF)
    return None if picked is None else TF_IDS[picked]


def _ordering_input(question, key: str, last, disabled: bool):
    start = last or initial_order(
        [i.id for i in question.items], key, lambda o: grade(question, o).correct
    )
    return ordering_input(question, key, start, disabled)


def _matching_input(question, key: str, last: dict | None, disabled: bool) -> dict:
    value = answer_input(
        "matching",
        question,
        key,
        last,
        disabled,
        label="Match each item to a description",
        **matching_data(question),
    )
    return dict(value or {})


def _numeric_input(question, key: str, last, disabled: bool):
    label = f"Your answer ({question.unit})" if question.unit else "Your answer"
    value = answer_input(
        "number",
        question,
        key,
        last,
        disabled,
        label=label,
        unit=question.unit,
        placeholder="Type a number",
    )
    return None if value is None else float(value)


def _incomplete(question, answer) -> str | None:
    """A reason to refuse the submit (nothing chosen yet), or None."""
    if answer is None or answer == [] or answer == {}:
        return "Answer the question first."
    if isinstance(answer, dict) and len(answer) < len(question.left):  # matching
        return "Choose a description for every item."
    return None


def _submit_row(lesson, question, key, learner, state, answer) -> None:
    reveal_allowed = state is not None and not state.solved
    hint = question.hint if state and not state.solved else None
    # columns only when there is more than Submit: a page of unanswered questions then has
    # no column blocks at all (each block and column costs the browser a few ms to draw)
    cols = st.columns([1, 1, 3]) if reveal_allowed or hint else [st]
    submitted = cols[0].button("Submit", key=f"{key}-submit", type="primary")
    help_text = "Ends the question: your score so far stays, no later try counts."
    if reveal_allowed and cols[1].button("Show answer", key=f"{key}-reveal", help=help_text):
        if learner is not None:
            store().reveal(learner.id, lesson.id, question.id)
        st.session_state[f"{key}-revealed"] = True
        st.rerun()
    if hint:
        cols[2].caption(f":material/lightbulb: Hint: {hint}")
    if not submitted:
        return
    problem = _incomplete(question, answer)
    if problem:
        st.warning(problem)
        return
    if learner is None:
        result = grade(question, answer)
        st.info(f"Score {result.score:.0%} — sign in on the home page to keep your progress.")
        return
    result = grade(question, answer)
    wrong_before = state.tries if state else 0
    # QuestionLocked: revealed meanwhile (another tab); the rerun shows the question as over
    with contextlib.suppress(QuestionLocked):
        store().record_attempt(
            learner.id,
            lesson.id,
            question.id,
            answer,
            raw_score=result.score,
            score=final_score(result.score, wrong_before, effective_penalty(question)),
            correct=result.correct,
        )
    st.rerun()


def _feedback(question, key: str, state, locked: bool) -> None:
    score = state.last_score
    tries = f"{state.tries} {'try' if state.tries == 1 else 'tries'}"
    if state.revealed and not state.solved:
        st.info(f"Answer shown — score {score or 0:.0%} ({tries}).", icon=":material/visibility:")
    elif state.solved:
        st.success(
            f"Correct — score {state.best_score:.0%} ({tries}).", icon=":material/check_circle:"
        )
    elif score and score > 0:
        st.warning(f"Partly right — score {score:.0%} ({tries}).", icon=":material/rule:")
    else:
        st.error(f"Not right yet — score {score or 0:.0%} ({tries}).", icon=":material/cancel:")
    for line in question_type(question).feedback(question, state.last_answer):
        st.caption(line)
    if locked:
        if not state.solved:
            st.markdown(f"**Answer:** {question_type(question).answer_text(question)}")
        st.markdown("**Explanation**")
        st.info(question.explanation)
    elif question.max_tries:
        left = question.max_tries - state.tries
        st.caption(f"{left} {'try' if left == 1 else 'tries'} left. Change your answer and submit.")
    else:
        st.caption("Change your answer and submit again, or show the answer.")


WIDGETS: dict[str, Callable] = {
    "radio": _auto_body(_radio_input),
    "checkboxes": _auto_body(_checkbox_input),
    "true_false": _auto_body(_true_false_input),
    "ordering": _auto_body(_ordering_input),
    "matching": _auto_body(_matching_input),
    "number": _auto_body(_numeric_input),
    "essay": essay_body,
}
"""Widget key (the `widget` column of `lessons.types.TYPES`) → card body
`(lesson, question, key, learner, state)`; a test checks every key of the table is here."""
