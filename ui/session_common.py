"""What the learner's and the presenter's session views share: the store, links, QR, prompts.

The join link is `<base>/session?code=CODE`; `<base>` is `$PARALAB_PUBLIC_URL` when set
(the address learners' phones can reach), else the address this browser used. The QR code
is drawn here by `segno` (pure Python, nothing fetched).
"""

from __future__ import annotations

import io
import os
from urllib.parse import urlsplit

import segno
import streamlit as st

from classroom.sessions import SessionStore
from lessons.types import question_type
from ui import questions
from ui.resources import store
from ui.rich_text import markdown
from ui.session_charts import LETTERS

PUBLIC_URL = "PARALAB_PUBLIC_URL"
FOLLOW_S = float(os.environ.get("PARALAB_FOLLOW_S", "1.0"))
"""How often a learner's screen asks whether the session changed (the class follows in about
FOLLOW_S + a rerun). Each ask is a fragment rerun on the server; on the 2-core reference box
20 learners at 1 s followed an "open" within 4.6 s (bench/bench_sessions.py, after
Streamlit's post-run GC was turned off: it had made each ask cost ~60 ms of CPU).
`$PARALAB_FOLLOW_S=2` halves the load for a bigger class on a small server."""


_SESSIONS: dict[str | None, SessionStore] = {}


def sessions() -> SessionStore:
    """The live sessions, on the classroom store's SQLite file.

    Kept per `$PARALAB_DATA_DIR` in a plain dict: every learner's screen asks this once a
    second, and `data_dir()` (resolve + mkdir) each time would be wasted work on the GIL.
    """
    configured = os.environ.get("PARALAB_DATA_DIR")
    if configured not in _SESSIONS:
        _SESSIONS[configured] = SessionStore(store())
    return _SESSIONS[configured]


def base_url() -> str:
    configured = os.environ.get(PUBLIC_URL, "").strip().rstrip("/")
    if configured:
        return configured
    parts = urlsplit(st.context.url or "http://localhost:8501")
    return f"{parts.scheme}://{parts.netloc}"


def join_url(code: str) -> str:
    return f"{base_url()}/session?code={code}"


def reachable_only_here(url: str) -> bool:
    """True for a localhost link, which learners' own devices cannot open."""
    return (urlsplit(url).hostname or "") in ("localhost", "127.0.0.1", "::1")


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(url: str) -> bytes:
    """The link as a QR code PNG (error correction M, 2-module quiet zone)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


INPUTS = {
    "radio": questions._radio_input,
    "checkboxes": questions._checkbox_input,
    "true_false": questions._true_false_input,
    "ordering": questions._ordering_input,
    "matching": questions._matching_input,
    "number": questions._numeric_input,
}
"""The lesson page's answer widgets, by the `widget` key of `lessons.types.TYPES` (the one
place to adapt when they change). Essays are graded by a person, so a live session skips them."""


def live_questions(lesson) -> list:
    """The questions a live session runs: the auto-graded ones, in lesson order."""
    return [q for q in lesson.questions() if question_type(q).widget in INPUTS]


def kind_label(question) -> str:
    return question_type(question).label


def answer_text(question) -> str:
    return question_type(question).answer_text(question)


def answer_widget(question, key: str, last, disabled: bool):
    """The lesson page's answer widget for this question type."""
    return INPUTS[question_type(question).widget](question, key, last, disabled)


def incomplete(question, answer) -> str | None:
    return questions._incomplete(question, answer)


def show_prompt(question, number: int, *, points: bool = True) -> None:
    """The question as the class sees it: number, kind, rendered prompt (Markdown, LaTeX)."""
    pts = f" · {question.points:g} pt" if points else ""
    st.markdown(f"**Question {number}** · {kind_label(question)}{pts}")
    markdown(question.prompt)


def show_choices(question) -> None:
    """Read-only list of what there is to choose or order (the presenter's stage)."""
    kind = question.type
    if kind in ("single_choice", "multiple_choice"):
        for i, option in enumerate(question.options):
            st.markdown(f"**{LETTERS[i]}.** {option.text}")
    elif kind == "true_false":
        st.markdown("**A.** True")
        st.markdown("**B.** False")
    elif kind == "ordering":
        st.markdown("\n".join(f"- {item.text}" for item in question.items))
    elif kind == "matching":
        left, right = st.columns(2)
        left.markdown("\n".join(f"- {item.text}" for item in question.left))
        right.markdown("\n".join(f"- {item.text}" for item in question.right))
    elif question.unit:
        st.caption(f"Answer in {question.unit}.")


def show_key(question) -> None:
    """The key and the explanation, as shown after a reveal."""
    st.success(f"**Answer:** {answer_text(question)}", icon=":material/key:")
    st.info(question.explanation)


def describe_answer(question, answer) -> str:
    """An answer in words (option texts, not ids) for the report."""
    kind = question.type
    if kind in ("single_choice", "multiple_choice"):
        text = {o.id: o.text for o in question.options}
        chosen = [answer] if isinstance(answer, str) else list(answer or [])
        return "; ".join(text.get(c, str(c)) for c in chosen)
    if kind == "ordering":
        text = {i.id: i.text for i in question.items}
        return " → ".join(text.get(i, str(i)) for i in answer)
    if kind == "matching":
        left = {i.id: i.text for i in question.left}
        right = {i.id: i.text for i in question.right}
        return "; ".join(f"{left.get(k, k)} ↔ {right.get(v, v)}" for k, v in answer.items())
    if kind == "true_false":
        return "True" if answer else "False"
    return f"{answer:g}" if isinstance(answer, (int, float)) else str(answer)
