// The ordering input (ui/ordering.py). The order lives in the DOM between moves. Python's
// `data.order` redraws the list only when Python's view changed for a reason of its own: not
// when it repeats what it said before (a rerun that started before the learner's last move)
// nor when it is an order this list sent itself, and never in the middle of a drag. A
// redraw puts focus back where it was.
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
