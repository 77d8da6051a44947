"""One question on a lesson page: input, submit, score, feedback, explanation, retry.

Grading is `lessons.grading`; attempts are stored by `classroom.store`, so what the learner
sees after a refresh or a restart is read back from the database, not from the session.
Widget keys are `q-<lesson>-<question>-...`, stable for tests.
"""

from __future__ import annotations

import contextlib

import streamlit as st

from classroom.store import QuestionLocked
from lessons.grading import effective_penalty, final_score, grade
from ui.lab_panel import lab_comparison
from ui.ordering import initial_order, ordering_input
from ui.resources import store

TF = {"True": True, "False": False}


def question_key(lesson_id: str, question_id: str) -> str:
    return f"q-{lesson_id}-{question_id}"


def render_question(lesson, question, number: int, learner, state) -> None:
    """Draw one question in a bordered card and handle its submission."""
    key = question_key(lesson.id, question.id)
    locked = _locked(question, state) or st.session_state.get(f"{key}-revealed", False)
    with st.container(border=True, key=f"{key}-card"):
        st.markdown(f"**Question {number}** · {_kind_label(question)} · {question.points:g} pt")
        penalty = effective_penalty(question)
        if penalty and not locked:
            st.caption(f"Each wrong try takes {penalty:.0%} off the score of the right one.")
        st.markdown(question.prompt)
        last = state.last_answer if state else None
        answer = _input(question, key, last, locked)
        if not locked:
            _submit_row(lesson, question, key, learner, state, answer)
        if state:
            _feedback(question, key, state, locked)
            if question.lab:
                lab_comparison(lesson.lab(question.lab))


def _locked(question, state) -> bool:
    if state is None:
        return False
    out_of_tries = question.max_tries is not None and state.tries >= question.max_tries
    return state.solved or out_of_tries or state.revealed


def _kind_label(question) -> str:
    return {
        "single_choice": "choose one",
        "multiple_choice": "choose all that apply",
        "true_false": "true or false",
        "ordering": "put in order",
        "matching": "match",
        "numeric": "numeric answer",
    }[question.type]


def _input(question, key: str, last, disabled: bool):
    """The answer widget for the question's type, pre-filled with the last stored answer."""
    kind = question.type
    if kind == "single_choice":
        ids = [o.id for o in question.options]
        text = {o.id: o.text for o in question.options}
        index = ids.index(last) if last in ids else None
        return st.radio(
            "Your answer",
            ids,
            index=index,
            format_func=text.get,
            key=f"{key}-radio",
            disabled=disabled,
            label_visibility="collapsed",
        )
    if kind == "multiple_choice":
        chosen = set(last or [])
        return [
            o.id
            for o in question.options
            if st.checkbox(o.text, value=o.id in chosen, key=f"{key}-opt-{o.id}", disabled=disabled)
        ]
    if kind == "true_false":
        index = None if last is None else (0 if last else 1)
        picked = st.radio(
            "Your answer",
            list(TF),
            index=index,
            horizontal=True,
            key=f"{key}-tf",
            disabled=disabled,
            label_visibility="collapsed",
        )
        return None if picked is None else TF[picked]
    if kind == "ordering":
        start = last or initial_order(
            [i.id for i in question.items], key, lambda o: grade(question, o).correct
        )
        return ordering_input(question, key, start, disabled)
    if kind == "matching":
        return _matching_input(question, key, last or {}, disabled)
    return _numeric_input(question, key, last, disabled)


def _matching_input(question, key: str, last: dict, disabled: bool) -> dict:
    right = {r.id: r.text for r in question.right}
    answer = {}
    for left in question.left:
        cols = st.columns([2, 3], vertical_alignment="center")
        cols[0].markdown(f"**{left.text}**")
        ids = list(right)
        choice = cols[1].selectbox(
            left.text,
            ids,
            index=ids.index(last[left.id]) if last.get(left.id) in ids else None,
            format_func=right.get,
            placeholder="Choose a description…",
            key=f"{key}-m-{left.id}",
            disabled=disabled,
            label_visibility="collapsed",
        )
        if choice is not None:
            answer[left.id] = choice
    return answer


def _numeric_input(question, key: str, last, disabled: bool):
    label = f"Your answer ({question.unit})" if question.unit else "Your answer"
    return st.number_input(
        label,
        value=last,
        format="%.4g",
        step=None,
        key=f"{key}-num",
        disabled=disabled,
        placeholder="Type a number",
    )


def _incomplete(question, answer) -> str | None:
    """A reason to refuse the submit (nothing chosen yet), or None."""
    if answer is None or answer == [] or answer == {}:
        return "Answer the question first."
    if question.type == "matching" and len(answer) < len(question.left):
        return "Choose a description for every item."
    return None


def _submit_row(lesson, question, key, learner, state, answer) -> None:
    cols = st.columns([1, 1, 3])
    submitted = cols[0].button("Submit", key=f"{key}-submit", type="primary")
    reveal_allowed = state is not None and not state.solved
    help_text = "Ends the question: your score so far stays, no later try counts."
    if reveal_allowed and cols[1].button("Show answer", key=f"{key}-reveal", help=help_text):
        if learner is not None:
            store().reveal(learner.id, lesson.id, question.id)
        st.session_state[f"{key}-revealed"] = True
        st.rerun()
    if question.hint and state and not state.solved:
        cols[2].caption(f":material/lightbulb: Hint: {question.hint}")
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
    _option_feedback(question, state.last_answer)
    if locked:
        if not state.solved:
            st.markdown(f"**Answer:** {answer_text(question)}")
        st.markdown("**Explanation**")
        st.info(question.explanation)
    elif question.max_tries:
        left = question.max_tries - state.tries
        st.caption(f"{left} {'try' if left == 1 else 'tries'} left. Change your answer and submit.")
    else:
        st.caption("Change your answer and submit again, or show the answer.")


def _option_feedback(question, answer) -> None:
    if question.type not in ("single_choice", "multiple_choice") or answer is None:
        return
    chosen = {answer} if isinstance(answer, str) else set(answer)
    for option in question.options:
        if option.id in chosen and getattr(option, "feedback", None):
            st.caption(f"*{option.text}* — {option.feedback}")


def answer_text(question) -> str:
    """The answer key in words, shown once a question is over."""
    kind = question.type
    if kind in ("single_choice", "multiple_choice"):
        return "; ".join(o.text for o in question.options if o.correct)
    if kind == "true_false":
        return "True" if question.answer else "False"
    if kind == "ordering":
        text = {i.id: i.text for i in question.items}
        return " → ".join(text[i] for i in question.correct_order())
    if kind == "matching":
        right = {r.id: r.text for r in question.right}
        return "; ".join(
            f"{left.text} ↔ {right[question.pairs[left.id]]}" for left in question.left
        )
    unit = f" {question.unit}" if question.unit else ""
    tol = f" (± {question.tolerance:g})" if question.tolerance else ""
    return f"{question.answer:g}{unit}{tol}"
