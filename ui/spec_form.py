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
from ui.controls import SYNC_JS, web_asset

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

CSS = web_asset("spec_form.css")
JS = web_asset("spec_form.js") + SYNC_JS

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
