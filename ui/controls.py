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

import streamlit as st

from ui.inline_text import inline_html, inline_plain

CSS = """
:host { display: block; }
.paralab-answer { font: inherit; font-size: 1rem; line-height: 1.45;
  color: var(--st-text-color, #0b1220); }
.group { display: flex; flex-direction: column; gap: 2px; margin: 0; padding: 0; border: 0; }
.group.row { flex-direction: row; flex-wrap: wrap; gap: 4px 20px; }
label.opt { display: flex; align-items: flex-start; gap: 10px; padding: 5px 8px 5px 4px;
  border-radius: 6px; cursor: pointer; }
label.opt:hover { background: var(--st-secondary-background-color, #f3f5fa); }
label.opt input { margin: 0.2em 0 0; width: 1.05em; height: 1.05em; flex: none;
  accent-color: var(--st-primary-color, #2a44b0); cursor: inherit; }
.disabled label.opt { cursor: default; color: #4a5468; }
.disabled label.opt:hover { background: none; }
input:focus-visible, select:focus-visible {
  outline: 3px solid var(--st-primary-color, #2a44b0); outline-offset: 2px; }
.pair { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 6px 16px;
  align-items: center; padding: 6px 0; border-bottom: 1px solid #e3e7f0; }
.pair:last-child { border-bottom: 0; }
@container (max-width: 520px) { .pair { grid-template-columns: minmax(0, 1fr); } }
.paralab-answer { container-type: inline-size; }
select, input.number { font: inherit; font-size: 0.95rem; color: inherit;
  background: var(--st-background-color, #ffffff); border: 1px solid #7a849c;
  border-radius: 8px; padding: 6px 10px; min-height: 2.5em; }
select { width: 100%; text-overflow: ellipsis; }
select:disabled, input.number:disabled { background: #f3f5fa; color: #4a5468; }
.numrow { display: flex; align-items: center; gap: 10px; }
textarea { font: inherit; font-size: 1rem; line-height: 1.5; color: inherit; width: 100%;
  box-sizing: border-box; background: var(--st-background-color, #ffffff); resize: vertical;
  border: 1px solid #7a849c; border-radius: 8px; padding: 8px 10px; min-height: 6em; }
textarea:disabled { background: #f3f5fa; color: #3d4657; }
textarea:focus-visible { outline: 3px solid var(--st-primary-color, #2a44b0); outline-offset: 2px; }
.pick-label.essay-label { font-size: 0.875rem; }
.count { margin: 4px 0 0; font-size: 0.875rem; color: #3d4657; }
input.number { width: 14em; max-width: 70%; }
input.number[aria-invalid="true"] { border-color: #b3261e; }
.unit { color: #3d4657; }
.err { margin: 4px 0 0; font-size: 0.9rem; color: #b3261e; min-height: 0; }
.err:empty { display: none; }
code { font-family: "Source Code Pro", ui-monospace, monospace; font-size: 0.9em;
  background: #f0f2f7; border-radius: 4px; padding: 0 3px; }
math { font-size: 1.1em; }
.group.pills { flex-direction: row; flex-wrap: wrap; gap: 6px 0; }
.pills label.opt { position: relative; align-items: center; gap: 0; margin-left: -1px;
  padding: 5px 14px; border: 1px solid #b8c1d6; border-radius: 0; font-size: 0.9rem; }
.pills label.opt:first-child { margin-left: 0; border-radius: 8px 0 0 8px; }
.pills label.opt:last-child { border-radius: 0 8px 8px 0; }
@container (max-width: 440px) {  /* a phone: pills that wrap are whole pills, apart */
  .group.pills { gap: 6px; }
  .pills label.opt, .pills label.opt:first-child, .pills label.opt:last-child {
    margin-left: 0; border-radius: 8px; }
}
.group.pills.apart { gap: 6px; }  /* many choices: whole pills that wrap as such */
.pills.apart label.opt, .pills.apart label.opt:first-child, .pills.apart label.opt:last-child {
  margin-left: 0; border-radius: 8px; }
.pills label.opt input { position: absolute; opacity: 0; width: 1px; height: 1px; margin: 0; }
.pills label.opt:has(input:checked) { z-index: 1; background: #e8ecfb; font-weight: 600;
  border-color: var(--st-primary-color, #2a44b0); color: var(--st-primary-color, #2a44b0); }
.pills label.opt:has(input:focus-visible) { z-index: 2;
  outline: 3px solid var(--st-primary-color, #2a44b0); outline-offset: 1px; }
.pick-label { display: block; font-size: 0.875rem; margin: 0 0 0.25rem; }
.pick-hint { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
math .v { font-style: italic; font-family: KaTeX_Math, "Times New Roman", serif; }
"""

# What the page holds and what Python says, reconciled on each call of a component that sends
# its value (`root.sent`: the keys of the values sent, oldest first): the controls are built
# again when their shape changed; else Python's value is shown only when it moved for a
# reason of its own — not when it repeats itself (a rerun that began before the last change)
# nor when it is one this page sent (older sends are then moot), nor when already shown.
SYNC_JS = """
function sync(root, shape, value, build, show, read) {
  const key = (v) => JSON.stringify(v === undefined ? null : v);
  const incoming = key(value);
  const fresh = incoming !== root.lastData;  // Python's value moved since the last call
  root.lastData = incoming;
  const ours = root.sent.indexOf(incoming);
  if (ours >= 0) root.sent = root.sent.slice(ours + 1);  // Python has this one: older are moot
  if (shape !== root.shape) {
    root.shape = shape;
    build();
    show(value);
  } else if (fresh && ours < 0 && incoming !== key(read())) {
    show(value);
  }
}
"""

JS = (
    """
export default function ({ data, setStateValue, parentElement }) {
  let root = parentElement.querySelector(".paralab-answer");
  if (!root) {
    root = document.createElement("div");
    root.className = "paralab-answer";
    parentElement.appendChild(root);
    root.sent = [];
    root.lastData = null;
  }
  const key = (value) => JSON.stringify(value === undefined ? null : value);
  const make = (tag, props) => Object.assign(document.createElement(tag), props || {});

  function send(value) {
    root.sent.push(key(value));
    setStateValue("value", value);
  }

  function sendIfNew(value) {  // a commit that repeats the last one sends nothing
    if (key(value) !== key(root.lastSent)) { root.lastSent = value; send(value); }
  }

  function read() {
    if (data.kind === "radio" || data.kind === "tf" || data.kind === "views") {
      const on = root.querySelector("input:checked");
      return on ? on.value : null;
    }
    if (data.kind === "checkboxes") {
      return [...root.querySelectorAll("input:checked")].map((i) => i.value);
    }
    if (data.kind === "select") return root.querySelector("select").value || null;
    if (data.kind === "essay") return root.querySelector("textarea").value;
    if (data.kind === "matching") {
      const out = {};
      root.querySelectorAll("select").forEach((s) => {
        if (s.value) out[s.dataset.left] = s.value;
      });
      return out;
    }
    return parseNumber(root.querySelector("input").value).value;
  }

  function parseNumber(text) {
    let t = text.trim().replace(/\\u2212/g, "-");
    if (!t) return { value: null, error: "" };
    // digits in groups of three may be set apart by a space or a thin space (1 000 000);
    // any other space inside is a mistake, not something to drop silently ("1 2" is not 12)
    if (/^[-+]?\\d{1,3}([ \\u202f\\u2009]\\d{3})+(\\.\\d*)?$/.test(t)) {
      t = t.replace(/[ \\u202f\\u2009]/g, "");
    }
    const n = /^[-+]?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?$/i.test(t) ? Number(t) : NaN;
    if (!Number.isFinite(n)) {
      let hint = "";
      if (/^[-+]?\\d{1,3}(,\\d{3})+$/.test(t)) hint = " Leave out the commas between thousands.";
      else if (/^[-+]?\\d+,\\d+$/.test(t)) hint = " Use a point for decimals, as in 2.5.";
      return { value: null, error: "“" + text.trim() + "” is not a number." + hint };
    }
    return { value: n, error: "" };
  }

  function show(value) {
    if (data.kind === "radio" || data.kind === "tf" || data.kind === "views") {
      root.querySelectorAll("input").forEach((i) => { i.checked = i.value === value; });
    } else if (data.kind === "checkboxes") {
      const on = new Set(value || []);
      root.querySelectorAll("input").forEach((i) => { i.checked = on.has(i.value); });
    } else if (data.kind === "select") {
      root.querySelector("select").value = value || "";
    } else if (data.kind === "essay") {
      root.querySelector("textarea").value = value || "";
      root.count();
    } else if (data.kind === "matching") {
      root.querySelectorAll("select").forEach((s) => {
        s.value = (value || {})[s.dataset.left] || "";
      });
    } else {
      const input = root.querySelector("input");
      input.value = value === null || value === undefined ? "" : String(value);
      input.removeAttribute("aria-invalid");
      root.querySelector(".err").textContent = "";
    }
  }

  function options(type) {
    const shape = { tf: " row", views: " pills" }[data.kind] || "";
    const group = make("div", { className: "group" + shape + (data.apart ? " apart" : "") });
    group.setAttribute("role", type === "radio" ? "radiogroup" : "group");
    group.setAttribute("aria-label", data.label);
    data.options.forEach((option, n) => {
      const label = make("label", { className: "opt" });
      const input = make("input", { type, name: data.name, value: option.id });
      input.disabled = data.disabled;
      const text = make("span", { id: data.name + "-o" + n, innerHTML: option.html });
      input.setAttribute("aria-labelledby", data.name + "-o" + n);
      input.addEventListener("change", () => send(read()));
      label.append(input, text);
      group.append(label);
    });
    if (!data.shown) return [group];
    const title = make("p", { className: "pick-label", id: data.name + "-label",
                              textContent: data.label });
    group.removeAttribute("aria-label");
    group.setAttribute("aria-labelledby", title.id);
    return [title, group];
  }

  function matching() {
    const group = make("div", { className: "group" });
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", data.label);
    data.left.forEach((item, n) => {
      const row = make("div", { className: "pair" });
      const text = make("span", { id: data.name + "-l" + n, className: "item" });
      text.innerHTML = item.html;
      const select = make("select", { disabled: data.disabled });
      select.dataset.left = item.id;
      select.setAttribute("aria-labelledby", data.name + "-l" + n);
      select.append(make("option", { value: "", textContent: data.placeholder }));
      for (const r of data.right) {
        select.append(make("option", { value: r.id, textContent: r.text }));
      }
      select.addEventListener("change", () => send(read()));
      row.append(text, select);
      group.append(row);
    });
    return [group];
  }

  function pick() {
    const label = make("label", { className: "pick-label", htmlFor: data.name + "-select",
                                  textContent: data.label });
    const select = make("select", { id: data.name + "-select", disabled: data.disabled });
    for (const o of data.options) {
      select.append(make("option", { value: o.id, textContent: o.text }));
    }
    // A pick opens another page, so the keyboard's arrows and letters, which change a
    // closed select at once on Linux and Windows, only move through the list: Enter picks,
    // Escape or leaving the list puts back what is open. A change just after such a key is
    // browsing; any other change (the open list, the mouse, touch) picks at once.
    // Chromium sends the change a task or two after the key, hence a short window.
    let keyAt = -Infinity;
    const commit = () => sendIfNew(read());
    const restore = () => show(root.lastSent);
    select.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {  // picks; it must not also open the list (Chromium)
        event.preventDefault();
        commit();
        return;
      }
      if (event.key === "Escape") { restore(); return; }
      if (/^(Arrow|Page|Home|End)/.test(event.key) || (event.key.length === 1 &&
          event.key !== " ")) {
        keyAt = performance.now();
      }
    });
    select.addEventListener("change", () => { if (performance.now() - keyAt > 250) commit(); });
    select.addEventListener("blur", restore);
    if (data.hint) {
      const hint = make("p", { className: "pick-hint", id: data.name + "-hint",
                               textContent: data.hint });
      select.setAttribute("aria-describedby", hint.id);
      return [label, select, hint];
    }
    return [label, select];
  }

  function essay() {  // sent on leaving the field or Ctrl+Enter, as Streamlit's text area
    const id = data.name + "-text";
    const label = make("label", { className: "pick-label essay-label", htmlFor: id,
                                  textContent: data.label });
    const text = make("textarea", { id, rows: data.rows, disabled: data.disabled,
                                    placeholder: data.placeholder || "", spellcheck: true });
    if (data.max_chars) text.maxLength = data.max_chars;
    const count = make("p", { className: "count", id: id + "-count" });
    text.setAttribute("aria-describedby", count.id);
    root.count = () => {  // words as Python's str.split() counts them, live
      const words = text.value.split(/\\s+/).filter(Boolean).length;
      count.textContent = data.disabled ? "" : words + (words === 1 ? " word" : " words") +
        data.need + ". " + data.note;
    };
    text.addEventListener("input", root.count);
    text.addEventListener("change", () => sendIfNew(read()));
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) sendIfNew(read());
    });
    return [label, text, count];
  }

  function number() {
    const row = make("div", { className: "numrow" });
    const input = make("input", {
      type: "text", className: "number", inputMode: "decimal", autocomplete: "off",
      spellcheck: false, placeholder: data.placeholder, disabled: data.disabled,
    });
    input.setAttribute("aria-label", data.label);
    const err = make("p", { className: "err", id: data.name + "-err" });
    err.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", data.name + "-err");
    const commit = () => {
      const { value, error } = parseNumber(input.value);
      if (error) {
        err.textContent = error;
        input.setAttribute("aria-invalid", "true");
      }
      sendIfNew(value);
    };
    // the message goes as soon as the text is edited, not when the field is left: leaving
    // it by pressing Submit must not move Submit between the press and the release
    input.addEventListener("input", () => {
      err.textContent = "";
      input.removeAttribute("aria-invalid");
    });
    input.addEventListener("change", commit);
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") commit(); });
    row.append(input);
    if (data.unit) row.append(make("span", { className: "unit", textContent: data.unit }));
    return [row, err];
  }

  const shape = key([data.kind, data.label, data.options, data.left, data.right, data.unit,
                     data.disabled, data.shown, data.apart, data.hint, data.need, data.note]);
  sync(root, shape, data.value, () => {
    root.className = "paralab-answer" + (data.disabled ? " disabled" : "");
    const build = { matching, number, essay, select: pick }[data.kind] ||
      (() => options(data.kind === "checkboxes" ? "checkbox" : "radio"));
    root.replaceChildren(...build());
  }, (value) => { root.lastSent = value; show(value); }, read);
}
"""
    + SYNC_JS
)

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
