"""What one Streamlit element costs the browser, kind by kind, against a blank page. Prints only.

    $ python bench/bench_elements.py [--rounds 5] [--count 10] [--kinds radio,checkbox]

A page's load time on this 2-core box is the browser's main thread, not the server (a
lesson section's script runs in 13–35 ms; the browser spends ~550 ms of CPU on it against
~170 ms for a blank page). This benchmark says where that CPU goes: one real Streamlit
server serves a probe page that draws `--count` elements of one kind under a title (the
kinds ParaLab's pages use, drawn as they draw them: a radio of four options, a number input
with a placeholder, …), and Debian's Chromium loads each kind's page `--rounds` times,
interleaved with the blank page (the title alone). Per load it reads the renderer's own
counters (CDP `Performance.getMetrics`: `TaskDuration`, all main-thread work; `ScriptDuration`,
the JavaScript in it), which contention on the box inflates far less than wall time. The cost
of one element is (kind's page − blank page) ÷ count, medians of the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_pages import BlankServer, load  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PROBE_APP = """import streamlit as st

kind = st.query_params.get("kind", "blank")
count = int(st.query_params.get("count", "10"))
st.title("Blank")
OPTIONS = ["Option one is here", "Option two", "Option three", "Option four"]
JS = '''export default function ({ data, setStateValue, parentElement }) {
  let root = parentElement.querySelector("fieldset");
  if (!root) {
    root = document.createElement("fieldset");
    parentElement.appendChild(root);
  }
  root.replaceChildren(...data.options.map((text, i) => {
    const label = document.createElement("label");
    if (data.select) {
      label.textContent = text;
      const select = document.createElement("select");
      for (const o of ["Choose…", ...data.options]) select.add(new Option(o));
      select.addEventListener("change", () => setStateValue("value", select.selectedIndex));
      label.append(select);
    } else {
      const input = document.createElement("input");
      input.type = "radio"; input.name = data.name; input.value = String(i);
      input.addEventListener("change", () => setStateValue("value", i));
      label.append(input, " " + text);
    }
    return label;
  }));
}'''
probe = st.components.v2.component(
    "probe", css="label { display: block; margin: 4px 0; }", js=JS
)
for i in range(0 if kind == "blank" else count):
    if kind == "markdown":
        st.markdown(f"Some **text**, number {i}, with a [link](https://example.org) in it.")
    elif kind == "markdown with math":
        st.markdown(f"The bubble $\\\\frac{{p-1}}{{m+p-1}}$ at $p = {i}$.")
    elif kind == "caption":
        st.caption(f"A caption, number {i}")
    elif kind == "info box":
        st.info(f"An info box, number {i}")
    elif kind == "html":
        st.html(f"<p>Some <b>text</b>, number {i}</p>")
    elif kind == "bordered container":
        with st.container(border=True):
            pass
    elif kind == "button":
        st.button("Submit", key=f"b{i}")
    elif kind == "radio (4 options)":
        st.radio("Answer", OPTIONS, index=None, key=f"r{i}", label_visibility="collapsed")
    elif kind == "checkbox":
        st.checkbox(OPTIONS[0], key=f"c{i}")
    elif kind == "number input":
        st.number_input("Answer", value=None, key=f"n{i}", placeholder="Type a number")
    elif kind == "text input":
        st.text_input("Answer", key=f"t{i}")
    elif kind == "selectbox":
        st.selectbox(OPTIONS[0], OPTIONS, index=None, key=f"s{i}")
    elif kind == "segmented control (4)":
        st.segmented_control("Pick", OPTIONS, key=f"g{i}", label_visibility="collapsed")
    elif kind == "component: 4 native radios":
        probe(key=f"p{i}", data={"options": OPTIONS, "name": f"p{i}"}, on_value_change=lambda: 0)
    elif kind == "component: 4 native selects":
        probe(key=f"p{i}", data={"options": OPTIONS, "select": True}, on_value_change=lambda: 0)
"""
KINDS = (
    "markdown",
    "markdown with math",
    "caption",
    "info box",
    "html",
    "bordered container",
    "button",
    "radio (4 options)",
    "checkbox",
    "number input",
    "text input",
    "selectbox",
    "segmented control (4)",
    "component: 4 native radios",
    "component: 4 native selects",
)


def metrics(cdp) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def measure(browser, server, kinds, count: int, rounds: int) -> dict[str, list[tuple]]:
    """(wall s, main-thread task s, script s) per load, per kind (and "blank")."""
    from urllib.parse import urlencode

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    urls = {k: f"{server.url}/?{urlencode({'kind': k, 'count': count})}" for k in kinds}
    for url in urls.values():  # warm-up: the server's first session, the browser's caches
        load(page, url)
    out: dict[str, list[tuple]] = {k: [] for k in kinds}
    for _ in range(rounds):
        for kind, url in urls.items():
            wall = load(page, url)
            time.sleep(0.25)  # effects after idle (resize observers) land in the counters
            m = metrics(cdp)  # the counters start again with each new document
            out[kind].append((wall, m["TaskDuration"], m["ScriptDuration"]))
    context.close()
    return out


def report(times: dict[str, list[tuple]], count: int) -> None:
    med = {
        k: [statistics.median(col) for col in zip(*rows, strict=True)] for k, rows in times.items()
    }
    _, task0, script0 = med["blank"]
    print(
        f"| kind ({count} per page) | page wall | page main-thread CPU | per element CPU "
        "| per element JS |"
    )
    print("|---|---|---|---|---|")
    for kind, (wall, task, script) in sorted(med.items(), key=lambda kv: kv[1][1]):
        per = "—" if kind == "blank" else f"{(task - task0) * 1e3 / count:.1f} ms"
        js = "—" if kind == "blank" else f"{(script - script0) * 1e3 / count:.1f} ms"
        print(f"| {kind} | {wall * 1e3:,.0f} ms | {task * 1e3:,.0f} ms | {per} | {js} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--count", type=int, default=10, help="elements of the kind on its page")
    ap.add_argument("--kinds", help="comma-separated, from: " + ", ".join(KINDS))
    args = ap.parse_args()
    kinds = ["blank", *(args.kinds.split(",") if args.kinds else KINDS)]
    unknown = [k for k in kinds[1:] if k not in KINDS]
    if unknown:
        ap.error(f"unknown kinds: {', '.join(unknown)}")
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        server = BlankServer(Path(tmp), PROBE_APP)
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                times = measure(browser, server, kinds, args.count, args.rounds)
                browser.close()
        finally:
            server.stop()
    print(f"{args.rounds} rounds after one warm-up load per page, viewport 1280×900, medians")
    report(times, args.count)
    print(f"\n_total {time.perf_counter() - t0:.0f} s_")


if __name__ == "__main__":
    main()
