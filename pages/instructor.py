"""Instructor: the class's answers per question, and score exports (CSV and JSON)."""

import streamlit as st

from classroom.export import export_rows, points_of, summary_rows, to_csv, to_json
from lessons.bank import to_gift, to_json_bank
from ui.class_view import live_class_view
from ui.resources import catalog, store
from ui.roles import instructor_unlocked

st.title("Scores & export")
if not instructor_unlocked():
    st.stop()

points = points_of(catalog().lessons)
attempts = export_rows(store(), points)
summary = summary_rows(store(), points)
learners = {row["learner_id"] for row in attempts}
a, b, c = st.columns(3)
a.metric("Learners who answered", len(learners))
b.metric("Attempts", len(attempts))
c.metric("Lessons touched", len({row["lesson"] for row in attempts}))

st.subheader("Live: the class on one lesson")
live_class_view()

st.subheader("Question bank")
gift, notes = to_gift(catalog().lessons)
q1, q2 = st.columns(2)
q1.download_button(
    "Questions (Moodle GIFT)", gift, "paralab-questions.gift.txt", "text/plain", key="dl_gift"
)
q2.download_button(
    "Questions with keys (JSON)",
    to_json_bank(catalog().lessons),
    "paralab-questions.json",
    "application/json",
    key="dl_bank_json",
)
with st.expander(f"What GIFT cannot carry ({len(notes)} notes)"):
    st.caption(
        "Ordering questions are left out of GIFT (it has no ordering type); the JSON has all."
    )
    st.code("\n".join(notes) or "nothing", language="text")

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
