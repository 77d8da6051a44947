"""After (or during) a session: the report per question and per learner, and its downloads.

CSV and JSON come from `classroom.export.to_csv` / `to_json`, so formula-like cells are
neutralised in CSV exactly as in the other score exports.
"""

from __future__ import annotations

import streamlit as st

from classroom.export import to_csv, to_json
from classroom.sessions_report import (
    LEARNER_COLUMNS,
    SESSION_COLUMNS,
    learner_report,
    question_report,
    session_export_rows,
)
from ui.session_charts import plain
from ui.session_common import describe_answer, live_questions, sessions


def report_view(live, lesson) -> None:
    questions = live_questions(lesson)
    members = sessions().members(live.id)
    answers = sessions().answers(live.id)
    by_id = {q.id: q for q in questions}
    rows = question_report(questions, members, answers, describe=describe_answer)
    st.markdown(f"##### Per question — {len(members)} joined, {len(answers)} answers")
    st.dataframe(
        [
            {
                "#": i,
                "question": plain(by_id[r["question"]].prompt, 90),
                "answered": r["participation"],
                "correct": r["percent_correct"],
                "commonest wrong answers": "; ".join(
                    f"{plain(text, 40)} (×{n})" for text, n in r["common_wrong"]
                ),
            }
            for i, r in enumerate(rows, 1)
        ],
        hide_index=True,
        width="stretch",
        key=f"report-questions-{live.id}",
        column_config={
            "#": st.column_config.NumberColumn(width=40),
            "question": st.column_config.TextColumn(width="large"),
            "answered": st.column_config.ProgressColumn(
                "answered", min_value=0.0, max_value=1.0, format="percent", width="small"
            ),
            "correct": st.column_config.ProgressColumn(
                "% correct", min_value=0.0, max_value=1.0, format="percent", width="small"
            ),
        },
    )
    people = learner_report(questions, members, answers)
    st.markdown("##### Per learner")
    st.dataframe(
        people,
        hide_index=True,
        width="stretch",
        key=f"report-learners-{live.id}",
        column_order=LEARNER_COLUMNS,
    )
    export = session_export_rows(live, questions, answers)
    a, b, c = st.columns(3)
    name = f"paralab-session-{live.code}"
    a.download_button(
        "Answers (CSV)",
        to_csv(export, SESSION_COLUMNS),
        f"{name}.csv",
        "text/csv",
        key="dl_session_csv",
    )
    b.download_button(
        "Answers (JSON)", to_json(export), f"{name}.json", "application/json", key="dl_session_json"
    )
    c.download_button(
        "Per learner (CSV)",
        to_csv(people, LEARNER_COLUMNS),
        f"{name}-learners.csv",
        "text/csv",
        key="dl_session_learners",
    )
