"""An unusable data folder: one clear line on the page, no traceback."""

from __future__ import annotations

from tests.app.conftest import page


def test_a_data_folder_that_cannot_be_created_stops_the_page_in_one_line(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PARALAB_DATA_DIR", str(blocker / "data"))
    at = page("home", learner="some-token").run()  # looking the learner up needs the store
    assert not at.exception
    (error,) = at.error
    assert "cannot keep answers" in error.value and str(blocker / "data") in error.value
