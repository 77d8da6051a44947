"""The live-session pages in AppTest: join by code, a paced question, refused late answers,
the presenter's stage, reveal and report (the browser tests drive several real browsers)."""

from __future__ import annotations

from classroom.sessions import SessionStore
from tests.app.conftest import answer, page

LESSON = "pipeline-parallelism"
QUESTION = "gpipe-first-idle-rank"  # single choice, key b


def unlock(at):
    at.text_input(key="instructor_code").input("s3cret-passcode")
    at.button[0].click().run()
    assert not at.exception
    return at


def test_joining_by_code_from_home_puts_the_learner_in_the_session(store):
    live = SessionStore(store).create(LESSON)
    at = page("home").run()
    at.text_input(key="home_join_code").input(live.code.lower())
    at.text_input(key="home_join_name").input("Ada")
    at.button(key="FormSubmitter:home_join-Join").click().run()
    assert not at.exception
    (ada,) = store.list_learners()
    assert SessionStore(store).members(live.id) == [(ada.id, "Ada")]


def test_a_wrong_code_says_so_and_creates_nobody(store):
    at = page("home").run()
    at.text_input(key="home_join_code").input("NOPE99")
    at.text_input(key="home_join_name").input("Ada")
    at.button(key="FormSubmitter:home_join-Join").click().run()
    assert any("No open session" in e.value for e in at.error)
    assert store.list_learners() == []


def test_a_paced_question_is_answered_then_a_late_answer_is_refused(store, learner):
    sessions = SessionStore(store)
    live = sessions.create(LESSON)
    sessions.join(live.id, learner.id)
    at = page("session", learner=learner.token, code=live.code).run()
    assert not at.exception
    assert any("Waiting for the instructor" in i.value for i in at.info)
    sessions.open_question(live.id, QUESTION)
    at = page("session", learner=learner.token, code=live.code).run()
    key = f"live-{live.id}-{QUESTION}"
    answer(at, key, "b")
    at.button(key=f"{key}-submit").click().run()
    assert not at.exception
    assert any("Answer received" in s.value for s in at.success)
    sessions.close_question(live.id)
    answer(at, key, "a")
    at.button(key=f"{key}-submit").click().run()  # the page still shows the button: too late
    assert any("Too late" in e.value for e in at.error)
    (given,) = sessions.answers(live.id)
    assert given.answer == "b" and given.correct


def test_an_ordering_question_in_a_session_takes_the_order_the_cards_send(store, learner):
    """The session screen draws the same card list as the lesson page; its order is what
    is submitted (the position-agreement chart reads these answers)."""
    from lessons.grading import grade
    from ui.resources import catalog

    lesson = next(lesson for lesson in catalog().lessons if lesson.id == LESSON)
    q = next(q for q in lesson.questions() if q.type == "ordering")
    sessions = SessionStore(store)
    live = sessions.create(LESSON)
    sessions.join(live.id, learner.id)
    sessions.open_question(live.id, q.id)
    at = page("session", learner=learner.token, code=live.code).run()
    key = f"live-{live.id}-{q.id}"
    assert sorted(at.session_state[f"{key}-cards"]["order"]) == sorted(i.id for i in q.items)
    at.session_state[f"{key}-cards"] = {"order": q.correct_order()}
    at.run()
    at.button(key=f"{key}-submit").click().run()
    assert not at.exception
    (given,) = sessions.answers(live.id)
    assert given.answer == q.correct_order() and given.correct
    assert grade(q, given.answer).correct


def test_the_presenter_starts_a_session_opens_reveals_and_reports(monkeypatch, store):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", "s3cret-passcode")
    at = unlock(page("presenter").run())
    at.button(key="FormSubmitter:new_session-Start a session").click().run()
    assert not at.exception
    (live,) = SessionStore(store).list()
    assert any(live.code in t.value for t in at.title)
    at.button(key="live-open").click().run()
    assert SessionStore(store).get(live.id).open_question is not None
    at.button(key="live-reveal").click().run()
    assert not at.exception
    assert SessionStore(store).get(live.id).revealed
    at.segmented_control(key="presenter_view").set_value("Report").run()
    assert not at.exception
    assert len(at.get("download_button")) == 3
