"""Course home: sign-in, the lesson list with progress, and broken lesson files."""

from __future__ import annotations

from tests.app.conftest import page


def test_signed_out_home_offers_sign_in_and_lists_lessons():
    at = page("home").run()
    assert not at.exception
    assert at.text_input(key="sign_in_name").label == "Display name"
    titles = " ".join(m.value for m in at.markdown)
    assert "Pipeline parallelism" in titles


def test_sign_in_creates_a_learner_and_puts_the_token_in_the_url(store):
    at = page("home").run()
    at.text_input(key="sign_in_name").input("Grace")
    at.button(key="sign_in_submit").click().run()
    assert not at.exception
    token = at.query_params["learner"]
    token = token[0] if isinstance(token, list) else token
    learner = store.learner_by_token(token)
    assert learner is not None and learner.name == "Grace"


def test_signed_in_home_shows_progress(store, learner):
    lesson_id = "pipeline-parallelism"
    store.record_attempt(learner.id, lesson_id, "naive-inefficiency", "b", 1.0, 1.0, True)
    at = page("home", learner=learner.token).run()
    assert not at.exception
    texts = [p.proto.text for p in at.get("progress")]
    assert any(t.startswith("1/") for t in texts), texts


def test_a_broken_lesson_gets_an_error_card_and_the_others_still_load(tmp_path, monkeypatch):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    good = page.__globals__["ROOT"] / "content" / "lessons" / "01-pipeline-parallelism.yaml"
    (lessons / "01-good.yaml").write_text(good.read_text())
    (lessons / "02-broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    monkeypatch.setenv("PARALAB_LESSONS", str(lessons))
    at = page("home").run()
    assert not at.exception
    assert any("02-broken.yaml" in e.value for e in at.error)
    assert any("02-broken.yaml:" in c.value for c in at.code)
    assert any("Pipeline parallelism" in m.value for m in at.markdown)


def test_course_map_groups_lessons_and_names_prerequisites(learner):
    at = page("home", learner=learner.token).run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert headers[:2] == ["Pipeline parallelism", "Memory: sharding and activations"]
    assert "Case studies" in headers
    texts = " ".join(m.value for m in at.markdown)
    assert ":small[Learn before: Pipeline parallelism: micro-batches and the bubble]" in texts
    assert "**Start here:** Pipeline parallelism: micro-batches and the bubble" in texts


def test_continue_where_you_left_off_names_the_last_lesson(store, learner):
    lesson_id = "data-parallel-zero"
    store.record_attempt(learner.id, lesson_id, "zero1-70b-dp64", 293.125, 1.0, 1.0, True)
    at = page("home", learner=learner.token).run()
    assert not at.exception
    texts = " ".join(m.value for m in at.markdown)
    assert "**Continue where you left off:** Data parallelism, ZeRO and FSDP" in texts
    captions = " ".join(c.value for c in at.caption)
    assert "1 of 8 questions answered, 1 solved" in captions
    # the link opens the section of the first question not tried yet (lesson 6's second)
    link = next(e.proto for e in at.get("page_link") if e.proto.label.startswith("Continue"))
    assert link.query_string.endswith("lesson=data-parallel-zero&q=zero2-70b-dp64")


def test_signed_out_home_has_no_continue_card():
    at = page("home").run()
    assert not at.exception
    assert not any("left off" in m.value or "Start here" in m.value for m in at.markdown)
