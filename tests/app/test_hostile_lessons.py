"""The course page with hostile lesson files beside good ones: broken cards, no traceback."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT
from tests.unit.test_lessons_safety import BOMB, GOOD


@pytest.fixture
def lessons(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    for path in GOOD:
        shutil.copy(path, folder / path.name)
    return folder


def test_the_course_page_lists_every_good_lesson_beside_the_hostile_files(lessons, monkeypatch):
    (lessons / "bomb.yaml").write_text(BOMB)
    (lessons / "deep.yaml").write_text("id: x\nbody: " + "[" * 20_000 + "\n")
    (lessons / "passwd.yaml").symlink_to("/etc/passwd")
    (lessons / "gone.yaml").symlink_to(lessons / "missing.yaml")
    monkeypatch.setenv("PARALAB_LESSONS", str(lessons))
    monkeypatch.setenv("PARALAB_DATA_DIR", str(lessons.parent / "data"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "root:" not in text  # the linked system file was not shown
    broken = [c for c in at.get("flex_container") if str(c.key or "").startswith("broken-")]
    assert len(broken) == 4
