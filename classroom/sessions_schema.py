"""The tables of live sessions: one step of the classroom store's migrations (store.py).

Plain portable SQL (`storage/db.py` maps `INTEGER PRIMARY KEY` and `REAL` for PostgreSQL);
the queries on these tables are all in `classroom/sessions.py`.
"""

SESSIONS_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE live_sessions (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        lesson_id TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('paced', 'self')),
        open_question TEXT,
        opened_at REAL,
        closes_at REAL,
        run_lab TEXT,
        run_job_id INTEGER,
        leaderboard INTEGER NOT NULL DEFAULT 0,
        hide_names INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1,
        created_at REAL NOT NULL,
        ended_at REAL)""",
    """CREATE TABLE live_members (
        session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
        learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        joined_at REAL NOT NULL,
        PRIMARY KEY (session_id, learner_id))""",
    """CREATE TABLE live_reveals (
        session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        revealed_at REAL NOT NULL,
        PRIMARY KEY (session_id, question_id))""",
    """CREATE TABLE live_answers (
        session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
        learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        answer_json TEXT NOT NULL,
        score REAL NOT NULL,
        correct INTEGER NOT NULL,
        answered_at REAL NOT NULL,
        PRIMARY KEY (session_id, learner_id, question_id))""",
)
"""live_sessions (one row per session), live_members, live_reveals, live_answers."""
