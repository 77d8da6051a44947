"""Per-rank compute orders of the multi-stage schedules, read from the installed torch.

The multi-stage schedules (Interleaved1F1B, LoopedBFS, InterleavedZeroBubble, ZBVZeroBubble,
DualPipeV) are not re-implemented here: we build the real schedule object from
``torch.distributed.pipelining`` with stand-in stage objects (no process group is needed:
the constructors only read ``num_stages``, ``group_size`` and ``group_rank``) and keep the
compute actions of its ``pipeline_order``. torch is imported lazily, so the rest of
``runner`` still loads on a machine without it.

    $ python -c "from runner.simulate_torch import torch_orders as t; print(t('DualPipeV', 2, 4))"
"""

from __future__ import annotations

import functools
import types

from runner import schedules as catalogue

# Which schedules hold several stages per rank, and where, is defined once, in the catalogue.
MULTI_STAGE = frozenset(
    name for name, info in catalogue.CATALOGUE.items() if info.stages_per_rank > 1
)
COMPUTE_KINDS = frozenset({"F", "B", "I", "W"})

Action = tuple[str, int, int]  # (kind, stage, microbatch)


def stages_of_rank(schedule: str, rank: int, ranks: int) -> list[int]:
    """Global stage indices that ``rank`` holds under ``schedule`` (runner.schedules)."""
    return catalogue.stage_indices(schedule, rank, ranks)


def _flatten(action) -> list[Action]:
    """One torch ``_Action`` as compute tuples; an OVERLAP_F_B runs its parts in sequence."""
    if action is None:
        return []
    if action.sub_actions:
        return [a for sub in action.sub_actions for a in _flatten(sub)]
    kind = action.computation_type.value
    if kind not in COMPUTE_KINDS or action.microbatch_index is None:
        return []
    return [(kind, action.stage_index, action.microbatch_index)]


@functools.lru_cache(maxsize=64)
def _cached_orders(schedule: str, ranks: int, microbatches: int) -> tuple[tuple[Action, ...], ...]:
    try:
        from torch.distributed.pipelining.schedules import get_schedule_class
    except ImportError as exc:  # pragma: no cover - torch is in the dev venv
        raise RuntimeError(f"predicting {schedule} needs torch installed") from exc
    cls = get_schedule_class(schedule)
    # Stand-in stages: the constructor reads these fields and writes stage_index_to_group_rank.
    stages = [
        types.SimpleNamespace(
            num_stages=2 * ranks, group_size=ranks, group_rank=0, is_last=False, submod=None
        )
        for _ in range(2)
    ]
    try:
        sched = cls(stages, microbatches)
    except (ValueError, AssertionError) as exc:
        raise ValueError(
            f"torch rejects {schedule} with stages={ranks}, microbatches={microbatches}: {exc}"
        ) from exc
    order = sched.pipeline_order
    return tuple(tuple(a for act in order[r] for a in _flatten(act)) for r in range(ranks))


def torch_orders(schedule: str, ranks: int, microbatches: int) -> dict[int, list[Action]]:
    """Compute actions per rank, in torch's order, for a multi-stage ``schedule``.

    ``ranks`` is the pipeline width p; the model is cut into 2p stages.
    """
    if schedule not in MULTI_STAGE:
        raise ValueError(f"{schedule!r} is not a multi-stage schedule")
    orders = _cached_orders(schedule, ranks, microbatches)
    return {r: list(o) for r, o in enumerate(orders)}
