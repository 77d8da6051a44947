"""The live-session store's unit suite on both engines: SQLite and a real PostgreSQL 15.

The tests are tests/unit/test_classroom_sessions.py's own, collected here again with the
`store` fixture of test_classroom_store_both.py (parametrized over the two backends).
"""

from __future__ import annotations

from tests.engines.test_classroom_store_both import store  # noqa: F401  (the fixture)
from tests.unit.test_classroom_sessions import (  # noqa: F401  (collected here again)
    clock,
    sessions,
    test_a_countdown_set_when_opening_closes_by_itself,
    test_a_session_gets_a_short_unambiguous_code_found_again_ignoring_case,
    test_a_session_survives_a_restart,
    test_answers_racing_a_close_are_either_stored_or_refused,
    test_every_change_bumps_the_version_the_learners_poll,
    test_joining_twice_keeps_one_membership_and_the_answers,
    test_paced_answers_only_to_the_open_question_and_only_until_it_closes,
    test_self_paced_takes_any_question_until_revealed_or_ended,
    test_strangers_and_bad_answers_are_refused_and_nothing_is_stored,
    test_unknown_mode_is_refused,
)
