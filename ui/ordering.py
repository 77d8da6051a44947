"""The ordering input: one list of cards, dragged with a mouse or a finger, or moved with
the keyboard — no iframe.

It is a Streamlit custom component (v2: mounted in the page itself, no iframe or bundle of
its own to load). Each card is a list item that Tab reaches; its "↑" and "↓" buttons (or
Alt+↑ / Alt+↓ on the card) move it one place, and a polite live region reads out where it
went. Dragging a card with the mouse, or by its grip (⠿) with a finger, moves it where it is
dropped. Every move sends the whole order to Python as the component's `order` state, so
the order survives reruns like any widget's value; what is submitted is that order.

The iframe component this replaces (`streamlit-sortables`) loaded its own page and React
bundle per question: on a 2-core box a lesson with one ordering question took ~0.15–0.25 s
longer to become idle (bench/bench_pages.py), and it needed a second, separate keyboard
control beside it.
"""

from __future__ import annotations

import random

import streamlit as st

from ui.controls import web_asset

CSS = web_asset("ordering.css")
JS = web_asset("ordering.js")

_component = st.components.v2.component("paralab_ordering", css=CSS, js=JS)


def initial_order(item_ids: list[str], seed: str, is_right) -> list[str]:
    """A shuffled start that is not already right (stable per question, so reruns agree)."""
    order = list(item_ids)
    random.Random(seed).shuffle(order)
    for _ in range(len(order)):
        if not is_right(order):
            break
        order = order[1:] + order[:1]
    return order


def _valid(order, item_ids: list[str]) -> bool:
    """An order sent by the browser names each item once (anything else is ignored)."""
    return isinstance(order, list) and sorted(map(str, order)) == sorted(item_ids)


def ordering_input(question, key: str, start: list[str], disabled: bool) -> list[str]:
    """Render the ordering widget and return the learner's current order of item ids."""
    ids = [item.id for item in question.items]
    text = {item.id: item.text for item in question.items}
    if disabled:
        st.markdown("\n".join(f"{n}. {text[i]}" for n, i in enumerate(start, 1)))
        return list(start)
    component_key = f"{key}-cards"
    saved = st.session_state.get(component_key)
    current = saved.get("order") if hasattr(saved, "get") else None
    order = [str(i) for i in current] if _valid(current, ids) else list(start)
    _component(
        key=component_key,
        data={
            "items": [{"id": i, "text": text[i]} for i in ids],
            "order": order,  # what the learner last made: the list then has nothing to redraw
            "label": "Cards to put in order",
        },
        default={"order": list(start)},
        on_order_change=lambda: None,
    )
    return order
