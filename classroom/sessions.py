"""Live classroom sessions: a lesson, a join code, who joined, which question is open, reveals.

All of the SQL of sessions is in this module, on the same SQLite file and connection helper as
`classroom.store` (short-lived connections, writes in `BEGIN IMMEDIATE`), in plain portable SQL,
so a PostgreSQL store can take it over table for table. The tables are created here, on first
use, with `CREATE TABLE` (they are additive: the learners/attempts schema and its
`user_version` are untouched).

A learner's answer in a session is also an attempt (so it shows in their progress and in the
score exports); both rows are written in one transaction together with the checks that the
question is still open, so an answer is either stored and acknowledged or refused with a reason.

    >>> sessions = SessionStore(store)
    >>> live = sessions.create("pipeline-parallelism", mode="paced")
    >>> live.code                                      # e.g. "K7QX2M": what the class types
    >>> sessions.join(live.id, ada.id)
    >>> sessions.open_question(live.id, "bubble-p4-m4")
    >>> sessions.submit(live.id, ada.id, "bubble-p4-m4", 0.43, score=1.0, correct=True)
    >>> sessions.close_question(live.id, after_s=10)  # a countdown; later answers are refused
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from classroom.sessions_models import MODES, AnswerRefused, LiveAnswer, LiveSession
from classroom.store import Store, attempt_values, insert_attempt

__all__ = ["MODES", "AnswerRefused", "LiveAnswer", "LiveSession", "SessionStore"]

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Join-code letters: no 0/O or 1/I/L to misread on a projector."""
CODE_LENGTH = 6


class SessionStore:
    """Sessions on the tables of `store`'s SQLite file; `clock` is for tests."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    # Reading ----------------------------------------------------------------------------

    def get(self, session_id: int) -> LiveSession | None:
        with self.store._connect() as conn:
            return _session(conn, "id = ?", session_id)

    def by_code(self, code: str) -> LiveSession | None:
        """The session with this join code (case and spaces ignored), or None."""
        cleaned = "".join(str(code).split()).upper()[:20]
        with self.store._connect() as conn:
            return _session(conn, "code = ?", cleaned)

    def version(self, session_id: int) -> int | None:
        """The session's version: one cheap read for the learners' polling fragment."""
        with self.store._connect() as conn:
            row = conn.execute(
                "SELECT version FROM live_sessions WHERE id = ?", (session_id,)
            ).fetchone()
        return row[0] if row else None

    def list(self, *, active: bool = True) -> list[LiveSession]:
        """Sessions, newest first; only those not ended when `active`."""
        with self.store._connect() as conn:
            ids = conn.execute(
                "SELECT id FROM live_sessions WHERE (? = 0 OR ended_at IS NULL) ORDER BY id DESC",
                (int(active),),
            ).fetchall()
            return [_session(conn, "id = ?", row[0]) for row in ids]

    def members(self, session_id: int) -> list[tuple[int, str]]:
        """(learner id, display name) of everyone who joined, in joining order."""
        with self.store._connect() as conn:
            rows = conn.execute(
                """SELECT m.learner_id, l.name FROM live_members m
                   JOIN learners l ON l.id = m.learner_id
                   WHERE m.session_id = ? ORDER BY m.joined_at, m.learner_id""",
                (session_id,),
            ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def is_member(self, session_id: int, learner_id: int) -> bool:
        with self.store._connect() as conn:
            row = conn.execute(
                "SELECT 1 FROM live_members WHERE session_id = ? AND learner_id = ?",
                (session_id, learner_id),
            ).fetchone()
        return row is not None

    def answers(self, session_id: int, question_id: str | None = None) -> list[LiveAnswer]:
        """Current answers (one per learner and question), oldest first."""
        with self.store._connect() as conn:
            rows = conn.execute(
                """SELECT a.*, l.name FROM live_answers a JOIN learners l ON l.id = a.learner_id
                   WHERE a.session_id = ?1 AND (?2 IS NULL OR a.question_id = ?2)
                   ORDER BY a.answered_at, a.learner_id""",
                (session_id, question_id),
            ).fetchall()
        return [_answer(row) for row in rows]

    # Writing ----------------------------------------------------------------------------

    def create(self, lesson_id: str, mode: str = "paced") -> LiveSession:
        """A new session with a fresh join code; ValueError for an unknown mode."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        with self.store._write() as conn:
            while True:  # 32**6 ≈ 10**9 codes: a collision is rare, so just draw again
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if not conn.execute(
                    "SELECT 1 FROM live_sessions WHERE code = ?", (code,)
                ).fetchone():
                    break
            cursor = conn.execute(
                "INSERT INTO live_sessions (code, lesson_id, mode, created_at) VALUES (?, ?, ?, ?)",
                (code, lesson_id, mode, self.clock()),
            )
            return _session(conn, "id = ?", cursor.lastrowid)

    def join(self, session_id: int, learner_id: int) -> LiveSession:
        """Add a learner (joining again is a no-op: their answers stay). LookupError if ended."""
        with self.store._write() as conn:
            live = _session(conn, "id = ?", session_id)
            if live is None or live.ended:
                raise LookupError("That session has ended or does not exist.")
            conn.execute(
                """INSERT INTO live_members (session_id, learner_id, joined_at) VALUES (?, ?, ?)
                   ON CONFLICT (session_id, learner_id) DO NOTHING""",
                (session_id, learner_id, self.clock()),
            )
        return live

    def open_question(self, session_id: int, question_id: str, seconds: float | None = None):
        """Show one question to the class (paced mode); with `seconds`, it closes by itself."""
        now = self.clock()
        closes = now + seconds if seconds else None
        self._update(
            session_id,
            "open_question = ?, opened_at = ?, closes_at = ?",
            (question_id, now, closes),
        )

    def close_question(self, session_id: int, after_s: float = 0.0) -> None:
        """Stop taking answers to the open question, now or after a countdown of `after_s`.

        The question stays on the class's screens, closed, so it can be discussed and revealed.
        """
        self._update(session_id, "closes_at = ?", (self.clock() + max(0.0, after_s),))

    def reveal(self, session_id: int, question_id: str) -> None:
        """Show the key and explanation of a question to every learner; answers then stop."""
        with self.store._write() as conn:
            conn.execute(
                """INSERT INTO live_reveals (session_id, question_id, revealed_at) VALUES (?, ?, ?)
                   ON CONFLICT (session_id, question_id) DO NOTHING""",
                (session_id, question_id, self.clock()),
            )
            _bump(conn, session_id)

    def set_options(self, session_id: int, *, mode=None, leaderboard=None, hide_names=None):
        """Change the mode, or show/hide the leaderboard and the names on it."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self._update(
            session_id,
            "mode = COALESCE(?, mode), leaderboard = COALESCE(?, leaderboard), "
            "hide_names = COALESCE(?, hide_names)",
            (mode, _flag(leaderboard), _flag(hide_names)),
        )

    def set_run(self, session_id: int, lab_id: str | None, job_id: int | None) -> None:
        """The class run every learner watches (None, None: no run shown)."""
        self._update(session_id, "run_lab = ?, run_job_id = ?", (lab_id, job_id))

    def end(self, session_id: int) -> None:
        """End the session: no more joins or answers; the report stays."""
        self._update(session_id, "ended_at = COALESCE(ended_at, ?)", (self.clock(),))

    def submit(self, session_id, learner_id, question_id, answer, *, score, correct) -> LiveAnswer:
        """Store a learner's answer, or raise AnswerRefused with the reason (nothing stored).

        The open/closed/revealed checks and both writes (the attempt and the session's current
        answer) share one `BEGIN IMMEDIATE` transaction, so a close never races an answer.
        """
        with self.store._write() as conn:
            now = self.clock()
            live = _session(conn, "id = ?", session_id)
            if live is None:
                raise AnswerRefused("That session does not exist.")
            member = conn.execute(
                "SELECT 1 FROM live_members WHERE session_id = ? AND learner_id = ?",
                (session_id, learner_id),
            ).fetchone()
            if member is None:
                raise AnswerRefused("Join the session first.")
            reason = live.refusal(question_id, now)
            if reason:
                raise AnswerRefused(reason)
            values = attempt_values(
                learner_id, live.lesson_id, question_id, answer, score, score, correct
            )
            attempt = insert_attempt(conn, values)
            conn.execute(
                """INSERT INTO live_answers (session_id, learner_id, question_id, attempt_id,
                       answer_json, score, correct, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (session_id, learner_id, question_id) DO UPDATE SET
                       attempt_id = excluded.attempt_id, answer_json = excluded.answer_json,
                       score = excluded.score, correct = excluded.correct,
                       answered_at = excluded.answered_at""",
                (session_id, learner_id, question_id, attempt["id"], attempt["answer_json"],
                 attempt["score"], attempt["correct"], now),
            )  # fmt: skip
            row = conn.execute(
                """SELECT a.*, l.name FROM live_answers a JOIN learners l ON l.id = a.learner_id
                   WHERE a.session_id = ? AND a.learner_id = ? AND a.question_id = ?""",
                (session_id, learner_id, question_id),
            ).fetchone()
        return _answer(row)

    def _update(self, session_id: int, assignments: str, params: tuple) -> None:
        with self.store._write() as conn:
            cursor = conn.execute(
                f"UPDATE live_sessions SET {assignments}, version = version + 1 WHERE id = ?",
                (*params, session_id),
            )
            if cursor.rowcount == 0:
                raise LookupError(f"no session with id {session_id}")


def _answer(row) -> LiveAnswer:
    return LiveAnswer(
        learner_id=row["learner_id"],
        name=row["name"],
        question_id=row["question_id"],
        answer_json=row["answer_json"],
        score=row["score"],
        correct=bool(row["correct"]),
        answered_at=row["answered_at"],
    )


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def _bump(conn, session_id: int) -> None:
    conn.execute("UPDATE live_sessions SET version = version + 1 WHERE id = ?", (session_id,))


def _session(conn, where: str, value) -> LiveSession | None:
    row = conn.execute(f"SELECT * FROM live_sessions WHERE {where}", (value,)).fetchone()
    if row is None:
        return None
    revealed = conn.execute(
        "SELECT question_id FROM live_reveals WHERE session_id = ?"
        " ORDER BY revealed_at, question_id",  # the same millisecond: a stable order
        (row["id"],),
    ).fetchall()
    return LiveSession(
        id=row["id"],
        code=row["code"],
        lesson_id=row["lesson_id"],
        mode=row["mode"],
        open_question=row["open_question"],
        opened_at=row["opened_at"],
        closes_at=row["closes_at"],
        run_lab=row["run_lab"],
        run_job_id=row["run_job_id"],
        leaderboard=bool(row["leaderboard"]),
        hide_names=bool(row["hide_names"]),
        version=row["version"],
        created_at=row["created_at"],
        ended_at=row["ended_at"],
        revealed=tuple(r[0] for r in revealed),
    )
