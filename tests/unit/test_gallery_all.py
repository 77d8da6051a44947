"""Every committed recording is listed by the gallery (a file it cannot read would vanish
from the Recordings tab and the lessons without a word)."""

from pathlib import Path

from runner import gallery

TRACES = Path(__file__).resolve().parents[2] / "content" / "traces"


def test_every_committed_trace_is_in_the_gallery():
    listed = {r.path.resolve() for r in gallery.scan(TRACES)}
    files = {p.resolve() for p in TRACES.rglob("*.json")}
    assert files - listed == set()
