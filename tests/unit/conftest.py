"""Shared fixtures for the unit tests. Run: `pytest tests/unit -q`."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `pytest tests/unit` from anywhere imports the packages
    sys.path.insert(0, str(ROOT))

# A complete valid lesson with one block of each type. Line numbers matter: the loader
# tests break one line of it at a time and expect that line back.
VALID_LESSON = textwrap.dedent(
    """\
    id: pipeline-basics
    title: Pipeline parallelism
    summary: Split the layers into stages and feed them microbatches.
    concepts: [stage, microbatch, bubble]
    sources: ["GPipe, arXiv 1811.06965"]
    order: 10
    body:
      - type: markdown
        text: |
          A **stage** holds a slice of the layers.
      - type: lab
        id: gpipe-run
        caption: GPipe with 4 microbatches on 2 stages
        spec: {workload: pipeline, schedule: GPipe, stages: 2, microbatches: 4}
        trace: content/traces/gpipe.json
      - type: single_choice
        id: q-bubble
        prompt: Which schedule has the smaller bubble?
        explanation: 1F1B keeps fewer activations, not a smaller bubble.
        options:
          - {id: a, text: GPipe}
          - {id: b, text: Both the same, correct: true}
          - {id: c, text: 1F1B}
      - type: multiple_choice
        id: q-memory
        prompt: What does ZeRO-3 shard?
        explanation: Stage 3 shards parameters as well.
        options:
          - {id: params, text: Parameters, correct: true}
          - {id: grads, text: Gradients, correct: true}
          - {id: acts, text: Activations}
      - type: true_false
        id: q-tf
        prompt: More microbatches shrink the bubble fraction.
        explanation: (p−1)/(m+p−1) falls as m grows.
        answer: true
      - type: ordering
        id: q-order
        prompt: Order the events on stage 0.
        explanation: Forwards first, then backwards.
        lab: gpipe-run
        items:
          - {id: f0, text: F0}
          - {id: f1, text: F1}
          - {id: b0, text: B0}
          - {id: b1, text: B1}
        precedes: [[f0, f1], [f1, b0], [f1, b1]]
      - type: ordering
        id: q-order-key
        prompt: Order the phases of 1F1B.
        explanation: Warmup, steady, cooldown.
        penalty: 0.25
        items:
          - {id: steady, text: Steady}
          - {id: warmup, text: Warmup}
          - {id: cooldown, text: Cooldown}
        answer: [warmup, steady, cooldown]
      - type: matching
        id: q-match
        prompt: Match each strategy to what it splits.
        explanation: Data splits the batch, tensor the matrices.
        left:
          - {id: dp, text: Data parallel}
          - {id: tp, text: Tensor parallel}
        right:
          - {id: batch, text: The batch}
          - {id: matrices, text: Weight matrices}
          - {id: vocab, text: The vocabulary}
        pairs: {dp: batch, tp: matrices}
      - type: numeric
        id: q-num
        prompt: GB of bf16 weights for 200B parameters?
        explanation: 200e9 × 2 bytes = 400 GB.
        answer: 400
        tolerance: 1
        unit: GB
    """
)


def line_of(text: str, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after `start` that contains `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


@pytest.fixture
def valid_text() -> str:
    """The text of VALID_LESSON."""
    return VALID_LESSON


@pytest.fixture(name="line_of")
def line_of_fixture():
    """The `line_of(text, needle, start=1)` helper."""
    return line_of


@pytest.fixture
def write_lesson(tmp_path: Path):
    """write_lesson(text, name="lesson.yaml") -> Path of the written file."""

    def write(text: str | bytes, name: str = "lesson.yaml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
