"""A run form made from a workload's spec class: one widget per field, from its declaration.

Choices become select boxes, bounded integers number inputs; the fields a view names as
its main ones sit in the top row, the rest in "Model size and measurement". A new workload
gets its form without a line of page code. Widget keys are `lab_<workload>_<field>`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from runner.specs.base import DEGREES, MAX_CPU_RANKS


def _choices(name: str, f: dataclasses.Field, info) -> list | None:
    if name == "schedule":
        return list(info.schedules) or [f.default]
    if name == "device":
        return ["auto", "cpu", "cuda"]
    return list(f.metadata["choices"]) if f.metadata.get("choices") else None


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


def label_of(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _widget(container, workload: str, f: dataclasses.Field, info) -> Any:
    key = f"lab_{workload}_{f.name}"
    label = label_of(f.name)
    helptext = f.metadata.get("doc") or None
    choices = _choices(f.name, f, info)
    if choices:
        index = choices.index(f.default) if f.default in choices else 0
        return container.selectbox(label, choices, index=index, key=key, help=helptext)
    lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
    if str(f.type) == "int":
        if f.name in DEGREES:  # one process per rank: no more than the machine can hold
            hi = max(info.gpus, MAX_CPU_RANKS) if hi is None else min(hi, max(info.gpus, 4))
        value = container.number_input(
            label, min_value=lo, max_value=hi, value=f.default, step=1, key=key, help=helptext
        )
        return int(value)
    if str(f.type) == "float":
        return float(container.number_input(label, lo, hi, float(f.default), key=key))
    return container.text_input(label, f.default, key=key, help=helptext)


def spec_form(workload, info, main_fields: tuple[str, ...]) -> tuple[dict, bool]:
    """(raw spec, submitted) from a form of every field of `workload.spec_class`."""
    fields = dataclasses.fields(workload.spec_class)
    main = [f for name in main_fields for f in fields if f.name == name]
    rest = [f for f in fields if f.name not in main_fields]
    raw: dict[str, Any] = {"workload": workload.name}
    with st.form(f"lab_form_{workload.name}", border=True):
        columns = st.columns(max(1, len(main)))
        for column, f in zip(columns, main, strict=False):
            raw[f.name] = _widget(column, workload.name, f, info)
        with st.expander("Model size and measurement"):
            columns = st.columns(4)
            for i, f in enumerate(rest):
                raw[f.name] = _widget(columns[i % 4], workload.name, f, info)
        go = st.form_submit_button("Run", type="primary", key=f"lab_{workload.name}_run")
    return raw, go
