"""The page-side code of our components parses as JavaScript modules: a syntax error there
would leave a question, the lab's form or the contents blank in every browser, and only the
browser tests would see it. `node --check` (Node comes with the dev set-up's npm) reads each
component's JS exactly as Streamlit is handed it."""

import shutil
import subprocess

import pytest

from ui import controls, course_map, lesson_sections, ordering, spec_form

COMPONENTS = {
    "controls": controls.JS,
    "spec_form": spec_form.JS,
    "ordering": ordering.JS,
    "course_map": course_map.JS,
    "lesson_sections": lesson_sections.JS,
}


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_each_component_script_is_a_valid_module(name):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: `scripts/setup.sh dev` installs npm, which brings it")
    done = subprocess.run(
        [node, "--check", "--input-type=module"],
        input=COMPONENTS[name],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "export default function" in COMPONENTS[name]


def test_every_web_asset_is_read_by_a_component():
    """No file in ui/web/ is left behind when a component stops using it."""
    used = {*COMPONENTS.values(), controls.CSS, spec_form.CSS, ordering.CSS}
    for path in controls.WEB.iterdir():
        text = path.read_text(encoding="utf-8")
        assert any(text in u for u in used), f"{path.name} is read by no component"
