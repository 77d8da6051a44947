"""Course home: sign-in, the lesson list with progress, and broken lesson files."""

from __future__ import annotations

import html
import json
import re

from tests.app.conftest import page
from ui.course_map import map_html


def course_map(at) -> str:
    """The course map's HTML as the browser received it (one component: ui/course_map.py)."""
    (element,) = [e for e in at.get("bidi_component") if e.key == "course-map"]
    return json.loads(element.proto.json)["html"]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def headings(fragment: str, level: int) -> list[str]:
    return [text_of(h) for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", fragment)]


def card(fragment: str, lesson_id: str) -> str:
    start = fragment.index(f'<article id="lesson-card-{lesson_id}"')
    return fragment[start : fragment.index("</article>", start)]


def test_signed_out_home_offers_sign_in_and_lists_lessons():
    at = page("home").run()
    assert not at.exception
    assert at.text_input(key="sign_in_name").label == "Display name"
    titles = headings(course_map(at), 4)
    assert titles[0] == "1. Pipeline parallelism: micro-batches and the bubble"
    assert len(titles) >= 17
    assert "questions" in text_of(card(course_map(at), "pipeline-parallelism"))
    assert "solved" not in course_map(at)  # no progress bar for a learner not signed in


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
    mine = card(course_map(at), lesson_id)
    assert re.search(r">1/\d+ solved<", mine), mine
    assert 'role="progressbar"' in mine and 'aria-valuenow="' in mine
    link = re.search(r'<a class="open" href="([^"]+)" data-app id="lesson-open-([^"]+)"', mine)
    assert link.group(2) == lesson_id
    assert html.unescape(link.group(1)) == f"lesson?learner={learner.token}&lesson={lesson_id}"


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
    assert headings(course_map(at), 4) == ["1. Pipeline parallelism: micro-batches and the bubble"]


def test_course_map_groups_lessons_and_names_prerequisites(learner):
    at = page("home", learner=learner.token).run()
    assert not at.exception
    groups = headings(course_map(at), 3)
    assert groups[:2] == ["Pipeline parallelism", "Memory: sharding and activations"]
    assert "Case studies" in groups
    second = text_of(card(course_map(at), "interleaved-zero-bubble"))
    assert "Learn before: Pipeline parallelism: micro-batches and the bubble" in second
    texts = " ".join(m.value for m in at.markdown)
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


def test_the_map_escapes_what_a_lesson_file_says():
    """Titles, summaries and concepts come from YAML files: markup in them is text."""
    from types import SimpleNamespace

    from classroom.progress import lesson_progress

    hostile = SimpleNamespace(
        id="x",
        title='<img src=x onerror="alert(1)"> `</code><script>` $\\text{<b>}$',
        summary='"><script>alert(2)</script> **bold** \\href{javascript:alert(3)}{x}',
        concepts=["<svg onload=alert(4)>"],
        prerequisites=[],
        group="pipeline",
    )
    out = map_html([hostile], {"x": lesson_progress([], {})}, signed_in=True)
    assert "<script" not in out and "<img" not in out and "<svg" not in out
    assert 'href="javascript' not in out and "<a " not in out.split('<a class="open"')[0]
    assert "&lt;script&gt;" in out and "<strong>bold</strong>" in out
