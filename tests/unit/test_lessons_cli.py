"""`python -m lessons validate|schema`: exit codes, output, and the committed schema.

Run: `pytest tests/unit/test_lessons_cli.py -q`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lessons.cli import json_schema, main, schema_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "content" / "lesson.schema.json"


def test_validate_ok(tmp_path, valid_text, capsys):
    (tmp_path / "a.yaml").write_text(valid_text)
    assert main(["validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "OK: 1 lessons"


def test_validate_reports_one_line_per_problem(tmp_path, valid_text, line_of, capsys):
    good = tmp_path / "good.yaml"
    good.write_text(valid_text)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        valid_text.replace("lab: gpipe-run", "lab: nope").replace("order: 10", "ordr: 10")
    )
    assert main(["validate", str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    lab_line = line_of(valid_text, "lab: gpipe-run")
    assert lines == [
        f"{bad}:6: -: ordr: unknown field 'ordr'; did you mean 'order'?",
        f"{bad}:{lab_line}: q-order: lab: no lab block with id 'nope'; lab ids: ['gpipe-run']",
    ]


def test_validate_same_file_twice_is_one_lesson(tmp_path, valid_text, capsys):
    (tmp_path / "a.yaml").write_text(valid_text)
    assert main(["validate", str(tmp_path / "a.yaml"), str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "OK: 1 lessons"


def test_validate_missing_path_fails(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "absent.yaml")]) == 1
    assert "absent.yaml:0: -: -: no such file or directory" in capsys.readouterr().out


def test_module_entry_point_exit_codes(tmp_path, valid_text):
    (tmp_path / "a.yaml").write_text(valid_text)
    ok = subprocess.run(
        [sys.executable, "-m", "lessons", "validate", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ok.returncode, ok.stdout.strip()) == (0, "OK: 1 lessons")
    (tmp_path / "b.yaml").write_text("id: [\n")
    bad = subprocess.run(
        [sys.executable, "-m", "lessons", "validate", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stdout.startswith(f"{tmp_path / 'b.yaml'}:2: -: -: YAML syntax")


def test_schema_out_writes_the_generated_schema(tmp_path):
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "ParaLab lesson"
    assert schema == json_schema()


def test_committed_schema_matches_the_models():
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "content/lesson.schema.json is out of date; regenerate it with "
        "`python -m lessons schema --out content/lesson.schema.json`"
    )
