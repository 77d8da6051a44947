"""The ordering input: drag and drop, and the same moves from the keyboard.

Dragging uses the `streamlit-sortables` component (dnd-kit in an iframe). Keyboard users
pick an item and press "Move up" / "Move down" — plain Streamlit widgets that Tab reaches
and Enter or Space press. Both edit one order kept in session state; a keyboard move bumps
a version number in the component's key so the drag list redraws in the new order.
"""

from __future__ import annotations

import random

import streamlit as st
from streamlit_sortables import sort_items

CARD_STYLE = """
.sortable-component { background: transparent; padding: 0; }
.sortable-item, .sortable-item:hover {
  background: #ffffff; color: #1d2433; border: 1px solid #cfd6e4; border-radius: 8px;
  font-size: 15px; text-align: left; padding: 8px 12px; margin: 4px 0;
  box-shadow: 0 1px 2px rgba(20, 30, 60, 0.06);
}
.sortable-item:hover { border-color: #3b5bdb; }
.sortable-item:focus-visible { outline: 3px solid #3b5bdb; outline-offset: 1px; }
.sortable-item.dragging { background: #eef2ff; border-color: #3b5bdb; }
"""


def initial_order(item_ids: list[str], seed: str, is_right) -> list[str]:
    """A shuffled start that is not already right (stable per question, so reruns agree)."""
    order = list(item_ids)
    random.Random(seed).shuffle(order)
    for _ in range(len(order)):
        if not is_right(order):
            break
        order = order[1:] + order[:1]
    return order


def _labels(items) -> dict[str, str]:
    """Item id -> the text shown; texts are made unique so a dragged label maps back."""
    labels: dict[str, str] = {}
    for item in items:
        text = item.text
        while text in labels.values():
            text += " ·"
        labels[item.id] = text
    return labels


def ordering_input(question, key: str, start: list[str], disabled: bool) -> list[str]:
    """Render the ordering widget and return the learner's current order of item ids."""
    order_key, version_key = f"{key}-order", f"{key}-version"
    if order_key not in st.session_state:
        st.session_state[order_key] = list(start)
        st.session_state[version_key] = 0
    labels = _labels(question.items)
    by_label = {text: item_id for item_id, text in labels.items()}
    order: list[str] = st.session_state[order_key]
    if disabled:
        st.markdown("\n".join(f"{n}. {labels[i]}" for n, i in enumerate(order, 1)))
        return order
    drag, keys = st.columns([3, 2], vertical_alignment="top")
    with drag:
        st.caption("Drag the cards into order (first at the top).")
        dragged = sort_items(
            [labels[i] for i in order],
            direction="vertical",
            custom_style=CARD_STYLE,
            key=f"{key}-dnd-{st.session_state[version_key]}",
        )
        if dragged and [by_label[t] for t in dragged] != order:
            order = [by_label[t] for t in dragged]
            st.session_state[order_key] = order
    with keys:
        _keyboard_controls(key, order, labels)
    return st.session_state[order_key]


def _keyboard_controls(key: str, order: list[str], labels: dict[str, str]) -> None:
    """Select an item, then move it one place up or down (reachable with Tab and Enter).

    The picker is re-created after every move (its key carries the order's version), so
    its label shows the card's new position; the picked card stays picked.
    """
    st.caption("Or with the keyboard: choose a card, then move it.")
    remembered = st.session_state.get(f"{key}-picked")
    picked = st.selectbox(
        "Card to move",
        options=order,
        index=order.index(remembered) if remembered in order else 0,
        format_func=lambda i: f"{order.index(i) + 1}. {labels[i]}",
        key=f"{key}-pick-{st.session_state[f'{key}-version']}",
    )
    st.session_state[f"{key}-picked"] = picked
    up, down = st.columns(2)
    pos = order.index(picked)
    if up.button("Move up ↑", key=f"{key}-up", disabled=pos == 0, width="stretch"):
        _swap(key, order, pos, pos - 1)
    if down.button(
        "Move down ↓", key=f"{key}-down", disabled=pos == len(order) - 1, width="stretch"
    ):
        _swap(key, order, pos, pos + 1)


def _swap(key: str, order: list[str], a: int, b: int) -> None:
    new = list(order)
    new[a], new[b] = new[b], new[a]
    st.session_state[f"{key}-order"] = new
    st.session_state[f"{key}-version"] += 1
    st.rerun()
