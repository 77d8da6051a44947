"""`python -m runner` refuses bad timeouts, a bad --out and an unusable data folder in one
line, before anything is launched (no torch job runs here)."""

from __future__ import annotations

import pytest

from runner import cli


def refusal(capsys, *argv: str) -> tuple[int, list[str]]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "0", "-5"])
def test_a_timeout_that_would_never_fire_is_refused(capsys, tmp_path, timeout):
    code, lines = refusal(capsys, "run", "pipeline", "--schedule", "1F1B",
                          f"--timeout={timeout}", "--out", str(tmp_path / "o"))  # fmt: skip
    assert code == cli.EXIT_BAD_PARAMS
    assert len(lines) == 1 and lines[0].startswith("error: timeout:")
    assert not (tmp_path / "o").exists()
    code, lines = refusal(capsys, "worker", f"--timeout={timeout}")
    assert code == cli.EXIT_BAD_PARAMS and len(lines) == 1 and "timeout" in lines[0]


def test_out_onto_an_existing_file_is_refused(capsys, tmp_path):
    target = tmp_path / "trace.json"
    target.write_text("keep me")
    code, lines = refusal(capsys, "run", "pipeline", "--schedule", "1F1B", "--out", str(target))
    assert code == cli.EXIT_BAD_PARAMS
    assert lines == [f"error: out: {target} exists and is not a folder"]
    assert target.read_text() == "keep me"


def test_an_unusable_data_folder_is_one_line(capsys, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PARALAB_DATA_DIR", str(blocker / "data"))
    code, lines = refusal(capsys, "worker")
    assert code == cli.EXIT_FAILED
    assert len(lines) == 1 and lines[0].startswith("error: data directory")
