"""Instructor: the class's answers per question, and score exports (CSV and JSON)."""

import streamlit as st

from classroom.export import export_rows, summary_rows, to_csv, to_json
from ui.class_view import live_class_view
from ui.resources import store
from ui.roles import instructor_unlocked

st.title("Scores & export")
if not instructor_unlocked():
    st.stop()

attempts = export_rows(store())
summary = summary_rows(store())
learners = {row["learner_id"] for row in attempts}
a, b, c = st.columns(3)
a.metric("Learners who answered", len(learners))
b.metric("Attempts", len(attempts))
c.metric("Lessons touched", len({row["lesson"] for row in attempts}))

st.subheader("Live: the class on one lesson")
live_class_view()

if not attempts:
    st.info("No answers yet. Scores appear here as soon as learners submit answers.")
    st.stop()

st.subheader("Per learner and lesson")
st.dataframe(summary, hide_index=True, width="stretch", key="summary_table")

st.subheader("Download")
col1, col2, col3 = st.columns(3)
col1.download_button(
    "Attempts (CSV)", to_csv(attempts), "paralab-attempts.csv", "text/csv", key="dl_attempts_csv"
)
col2.download_button(
    "Attempts (JSON)",
    to_json(attempts),
    "paralab-attempts.json",
    "application/json",
    key="dl_attempts_json",
)
col3.download_button(
    "Summary (CSV)", to_csv(summary), "paralab-summary.csv", "text/csv", key="dl_summary_csv"
)
st.caption(
    "CSV cells that begin with =, +, − or @ are prefixed with ' so a spreadsheet never runs them."
)
with st.expander("Every attempt"):
    st.dataframe(attempts, hide_index=True, width="stretch", key="attempts_table")
