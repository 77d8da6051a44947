"""Load the chart library in the background on pages whose charts come later.

Streamlit loads its Plotly component (a 4.7 MB chunk with plotly.js) the first time a page
draws a Plotly chart. On the lab page that moment is the end of a run, so a learner waited
~1.1 s on 2 cores between the run's end and its chart for the browser to fetch, parse and
evaluate the chunk (bench/bench_pages.py --click). `plotly_when_idle()` imports the same
chunk, by the same URL (so the browser's module map shares it), once the page is idle.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

_SCRIPT = """<script>
(() => {
  if (window.__paralabPlotly) return;
  window.__paralabPlotly = true;
  const index = document.querySelector('script[src*="static/js/index."]');
  if (!index) return;
  const url = new URL("./%s", index.src).href;
  const done = () => { window.__paralabPlotlyLoaded = true; };
  const load = () => import(url).then(done, done);
  (window.requestIdleCallback || ((f) => setTimeout(f, 500)))(load, {timeout: 3000});
})();
</script>"""


@functools.cache
def plotly_chunk() -> str | None:
    """The file name of Streamlit's Plotly chunk in this Streamlit install, if there is one."""
    static = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(p.name for p in static.glob("PlotlyChart.*.js"))
    return found[0] if found else None


def plotly_when_idle() -> None:
    """Once per browser tab: import the Plotly chunk when the page is idle (no-op if absent)."""
    chunk = plotly_chunk()
    if chunk is not None:
        st.html(_SCRIPT % chunk, unsafe_allow_javascript=True, width="content")
