"""Wrap what a torch.distributed.pipelining schedule calls, to time it without changing it.

Compute: the schedule calls three methods of each stage object (torch's schedules.py):
`forward_one_chunk(mb, ...)` → F; `backward_one_chunk(mb, loss, full_backward, ...)` → B when
`full_backward` is True, I (input gradients only) when False; `backward_weight_one_chunk(mb)`
→ W. We replace them on the stage *instance*.

Communication: the schedule builds P2P ops with `stage.get_{fwd,bwd}_{recv,send}_ops(mb)`,
starts them with the module function `schedules._batch_p2p(ops)` and later waits on the
returned works. We tag each P2POp with (kind, stage, mb), and wrap `_batch_p2p` so that the
works it returns time their own `wait()` as RECV_F / RECV_B / SEND_F / SEND_B. A wait on a
receive is where a rank sits in the bubble. Works of a mixed batch (1F1B fuses a send with a
receive) that cannot be told apart carry the receive's tag.
"""

from __future__ import annotations

import functools

from torch.distributed.pipelining import schedules as pp_schedules

from runner.workloads.timing import ActivationMeter, Recorder

_OP_KINDS = {
    "get_fwd_recv_ops": "RECV_F",
    "get_bwd_recv_ops": "RECV_B",
    "get_fwd_send_ops": "SEND_F",
    "get_bwd_send_ops": "SEND_B",
}


def instrument_stage(stage, rec: Recorder, mem: ActivationMeter) -> None:
    """Time F/B/I/W and tag P2P ops of one PipelineStage (instance attributes only)."""
    idx = stage.stage_index
    fwd, bwd = stage.forward_one_chunk, stage.backward_one_chunk
    bwd_w = getattr(stage, "backward_weight_one_chunk", None)

    @functools.wraps(fwd)
    def forward_one_chunk(mb, *args, **kwargs):
        with rec.span("F", idx, mb), mem.saving(idx, mb):
            return fwd(mb, *args, **kwargs)

    @functools.wraps(bwd)
    def backward_one_chunk(mb, *args, **kwargs):
        # signature: (bwd_chunk_id, loss=None, full_backward=True, last_backward=False)
        full = kwargs.get("full_backward", args[1] if len(args) > 1 else True)
        with rec.span("B" if full else "I", idx, mb):
            out = bwd(mb, *args, **kwargs)
        if full:
            mem.release(idx, mb)
        return out

    stage.forward_one_chunk = forward_one_chunk
    stage.backward_one_chunk = backward_one_chunk
    if bwd_w is not None:

        @functools.wraps(bwd_w)
        def backward_weight_one_chunk(mb, *args, **kwargs):
            with rec.span("W", idx, mb):
                out = bwd_w(mb, *args, **kwargs)
            mem.release(idx, mb)
            return out

        stage.backward_weight_one_chunk = backward_weight_one_chunk

    for name, kind in _OP_KINDS.items():
        setattr(stage, name, _tagging(getattr(stage, name), kind, idx))


def _tagging(get_ops, kind: str, stage: int):
    @functools.wraps(get_ops)
    def wrapper(mb, *args, **kwargs):
        ops = get_ops(mb, *args, **kwargs)
        for op in ops:
            op._paralab_tag = (kind, stage, mb)
        return ops

    return wrapper


class _TimedWork:
    """A dist.Work whose wait() is recorded as one comm event."""

    def __init__(self, work, tag, rec: Recorder) -> None:
        self._work, self._tag, self._rec = work, tag, rec

    def wait(self, *args, **kwargs):
        kind, stage, mb = self._tag
        with self._rec.span(kind, stage, mb, stream="comm"):
            return self._work.wait(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._work, name)


def _tag_for(ops) -> tuple | None:
    tags = [getattr(op, "_paralab_tag", None) for op in ops]
    tags = [t for t in tags if t is not None]
    recv = [t for t in tags if t[0].startswith("RECV")]
    return (recv or tags or [None])[0]


def patch_p2p(rec: Recorder) -> None:
    """Wrap schedules._batch_p2p (module global, also used by _sorted_batch_p2p)."""
    original = pp_schedules._batch_p2p
    if getattr(original, "_paralab", False):
        return

    @functools.wraps(original)
    def _batch_p2p(p2p_ops, *args, **kwargs):
        works = original(p2p_ops, *args, **kwargs)
        tag = _tag_for(p2p_ops)
        if tag is None:
            return works
        if isinstance(works, list):  # torch >= 2.6: a list of works
            if len(works) == len(p2p_ops):
                tags = [getattr(op, "_paralab_tag", tag) for op in p2p_ops]
                return [_TimedWork(w, t, rec) for w, t in zip(works, tags, strict=True)]
            return [_TimedWork(w, tag, rec) for w in works]
        return _TimedWork(works, tag, rec)  # older torch: a single work

    _batch_p2p._paralab = True
    pp_schedules._batch_p2p = _batch_p2p
