"""A run form made from a workload's spec class: one control per field, from its declaration.

Choices become `<select>`s, bounded numbers number fields; the fields a view names as its
main ones sit in the top row, the rest under "Model size and measurement". A new workload
gets its form without a line of page code.

The form is one light element: a Streamlit v2 component (in the page, no iframe) holding a
real `<form>` of the browser's own controls. Drawn as Streamlit widgets (a form, columns,
an expander, a select box or number input per field: 11 for a pipeline) the lab page cost
the browser's main thread ~135 ms more than without the form on this 2-core box; the
component costs a few ms (`bench/README.md`, seventh pass).

Keyboard: Tab through the fields, arrows in a `<select>` or Up/Down in a number, Enter in
a number field runs, as in any web form. A field's reason (its `doc`) shows under it while
it has focus or its "?" is hovered, and is its accessible description. A number outside
its bounds, or not whole where it must be, is said so under the field and is not sent; Run
then goes to the first such field instead of running.

The page sends `{"values": {field: value}, "run": nonce}` on each committed change (so the
view's warning follows the form) and with a new nonce on Run. Python reads it back through
`read_values`: a value the field could not hold keeps the field's default, and a run is a
nonce not seen before in this session.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import streamlit as st

from runner.specs.base import DEGREES, MAX_CPU_RANKS
from ui.controls import SYNC_JS

LABELS = {
    "dp": "Data-parallel degree dp",
    "tp": "Tensor-parallel degree tp",
    "pp": "Pipeline stages pp",
    "ep": "Expert-parallel degree ep",
    "microbatches": "Micro-batches m",
    "layers_per_stage": "Layers per stage",
    "seq": "Tokens per sequence",
    "iterations": "Measured steps",
    "warmup": "Warm-up steps",
}
MORE = "Model size and measurement"

CSS = """
:host { display: block; }
form { font: inherit; font-size: 1rem; line-height: 1.45; color: var(--st-text-color, #0b1220);
  border: 1px solid rgba(11, 18, 32, 0.2); border-radius: 0.5rem; padding: calc(1rem - 1px);
  margin: 0; container-type: inline-size; }
.grid { display: grid; gap: 0.75rem 1rem;
  grid-template-columns: repeat(var(--cols), minmax(0, 1fr)); }
@container (max-width: 640px) { .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@container (max-width: 360px) { .grid { grid-template-columns: minmax(0, 1fr); } }
/* label, control, message: three rows shared by the fields side by side, so the controls line
   up when a label wraps */
.field { position: relative; display: grid; grid-row: span 3; grid-template-rows: subgrid;
  row-gap: 0.25rem; min-width: 0; }
label { font-size: 0.875rem; align-self: end; }
.tip { display: inline-grid; place-items: center; width: 1.05rem; height: 1.05rem;
  margin-left: 0.35rem; vertical-align: -0.2em;
  border: 1px solid #5c6680; border-radius: 50%; font-size: 0.7rem; color: #3d4657;
  cursor: help; user-select: none; }
.doc { display: none; position: absolute; top: 100%; left: 0; z-index: 20; margin-top: 4px;
  width: max-content; max-width: min(22rem, 90vw); padding: 6px 9px; border-radius: 6px;
  background: #1f2430; color: #ffffff; font-size: 0.85rem; line-height: 1.35;
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); pointer-events: none; }
.doc.flip { left: auto; right: 0; }  /* a field at the right edge: its reason opens leftwards */
.field:focus-within .doc, .field:has(.tip:hover) .doc { display: block; }
select, input { font: inherit; font-size: 0.95rem; color: inherit; width: 100%;
  box-sizing: border-box; background: var(--st-background-color, #ffffff);
  border: 1px solid #7a849c; border-radius: 8px; padding: 6px 10px; min-height: 2.5em; }
input[aria-invalid="true"] { border-color: #b3261e; }
select:focus-visible, input:focus-visible, button:focus-visible, summary:focus-visible {
  outline: 3px solid var(--st-primary-color, #2a44b0); outline-offset: 2px; }
.err { margin: 0; font-size: 0.85rem; color: #b3261e; }
.err:empty { display: none; }
details { margin: 0.9rem 0 0; border: 1px solid rgba(11, 18, 32, 0.2); border-radius: 0.5rem; }
summary { cursor: pointer; padding: 0.55rem 0.9rem; font-size: 0.95rem; border-radius: 0.5rem; }
summary:hover { color: var(--st-primary-color, #2a44b0); }
details[open] summary { border-bottom: 1px solid rgba(11, 18, 32, 0.12);
  border-radius: 0.5rem 0.5rem 0 0; }
details .grid { padding: 0.75rem 0.9rem 0.9rem; }
button.run { margin-top: 1rem; font: inherit; font-size: 1rem; padding: 0.3rem 0.85rem;
  min-height: 2.5rem; border-radius: 0.5rem; cursor: pointer; color: #ffffff;
  background: var(--st-primary-color, #2a44b0);
  border: 1px solid var(--st-primary-color, #2a44b0); }
button.run:hover { filter: brightness(0.92); }
"""

JS = (
    """
export default function ({ data, setStateValue, parentElement }) {
  let root = parentElement.querySelector("form.paralab-spec");
  if (!root) {
    root = document.createElement("form");
    root.className = "paralab-spec";
    root.noValidate = true;  // our messages, under the field, not the browser's bubbles
    parentElement.appendChild(root);
    root.sent = [];
    root.lastData = null;
    root.addEventListener("submit", (event) => {
      event.preventDefault();
      const bad = [...root.querySelectorAll("input")].filter((i) => !check(i));
      if (bad.length) {
        const closed = bad[0].closest("details");
        if (closed) closed.open = true;
        bad[0].focus();
        return;
      }
      send(read(), String(Date.now()) + "-" + Math.random().toString(36).slice(2));
    });
    const place = (event) => {  // a reason that would run past the form's right edge flips
      const doc = event.target.closest && event.target.closest(".field")?.querySelector(".doc");
      if (!doc) return;
      doc.classList.remove("flip");
      requestAnimationFrame(() => {
        if (doc.getBoundingClientRect().right > root.getBoundingClientRect().right) {
          doc.classList.add("flip");
        }
      });
    };
    root.addEventListener("focusin", place);
    root.addEventListener("pointerover", place);
  }
  const key = (value) => JSON.stringify(value === undefined ? null : value);
  const make = (tag, props) => Object.assign(document.createElement(tag), props || {});
  const byName = Object.fromEntries(data.fields.map((f) => [f.name, f]));

  function send(values, run) {
    root.sent.push(key(values));
    setStateValue("value", { values, run: run || null });
  }

  function check(input) {  // true if the field holds a value it may send; else says why
    const f = byName[input.name];
    const v = input.validity;
    let why = "";
    if (v.badInput || v.valueMissing || input.value.trim() === "") why = "Enter a number";
    else if (v.stepMismatch) why = "A whole number";
    else if (v.rangeUnderflow || v.rangeOverflow) why = "Out of range";
    if (why) why += (f.lo !== null && f.hi !== null) ? `: from ${f.lo} to ${f.hi}.` : ".";
    input.closest(".field").querySelector(".err").textContent = why;
    if (why) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return !why;
  }

  function read() {  // the last good value of each field (a field in error keeps its own)
    const out = Object.assign({}, root.good || data.values);
    root.querySelectorAll("select").forEach((s) => { out[s.name] = s.value; });
    root.querySelectorAll("input").forEach((i) => {
      if (!i.hasAttribute("aria-invalid") && i.value.trim() !== "" && i.validity.valid) {
        out[i.name] = Number(i.value);
      }
    });
    root.good = out;
    return out;
  }

  function show(values) {
    root.good = Object.assign({}, values);
    root.querySelectorAll("select, input").forEach((c) => {
      const v = values[c.name];
      c.value = v === undefined || v === null ? "" : String(v);
      if (c.tagName === "INPUT") check(c);
    });
  }

  function field(f) {
    const box = make("div", { className: "field" });
    const id = data.name + "-" + f.name;
    const label = make("label", { htmlFor: id, textContent: f.label });
    let control;
    if (f.options) {
      control = make("select", { id, name: f.name });
      for (const o of f.options) control.append(make("option", { value: o, textContent: o }));
      control.addEventListener("change", () => send(read()));
    } else {
      control = make("input", { id, name: f.name, type: "number", required: true,
                                inputMode: f.kind === "int" ? "numeric" : "decimal" });
      if (f.lo !== null) control.min = f.lo;
      if (f.hi !== null) control.max = f.hi;
      control.step = f.kind === "int" ? "1" : "any";
      control.addEventListener("input", () => {  // a message goes once the text is edited
        control.removeAttribute("aria-invalid");
        box.querySelector(".err").textContent = "";
      });
      control.addEventListener("change", () => { if (check(control)) send(read()); });
    }
    const described = [];
    if (f.doc) {
      const tip = make("span", { className: "tip", textContent: "?" });
      tip.setAttribute("aria-hidden", "true");
      label.append(tip);
      const doc = make("span", { className: "doc", id: id + "-doc", textContent: f.doc });
      doc.setAttribute("role", "tooltip");
      box.append(label, control, doc);
      described.push(doc.id);
    } else {
      box.append(label, control);
    }
    const err = make("p", { className: "err", id: id + "-err" });
    err.setAttribute("aria-live", "polite");
    described.push(err.id);
    control.setAttribute("aria-describedby", described.join(" "));
    box.append(err);
    return box;
  }

  function grid(fields, columns) {
    const g = make("div", { className: "grid" });
    g.style.setProperty("--cols", String(Math.max(1, Math.min(fields.length, columns))));
    g.append(...fields.map(field));
    return g;
  }

  function build() {
    const main = data.fields.filter((f) => f.main);
    const rest = data.fields.filter((f) => !f.main);
    const parts = [];
    if (main.length) parts.push(grid(main, main.length));  // the main fields: one row
    if (rest.length) {
      const more = make("details");
      more.append(make("summary", { textContent: data.more }), grid(rest, data.columns));
      parts.push(more);
    }
    parts.push(make("button", { type: "submit", className: "run", textContent: data.button }));
    root.replaceChildren(...parts);
  }

  sync(root, key([data.fields, data.more, data.button, data.columns]), data.values, build,
       show, read);
}
"""
    + SYNC_JS
)

_component = st.components.v2.component("paralab_spec_form", css=CSS, js=JS)


def _choices(name: str, f: dataclasses.Field, info) -> list | None:
    if name == "schedule":
        return list(info.schedules) or [f.default]
    if name == "device":
        return ["auto", "cpu", "cuda"]
    return list(f.metadata["choices"]) if f.metadata.get("choices") else None


def label_of(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def field_data(f: dataclasses.Field, info, main: bool) -> dict[str, Any]:
    """What the page needs to draw field `f`: label, reason, choices or kind and bounds."""
    choices = _choices(f.name, f, info)
    out: dict[str, Any] = {"name": f.name, "label": label_of(f.name), "main": main}
    out["doc"] = f.metadata.get("doc") or ""
    if choices:
        return out | {"options": [str(c) for c in choices], "kind": "select"}
    lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
    kind = "int" if str(f.type) == "int" else "float"
    if f.name in DEGREES:  # one process per rank: no more than the machine can hold
        hi = max(info.gpus, MAX_CPU_RANKS) if hi is None else min(hi, max(info.gpus, 4))
    if kind == "int":
        lo, hi = (None if b is None else int(b) for b in (lo, hi))
    return out | {"kind": kind, "lo": lo, "hi": hi}


def valid_field(spec: dict, value) -> bool:
    """Whether `value` is one the field drawn from `spec` (`field_data`) could have sent."""
    if spec["kind"] == "select":
        return isinstance(value, str) and value in spec["options"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        if not math.isfinite(value):
            return False
    except OverflowError:  # an integer too large for a float
        return False
    if spec["kind"] == "int" and value != int(value):
        return False
    lo, hi = spec.get("lo"), spec.get("hi")
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def read_values(specs: list[dict], defaults: dict, sent) -> dict:
    """Each field's value from what the page `sent`, where the field could hold it, else its
    default: ints as int, floats as float, choices as the option's text."""
    given = sent.get("values") if isinstance(sent, dict) else None
    given = given if isinstance(given, dict) else {}
    out = {}
    for spec in specs:
        value = given.get(spec["name"], defaults[spec["name"]])
        if not valid_field(spec, value):
            value = defaults[spec["name"]]
        if spec["kind"] == "int":
            value = int(value)
        elif spec["kind"] == "float":
            value = float(value)
        out[spec["name"]] = value
    return out


def spec_form(workload, info, main_fields: tuple[str, ...]) -> tuple[dict, bool]:
    """(raw spec, submitted) from a form of every field of `workload.spec_class`."""
    fields = dataclasses.fields(workload.spec_class)
    ordered = [f for name in main_fields for f in fields if f.name == name]
    ordered += [f for f in fields if f.name not in main_fields]
    specs = [field_data(f, info, f.name in main_fields) for f in ordered]
    defaults = {f.name: f.default for f in ordered}
    for spec in specs:  # a default the machine does not offer (a schedule): its first choice
        if not valid_field(spec, defaults[spec["name"]]) and spec["kind"] == "select":
            defaults[spec["name"]] = spec["options"][0]
    key = f"lab_form_{workload.name}"
    saved = st.session_state.get(key)
    sent = saved.get("value") if hasattr(saved, "get") else None
    values = read_values(specs, defaults, sent)
    run = sent.get("run") if isinstance(sent, dict) else None
    go = isinstance(run, str) and run != st.session_state.get(f"{key}-ran")
    if go:
        st.session_state[f"{key}-ran"] = run
    data = {"name": key, "fields": specs, "values": values, "more": MORE, "button": "Run"}
    _component(
        key=key,
        data=data | {"columns": 4},
        default={"value": {"values": values, "run": None}},
        on_value_change=lambda: None,
    )
    return {"workload": workload.name, **values}, go
