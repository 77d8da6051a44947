"""Instructor: the class's answers per question, and score exports (CSV and JSON)."""

import streamlit as st

from classroom.export import (
    ESSAY_COLUMNS,
    EXPORT_COLUMNS,
    SUMMARY_COLUMNS,
    essay_rows,
    export_rows,
    points_of,
    summary_rows,
    to_csv,
    to_json,
)
from lessons.bank import to_gift, to_json_bank, to_moodle_xml
from ui.class_view import live_class_view
from ui.essay_grading import essay_grading
from ui.resources import catalog, store
from ui.roles import instructor_unlocked

st.title("Scores & export")
if not instructor_unlocked():
    st.stop()

points = points_of(catalog().lessons)
attempts = export_rows(store(), points)
summary = summary_rows(store(), points)
learners = {row["learner_id"] for row in summary}  # an attempt or an essay
a, b, c = st.columns(3)
a.metric("Learners who answered", len(learners))
b.metric("Attempts", len(attempts))
c.metric("Lessons touched", len({row["lesson"] for row in summary}))

st.subheader("Live: the class on one lesson")
live_class_view()

st.subheader("Open answers")
essay_grading(catalog().lessons, store())
essays = essay_rows(store(), points)
if essays:
    e1, e2 = st.columns(2)
    e1.download_button(
        "Open answers (CSV)",
        to_csv(essays, ESSAY_COLUMNS),
        "paralab-essays.csv",
        "text/csv",
        key="dl_essays_csv",
    )
    e2.download_button(
        "Open answers (JSON)",
        to_json(essays),
        "paralab-essays.json",
        "application/json",
        key="dl_essays_json",
    )

st.subheader("Question bank")
gift, notes = to_gift(catalog().lessons)
xml, xml_notes = to_moodle_xml(catalog().lessons)
q1, q2, q3 = st.columns(3)
q1.download_button(
    "Questions (Moodle XML)", xml, "paralab-questions.xml", "application/xml", key="dl_moodle_xml"
)
q2.download_button(
    "Questions (Moodle GIFT)", gift, "paralab-questions.gift.txt", "text/plain", key="dl_gift"
)
q3.download_button(
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
with st.expander(f"What Moodle XML cannot carry ({len(xml_notes)} notes)"):
    st.caption("Ordering questions with several right orders (a `precedes` graph) are left out.")
    st.code("\n".join(xml_notes) or "nothing", language="text")

if not summary:
    st.info("No answers yet. Scores appear here as soon as learners submit answers.")
    st.stop()

st.subheader("Per learner and lesson")
st.dataframe(summary, hide_index=True, width="stretch", key="summary_table")
if any(row["essays_to_grade"] for row in summary):
    st.caption(
        "A graded essay counts in its lesson's total; *essays_to_grade* says how many still "
        "wait for a grade (grade them under Open answers), so those totals are not final."
    )

st.subheader("Download")
col1, col2, col3 = st.columns(3)
col1.download_button(
    "Attempts (CSV)",
    to_csv(attempts, EXPORT_COLUMNS),  # the header even when only essays were written
    "paralab-attempts.csv",
    "text/csv",
    key="dl_attempts_csv",
)
col2.download_button(
    "Attempts (JSON)",
    to_json(attempts),
    "paralab-attempts.json",
    "application/json",
    key="dl_attempts_json",
)
col3.download_button(
    "Summary (CSV)",
    to_csv(summary, SUMMARY_COLUMNS),
    "paralab-summary.csv",
    "text/csv",
    key="dl_summary_csv",
)
st.caption(
    "CSV cells that begin with =, +, − or @ are prefixed with ' so a spreadsheet never runs them."
)
with st.expander("Every attempt"):
    st.dataframe(attempts, hide_index=True, width="stretch", key="attempts_table")
