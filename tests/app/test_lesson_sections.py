"""The lesson page one section at a time: the table of contents, Previous / Next, the URL
(`section=N|all`, `q=ID`), question numbers from the whole lesson, and bad URLs."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from lessons.sections import sections
from tests.app.conftest import ROOT, answer, page, pick_lesson


@pytest.fixture(scope="module")
def parts(lesson):
    return sections(lesson)


def submits(at) -> set[str]:
    return {b.key for b in at.button if b.key and b.key.endswith("-submit")}


def wanted(lesson, section) -> set[str]:
    return {f"q-{lesson.id}-{i}-submit" for i in section.question_ids()}


def _links(at, key: str) -> list[dict]:
    """The links component `key` drew (ui/lesson_sections.py): text, href, current."""
    found = [e for e in at.get("bidi_component") if e.key == key]
    if not found:
        return []
    out = []
    for attrs, text in re.findall(r"<a ([^>]*)>(.*?)</a>", json.loads(found[0].proto.json)["html"]):
        out.append({
            "text": re.sub(r"<[^>]+>", "", html.unescape(text)),
            "href": html.unescape(re.search(r'href="([^"]*)"', attrs).group(1)),
            "current": 'aria-current="page"' in attrs,
            "id": re.search(r'id="([^"]*)"', attrs).group(1),
        })  # fmt: skip
    return out


def toc(at, lesson) -> list[dict]:
    """The sidebar's table of contents, one entry per link."""
    return _links(at, f"section-{lesson.id}-toc")


def pager(at, lesson) -> dict[str, dict]:
    """Previous / Next at the foot of the section: {"prev": link, "next": link}."""
    return {
        link["id"].removeprefix("pager-"): link for link in _links(at, f"section-{lesson.id}-pager")
    }


def current(at, lesson) -> int:
    """The index of the table of contents' current entry (the whole lesson: the last)."""
    (n,) = [i for i, link in enumerate(toc(at, lesson)) if link["current"]]
    return n


def follow(at, link: dict):
    """Open `link` as the page does on a plain click: Streamlit reruns the page with the
    link's query (ui/app_links.py). Run next."""
    url = urlsplit(link["href"])
    assert url.path == "lesson"
    for name in list(at.query_params):
        del at.query_params[name]
    for name, value in parse_qsl(url.query):
        at.query_params[name] = value
    return at


def test_the_page_opens_the_first_section_only(learner, lesson, parts):
    assert len(parts) > 2
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    assert not at.exception
    assert submits(at) == wanted(lesson, parts[0])
    assert at.query_params["section"] == "1"
    assert [link["text"] for link in toc(at, lesson)] == [
        *(f"{s.index + 1}. {s.title}" for s in parts),
        "Whole lesson on one page",
    ]
    assert current(at, lesson) == 0
    token = f"learner={learner.token}"
    assert all(token in link["href"] for link in toc(at, lesson))  # still signed in
    assert toc(at, lesson)[1]["href"] == f"lesson?{token}&lesson={lesson.id}&section=2"
    assert toc(at, lesson)[-1]["href"].endswith("&section=all")
    assert "section 1 of" in at.get("progress")[0].proto.text
    assert not at.expander  # the sources close the last section


def test_next_and_previous_move_one_section_and_the_url_follows(learner, lesson, parts):
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    assert list(pager(at, lesson)) == ["next"]
    assert pager(at, lesson)["next"]["text"] == f"Next: 2. {parts[1].title} →"
    follow(at, pager(at, lesson)["next"]).run()
    assert submits(at) == wanted(lesson, parts[1])
    assert at.query_params["section"] == "2" and current(at, lesson) == 1
    assert pager(at, lesson)["prev"]["text"] == f"← Previous: 1. {parts[0].title}"
    follow(at, pager(at, lesson)["prev"]).run()
    assert submits(at) == wanted(lesson, parts[0])
    assert at.query_params["section"] == "1"


def test_question_numbers_are_the_whole_lessons(learner, lesson, parts):
    third = parts[2]
    at = page("lesson", learner=learner.token, lesson=lesson.id, section="3").run()
    assert submits(at) == wanted(lesson, third)
    heads = [m.value for m in at.markdown if m.value.startswith("**Question ")]
    assert heads[0].startswith(f"**Question {third.first_number}**")
    last = parts[-1]
    at = page("lesson", learner=learner.token, lesson=lesson.id, section=str(len(parts))).run()
    assert list(pager(at, lesson)) == ["prev"]  # the last section: no Next
    assert at.expander and at.expander[0].label == "Sources"
    assert submits(at) == wanted(lesson, last)


def test_a_deep_link_to_a_question_opens_its_section_once(learner, lesson, parts):
    target = parts[3].question_ids()[-1]
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=target).run()
    assert submits(at) == wanted(lesson, parts[3])
    assert at.query_params["section"] == "4" and "q" not in at.query_params
    block = next(b.id for b in parts[4].blocks if b.type == "lab")  # a lab's id works too
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=block).run()
    assert submits(at) == wanted(lesson, parts[4])


def test_the_whole_lesson_on_one_page(learner, lesson):
    at = page("lesson", learner=learner.token, lesson=lesson.id, section="all").run()
    assert submits(at) == {f"q-{lesson.id}-{q.id}-submit" for q in lesson.questions()}
    assert at.query_params["section"] == "all"
    assert pager(at, lesson) == {}  # one page: no Previous / Next
    assert current(at, lesson) == len(toc(at, lesson)) - 1
    assert "section" not in at.get("progress")[0].proto.text


@pytest.mark.parametrize(
    "bad", ["0", "99", "-1", "x", "", "1.5", "<script>", "²", "٣", "9" * 5000], ids=lambda b: b[:8]
)
def test_a_section_the_lesson_does_not_have_opens_the_first(learner, lesson, parts, bad):
    at = page("lesson", learner=learner.token, lesson=lesson.id, section=bad, q="nope").run()
    assert not at.exception
    assert submits(at) == wanted(lesson, parts[0])
    assert at.query_params["section"] == "1"


def test_answering_keeps_the_section_and_a_solved_section_gets_a_tick(learner, lesson, parts):
    numeric = next(
        s for s in parts[1:] if all(lesson.question(i).type == "numeric" for i in s.question_ids())
    )
    n = str(numeric.index + 1)
    at = page("lesson", learner=learner.token, lesson=lesson.id, section=n).run()
    for qid in numeric.question_ids():
        answer(at, f"q-{lesson.id}-{qid}", lesson.question(qid).answer)
        at.button(key=f"q-{lesson.id}-{qid}-submit").click().run()
        assert not at.exception
        assert current(at, lesson) == numeric.index and at.query_params["section"] == n
    assert len(at.success) == len(numeric.question_ids())  # each one "Correct"
    assert toc(at, lesson)[numeric.index]["text"] == f"{n}. {numeric.title}✓, solved"
    assert "✓" not in toc(at, lesson)[0]["text"]


def test_another_lesson_picked_in_the_sidebar_opens_at_its_first_section(learner, lesson):
    at = page("lesson", learner=learner.token, lesson=lesson.id, section="3").run()
    pick_lesson(at, "interleaved-zero-bubble").run()
    assert not at.exception
    assert at.query_params["lesson"] == "interleaved-zero-bubble"
    assert at.query_params["section"] == "1"


def test_a_lesson_opened_from_a_link_wins_over_the_last_pick(learner, lesson):
    """The sidebar's pick is the page's state only while the page is shown: a later visit
    from a link (the course map, a bookmark) opens the lesson the link names."""
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    pick_lesson(at, "interleaved-zero-bubble").run()
    at.switch_page("pages/home.py").run()
    at.query_params["lesson"] = "collective-cost"
    at.switch_page("pages/lesson.py").run()
    assert not at.exception
    assert at.query_params["lesson"] == "collective-cost"
    assert at.title[0].value.startswith("What a collective costs")


def test_a_lesson_id_the_course_lacks_opens_the_first_lesson(learner):
    at = page("lesson", learner=learner.token, lesson="no-such-lesson").run()
    assert not at.exception and at.query_params["lesson"] == "pipeline-parallelism"
    at.session_state["lesson_pick"] = {"value": "<script>"}  # not a lesson: ignored
    at.run()
    assert not at.exception and at.query_params["lesson"] == "pipeline-parallelism"


def _html(at, key: str) -> list[str]:
    return [json.loads(e.proto.json)["html"] for e in at.get("bidi_component") if e.key == key]


def arrivals(at) -> list[str]:
    """The scroll-to-top scripts this run drew (one after a move, none otherwise)."""
    return [h.proto.body for h in at.get("html") if "scrollTo" in h.proto.body]


def test_only_a_move_scrolls_and_only_previous_next_ask_for_the_focus(learner, lesson, parts):
    from ui.app_links import FOCUS_FLAG

    at = page("lesson", learner=learner.token, lesson=lesson.id, section="2").run()
    assert arrivals(at) == []  # arriving from a link is not a move
    follow(at, pager(at, lesson)["next"]).run()
    (script,) = arrivals(at)
    assert f'sessionStorage.getItem("{FOCUS_FLAG}")' in script  # focus only if asked
    assert all('data-focus="heading"' in h for h in _html(at, f"section-{lesson.id}-pager"))
    assert "data-focus" not in _html(at, f"section-{lesson.id}-toc")[0]  # the list keeps it
    at.run()
    assert arrivals(at) == []  # a rerun of the same section (an answer) does nothing
    follow(at, toc(at, lesson)[0]).run()
    assert len(arrivals(at)) == 1 and current(at, lesson) == 0
    follow(at, toc(at, lesson)[-1]).run()  # the whole lesson: to the top as well
    assert len(arrivals(at)) == 1 and at.query_params["section"] == "all"


def test_back_to_a_lesson_from_another_starts_at_its_first_section_quietly(learner, lesson):
    at = page("lesson", learner=learner.token, lesson=lesson.id, section="3").run()
    pick_lesson(at, "interleaved-zero-bubble").run()
    pick_lesson(at, lesson.id).run()
    assert not at.exception
    assert current(at, lesson) == 0 and at.query_params["section"] == "1"
    assert arrivals(at) == []  # the focus stays in the sidebar's lesson picker


def test_a_one_section_lesson_drops_another_lessons_place_from_the_url(
    learner, lesson, tmp_path, monkeypatch
):
    """Every course lesson has sections now: lesson 4 without its second heading has one."""
    one = "parallelism-for-inference"
    folder = tmp_path / "lessons"
    folder.mkdir()
    course = ROOT / "content" / "lessons"
    (folder / "01.yaml").write_text((course / "01-pipeline-parallelism.yaml").read_text())
    text = (course / "04-parallelism-for-inference.yaml").read_text()
    assert text.count("## Latency, memory and the KV cache\n") == 1
    (folder / "04.yaml").write_text(text.replace("## Latency, memory and the KV cache\n", ""))
    monkeypatch.setenv("PARALAB_LESSONS", str(folder))
    at = page("lesson", learner=learner.token, lesson=lesson.id, section="3").run()
    pick_lesson(at, one).run()
    assert not at.exception and at.query_params["lesson"] == one
    assert "section" not in at.query_params and "q" not in at.query_params
    assert not [e for e in at.get("bidi_component") if e.key.endswith("-toc")]  # no contents


def test_a_case_with_an_essay_gets_its_tick_once_its_scored_questions_are_solved(learner, store):
    """Essays are graded by a person, apart (as in the progress bar): they do not hold
    back a section's ✓."""
    from ui.resources import catalog

    case = next(x for x in catalog().lessons if x.id == "case-studies-advising")
    first = sections(case)[0]
    kinds = {case.question(i).type for i in first.question_ids()}
    assert "essay" in kinds and kinds - {"essay"}
    for qid in first.question_ids():
        if case.question(qid).type != "essay":
            store.record_attempt(learner.id, case.id, qid, None, 1.0, 1.0, True)
    at = page("lesson", learner=learner.token, lesson=case.id).run()
    assert not at.exception
    assert toc(at, case)[0]["text"] == f"1. {first.title}✓, solved"
