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

CSS = """
:host { display: block; }
ol { list-style: none; margin: 0; padding: 0; }
li {
  display: flex; align-items: center; gap: 8px;
  background: var(--st-background-color, #ffffff); color: var(--st-text-color, #0b1220);
  border: 1px solid #b8c1d6; border-radius: 8px; margin: 4px 0; padding: 6px 8px 6px 10px;
  font: inherit; font-size: 15px; line-height: 1.35; cursor: grab;
  user-select: none; -webkit-user-select: none;
}
.grip { color: #6b7385; font-size: 18px; line-height: 1; padding: 4px 2px; touch-action: none; }
li:hover { border-color: var(--st-primary-color, #2a44b0); }
li:focus-visible, button:focus-visible {
  outline: 3px solid var(--st-primary-color, #2a44b0); outline-offset: 1px;
}
li.dragging { background: #eef2ff; border-color: var(--st-primary-color, #2a44b0);
  box-shadow: 0 4px 10px rgba(20, 30, 60, 0.18); cursor: grabbing; position: relative;
  z-index: 1; }
.num { min-width: 1.6em; font-weight: 600; color: #3d4657; }
.text { flex: 1; }
button {
  font: inherit; font-size: 14px; min-width: 2.2em; min-height: 2em; border-radius: 6px;
  border: 1px solid #b8c1d6; background: var(--st-secondary-background-color, #f3f5fa);
  color: var(--st-text-color, #0b1220); cursor: pointer;
}
button:disabled { opacity: 0.35; cursor: default; }
.hint { font-size: 13px; color: #4a5468; margin: 0 0 4px; }
.live { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
"""

# The order lives in the DOM between moves. Python's `data.order` redraws the list only when
# Python's view changed for a reason of its own: not when it repeats what it said before (a
# rerun that started before the learner's last move) nor when it is an order this list sent
# itself, and never in the middle of a drag. A redraw puts focus back where it was.
JS = """
export default function ({ data, setStateValue, parentElement }) {
  let root = parentElement.querySelector(".paralab-ordering");
  if (!root) {
    root = document.createElement("div");
    root.className = "paralab-ordering";
    root.innerHTML = '<p class="hint" id="paralab-ordering-hint"></p>' +
      '<ol aria-describedby="paralab-ordering-hint"></ol>' +
      '<div class="live" aria-live="polite"></div>';
    parentElement.appendChild(root);
    root.sent = [];
    root.lastData = null;
    root.dragging = false;
  }
  const list = root.querySelector("ol");
  const live = root.querySelector(".live");
  root.querySelector(".hint").textContent = "Drag the cards into order (first at the top), " +
    "or use ↑ and ↓ on a card (Alt+↑ / Alt+↓ on a focused card).";
  list.setAttribute("aria-label", data.label || "Order");
  const text = Object.fromEntries(data.items.map((item) => [item.id, item.text]));
  const shown = () => [...list.children].map((li) => li.dataset.id);
  const key = (order) => JSON.stringify(order);

  function renumber() {
    const cards = [...list.children];
    cards.forEach((li, i) => {
      li.querySelector(".num").textContent = i + 1 + ".";
      const [up, down] = li.querySelectorAll("button");
      up.disabled = i === 0;
      down.disabled = i === cards.length - 1;
    });
  }

  function card(id) {
    const li = document.createElement("li");
    li.dataset.id = id;
    li.tabIndex = 0;
    const num = document.createElement("span");
    num.className = "num";
    const label = document.createElement("span");
    label.className = "text";
    label.textContent = text[id];
    const grip = document.createElement("span");
    grip.className = "grip";
    grip.setAttribute("aria-hidden", "true");
    grip.textContent = "⠿";
    li.append(grip, num, label);
    for (const [arrow, step, word] of [["↑", -1, "up"], ["↓", 1, "down"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.step = String(step);
      button.textContent = arrow;
      button.setAttribute("aria-label", "Move “" + text[id] + "” " + word);
      button.addEventListener("click", () => move(li, step, button));
      li.append(button);
    }
    li.addEventListener("keydown", (event) => {
      if (event.target === li && event.altKey && event.key === "ArrowUp") {
        event.preventDefault(); move(li, -1, li);
      } else if (event.target === li && event.altKey && event.key === "ArrowDown") {
        event.preventDefault(); move(li, 1, li);
      }
    });
    li.addEventListener("pointerdown", (event) => startDrag(event, li));
    return li;
  }

  function commit() {
    renumber();
    const order = shown();
    root.sent.push(key(order));
    setStateValue("order", order);
  }

  function announce(li) {
    const order = shown();
    live.textContent = text[li.dataset.id] + ": position " +
      (order.indexOf(li.dataset.id) + 1) + " of " + order.length;
  }

  function move(li, step, focusAfter) {
    const cards = [...list.children];
    const to = cards.indexOf(li) + step;
    if (to < 0 || to >= cards.length) return;
    if (step < 0) list.insertBefore(li, cards[to]);
    else list.insertBefore(li, cards[to].nextSibling);
    commit();
    (focusAfter.disabled ? li : focusAfter).focus();
    announce(li);
  }

  function startDrag(event, li) {
    if (event.button !== 0 || event.target.closest("button") || root.dragging) return;
    // a finger or a pen drags by the grip only: elsewhere on a card it scrolls the page
    if (event.pointerType !== "mouse" && !event.target.closest(".grip")) return;
    const pointer = event.pointerId;
    const before = shown();
    const startY = event.clientY;
    let dragging = false;
    // listeners on the window, not pointer capture: moving the card in the list takes it
    // out of the document for a moment, which would end a capture
    const end = (keep) => {
      window.removeEventListener("pointermove", onMove);
      window.removeEventListener("pointerup", onUp);
      window.removeEventListener("pointercancel", onCancel);
      li.classList.remove("dragging");
      root.dragging = false;
      if (!keep) {  // cancelled: the cards go back where they were
        list.replaceChildren(...before.map((id) => list.querySelector(
          'li[data-id="' + CSS.escape(id) + '"]')).filter(Boolean));
        renumber();
      } else if (key(shown()) !== key(before)) {
        commit();
        announce(li);
      }
    };
    const onMove = (ev) => {
      if (ev.pointerId !== pointer) return;
      if (!li.isConnected) return end(false);
      if (ev.pointerType === "mouse" && ev.buttons === 0) return end(true);  // a lost pointerup
      if (!dragging && Math.abs(ev.clientY - startY) < 4) return;
      dragging = true;
      root.dragging = true;
      li.classList.add("dragging");
      const others = [...list.children].filter((c) => c !== li);
      const next = others.find((c) => {
        const box = c.getBoundingClientRect();
        return ev.clientY < box.top + box.height / 2;
      });
      list.insertBefore(li, next || null);
      renumber();
    };
    const onUp = (ev) => { if (ev.pointerId === pointer) end(true); };
    const onCancel = (ev) => { if (ev.pointerId === pointer) end(false); };
    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
    window.addEventListener("pointercancel", onCancel);
  }

  function redraw(order) {
    const active = parentElement.activeElement || null;
    const activeCard = active && active.closest ? active.closest("li") : null;
    const activeId = activeCard ? activeCard.dataset.id : null;
    const activeStep = active && active.dataset ? active.dataset.step : undefined;
    list.replaceChildren(...order.map(card));
    renumber();
    const again = activeId === null ? null :
      list.querySelector('li[data-id="' + CSS.escape(activeId) + '"]');
    if (again) {  // a card that is no longer in the list (items edited) keeps no focus
      const button = activeStep && again.querySelector('button[data-step="' + activeStep + '"]');
      (button && !button.disabled ? button : again).focus();
    }
  }

  const incoming = key(data.order);
  const texts = key(data.items);
  const fresh = incoming !== root.lastData;  // Python's view moved since the last call
  root.lastData = incoming;
  const ours = root.sent.indexOf(incoming);
  if (ours >= 0) root.sent = root.sent.slice(ours + 1);  // Python has this one: older are moot
  if (!list.children.length || texts !== root.texts ||
      (fresh && ours < 0 && !root.dragging && incoming !== key(shown()))) {
    root.texts = texts;
    redraw(data.order);
  }
}
"""

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
