"""Schedule catalogue: names, placement, and the micro-batch rules torch enforces."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from runner import schedules


def test_catalogue_names_and_shapes():
    assert schedules.NAMES[:3] == ["naive", "GPipe", "1F1B"]
    assert {s.name for s in schedules.CATALOGUE.values() if s.split_backward} == {
        "InterleavedZeroBubble",
        "ZBVZeroBubble",
        "DualPipeV",
    }
    for name in ("naive", "GPipe", "1F1B"):
        assert schedules.info(name).stages_per_rank == 1
    for name in ("Interleaved1F1B", "LoopedBFS", "InterleavedZeroBubble", "DualPipeV"):
        assert schedules.info(name).stages_per_rank == 2
    with pytest.raises(KeyError, match="known"):
        schedules.info("PipeDream")


def test_runner_schedules_does_not_import_torch():
    code = "import sys, runner.schedules, runner.trace; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("schedule", "rank", "expected"),
    [
        ("1F1B", 1, [1]),
        ("Interleaved1F1B", 0, [0, 2]),
        ("LoopedBFS", 1, [1, 3]),
        ("ZBVZeroBubble", 0, [0, 3]),
        ("DualPipeV", 1, [1, 2]),
    ],
)
def test_stage_placement(schedule, rank, expected):
    assert schedules.stage_indices(schedule, rank, 2) == expected


def test_stage_placement_covers_every_stage_once():
    for name in schedules.NAMES:
        for p in (2, 3, 4):
            held = [i for r in range(p) for i in schedules.stage_indices(name, r, p)]
            assert sorted(held) == list(range(p * schedules.info(name).stages_per_rank))


@pytest.mark.parametrize(
    ("schedule", "ranks", "m", "refused"),
    [
        ("naive", 2, 1, False),
        ("naive", 2, 4, True),
        ("GPipe", 2, 1, False),
        ("1F1B", 2, 1, True),
        ("1F1B", 4, 4, False),
        ("Interleaved1F1B", 2, 5, True),
        ("Interleaved1F1B", 2, 6, False),
        ("InterleavedZeroBubble", 4, 9, True),
        ("DualPipeV", 2, 3, True),
        ("DualPipeV", 2, 4, False),
        ("ZBVZeroBubble", 2, 1, False),
        ("GPipe", 1, 4, True),
        ("nope", 2, 4, True),
    ],
)
def test_check(schedule, ranks, m, refused):
    reason = schedules.check(schedule, ranks, m)
    assert (reason is not None) == refused
    if reason:
        assert "\n" not in reason


def test_bubble_warning():
    assert schedules.bubble_warning("GPipe", 4, 2)
    assert schedules.bubble_warning("GPipe", 2, 4) is None


def test_available_reads_the_torch_it_is_given():
    fake_mod = SimpleNamespace(ScheduleGPipe=object, Schedule1F1B=object)
    fake = SimpleNamespace(
        distributed=SimpleNamespace(pipelining=SimpleNamespace(schedules=fake_mod))
    )
    assert schedules.available(fake) == ["naive", "GPipe", "1F1B"]
    assert schedules.available(SimpleNamespace(__name__="no_such_torch")) == ["naive"]


_CONSTRUCT = textwrap.dedent(
    """
    import json, torch, torch.distributed as dist
    from torch.testing._internal.distributed.fake_pg import FakeStore
    from torch.distributed.pipelining import PipelineStage
    from torch.distributed.pipelining.schedules import get_schedule_class
    from runner import schedules
    out = {}
    for p in (2, 3):
        dist.init_process_group("fake", store=FakeStore(), rank=0, world_size=p)
        for name in schedules.available(torch)[1:]:
            n = p * schedules.info(name).stages_per_rank
            stages = [PipelineStage(torch.nn.Linear(2, 2), i, n, torch.device("cpu"))
                      for i in schedules.stage_indices(name, 0, p)]
            for m in range(1, 9):
                try:
                    get_schedule_class(name)(stages if len(stages) > 1 else stages[0], m)
                    out[f"{name} {p} {m}"] = True
                except ValueError:
                    out[f"{name} {p} {m}"] = False
        dist.destroy_process_group()
    print(json.dumps(out))
    """
)


def test_check_agrees_with_what_torch_constructs():
    """Build every schedule class for p = 2, 3 and m = 1..8 on a fake process group."""
    pytest.importorskip("torch")
    res = subprocess.run(
        [sys.executable, "-c", _CONSTRUCT], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr[-2000:]
    for key, ok in json.loads(res.stdout.splitlines()[-1]).items():
        name, p, m = key.split()
        assert (schedules.check(name, int(p), int(m)) is None) == ok, key


def test_v_schedules_on_gloo_need_a_torch_that_skips_self_sends():
    from runner.schedules import backend_problem

    for name in ("ZBVZeroBubble", "DualPipeV"):
        reason = backend_problem(name, "cpu", "2.11.0+cu130")
        assert reason and "2.13" in reason and "gloo" in reason
        assert backend_problem(name, "cpu", "2.13.0+cpu") is None
        assert backend_problem(name, "cuda", "2.11.0+cu130") is None  # NCCL sends to itself
    assert backend_problem("1F1B", "cpu", "2.8.0") is None
