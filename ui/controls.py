"""The browser's own controls, one light element each, drawn in the page: the answers of
auto-graded questions and the lab cards' view pickers.

A question's answer — one option of several, a few options, true or false, a description
for each item, a number — is one Streamlit custom component (v2: mounted in the page, no
iframe) holding the browser's own controls: radio buttons, checkboxes, `<select>`s, a text
field; a lab card's "Recorded / Predicted / Run it here" is the same radio buttons drawn
as a row of pills. Streamlit's widgets for the same cost the browser's main thread 4–17 ms
each on this 2-core box (a matching question of four items: ~36 ms of selectboxes, a
segmented control ~9–15 ms) where this costs 2–3 ms (`bench/bench_elements.py`), and a
lesson section is a page of such questions.

Keyboard and screen readers get what the browser's controls give: Tab to a group, arrows
between radio buttons, Space on a checkbox, arrows or typing in a `<select>`, each control
named by its option or item (`aria-labelledby`), each group by the question. A number is
committed on Enter or on leaving the field; text that is not a number is said so beside it
(and the answer is then empty, so Submit asks for one) rather than silently reverted.

The value lives in the page between changes and is sent as the component's `value` state
on each change; Python's view redraws the controls only when it changed for a reason of its
own (the question locked, an answer from another tab), never to repeat what the page sent.
What Python reads back is checked (`valid_value`, the views listed): a state the page could
not have sent leaves the last stored answer (or the default view) in place.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import streamlit as st

from ui.inline_text import inline_html, inline_plain

WEB = Path(__file__).with_name("web")


def web_asset(name: str) -> str:
    """The text of `ui/web/<name>`: a component's CSS or JavaScript, kept in a file of its
    own so that it reads, and is checked, as what it is."""
    return (WEB / name).read_text(encoding="utf-8")


CSS = web_asset("controls.css")
# `sync(root, shape, value, build, show, read)`: the page's value and Python's reconciled
# on each call of a component that sends its value (the rules are in sync.js); shared with
# the lab's run form (ui/spec_form.py).
SYNC_JS = web_asset("sync.js")
JS = web_asset("controls.js") + SYNC_JS

_component = st.components.v2.component("paralab_answer", css=CSS, js=JS)

TF_IDS = {"true": True, "false": False}


def _is_number(value) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float (JSON allows 1e400 as 1 and 400 0s)
        return False


def valid_value(kind: str, value, question) -> bool:
    """Whether `value` is an answer this question's controls could have sent."""
    if value is None:
        return True
    if kind in ("radio", "checkboxes"):
        ids = {o.id for o in question.options}
        if kind == "radio":
            return isinstance(value, str) and value in ids
        return (
            isinstance(value, list)
            and all(isinstance(v, str) and v in ids for v in value)
            and len(set(value)) == len(value)
        )
    if kind == "tf":
        return isinstance(value, str) and value in TF_IDS
    if kind == "matching":
        left = {i.id for i in question.left}
        right = {r.id for r in question.right}
        return isinstance(value, dict) and all(
            isinstance(k, str) and k in left and isinstance(v, str) and v in right
            for k, v in value.items()
        )
    return _is_number(value)


def _draw(kind: str, key: str, start, valid, **data):
    """The component under `key` and the value it shows: the page's if `valid`, else `start`
    (the stored answer) if that still is (an option renamed since: nothing). A disabled
    control shows `start` whatever the page holds: a locked card shows what was graded."""
    start = start if valid(start) else None
    saved = st.session_state.get(key)
    current = saved.get("value") if hasattr(saved, "get") else start
    value = current if valid(current) and not data.get("disabled") else start
    _component(
        key=key,
        data={"kind": kind, "name": key, "value": value, **data},
        default={"value": start},
        on_value_change=lambda: None,
    )
    return value


def answer_input(kind: str, question, key: str, start, disabled: bool, **data):
    """Draw the question's controls (`kind`: radio, checkboxes, tf, matching, number) and
    return the answer they show, in the page's terms (option ids, a dict, a float, None)."""
    valid = lambda value: valid_value(kind, value, question)  # noqa: E731
    return _draw(kind, f"{key}-answer", start, valid, disabled=disabled, **data)


def view_picker(
    key: str,
    views: list[str],
    default: str | None = None,
    label: str = "View",
    *,
    show_label: bool = False,
    names: dict[str, str] | None = None,
):
    """One of `views` as a row of pills (radio buttons: Tab to the row, arrows to switch),
    or `default` until one is picked (None: none is). `show_label`: `label` above the row
    (else it is only the row's name for screen readers), and the pills drawn apart (a row
    of many that may wrap). `names`: the text of each view's pill, where a view is an id."""
    names = names or {}
    options = [{"id": v, "html": html.escape(names.get(v, v))} for v in views]
    valid = lambda value: value is None or (isinstance(value, str) and value in views)  # noqa: E731
    data = {"label": label, "options": options, "disabled": False}
    data |= {"shown": show_label, "apart": show_label}
    return _draw("views", key, default, valid, **data)


def select_one(
    key: str, label: str, options: list[tuple[str, str]], default: str, hint: str = ""
) -> str:
    """One of `options` ((id, text) pairs) from the browser's own `<select>` under `label`,
    or `default` until one is picked: a light `st.selectbox` (~40 ms of the browser's time
    for the sidebar's list of 17 lessons, the select ~2 ms). A pick from the open list (mouse,
    touch, or Enter in it) counts at once; the arrows and letters on the closed list only
    move through it, Enter picks, Escape or leaving the list puts back the lesson shown, so
    browsing neither reruns the page at every step nor opens a lesson on leaving the list.
    `hint`: said by screen readers with the list."""
    ids = [i for i, _ in options]
    valid = lambda value: isinstance(value, str) and value in ids  # noqa: E731
    opts = [{"id": i, "text": text} for i, text in options]
    data = {"label": label, "options": opts, "disabled": False, "hint": hint}
    return _draw("select", key, default, valid, **data)


def essay_input(key: str, question, start: str | None, disabled: bool, note: str = "") -> str:
    """An essay's text in the browser's own `<textarea>` (a light `st.text_area`: ~45 ms of
    the browser's time on a case-study section), under "Your answer", with its word count
    kept as the learner types and `note` after it. The text is sent on leaving the field or
    on Ctrl+Enter, as Streamlit's text area sends it; "" until then. `disabled`: the text as
    submitted, read only. Widget key `<key>-essay`."""
    limit = question.max_chars
    valid = lambda value: isinstance(value, str) and len(value) <= limit  # noqa: E731
    need = f" (at least {question.min_words})" if question.min_words else ""
    data = {"label": "Your answer", "disabled": disabled, "rows": 6 if disabled else 8}
    data |= {"max_chars": limit, "need": need, "note": note}
    data["placeholder"] = "" if disabled else "Write your answer here…"
    return _draw("essay", f"{key}-essay", start or "", valid, **data) or ""


def choice_options(question) -> list[dict]:
    return [{"id": o.id, "html": inline_html(o.text)} for o in question.options]


def matching_data(question) -> dict:
    return {
        "left": [{"id": i.id, "html": inline_html(i.text)} for i in question.left],
        "right": [{"id": r.id, "text": inline_plain(r.text)} for r in question.right],
        "placeholder": "Choose a description…",
    }
