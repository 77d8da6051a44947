"""The tensor-parallel prediction: blocks in lock-step, each all-reduce costed α + β·bytes.

Standard library only. An all-reduce can start only when every rank has issued it, so each
block's collective begins at the *latest* rank's end of compute: a rank that computes
faster waits (the skew between ranks is exposed communication too). Per rank and block:

- blocking and torch_tp (Megatron, arXiv 1909.08053): compute block i, all-reduce it, wait,
  then block i+1 — the critical path is Σ_i (max_r c[r][i] + a);
- ladder (arXiv 2501.06589): compute block i, wait for block i−1's all-reduce, issue block
  i's, compute block i+1 — each all-reduce hides behind the next block's compute.

With a measured run the compute durations are those of the iteration the chart draws (the
median one) for every rank and block; `a` is one all-reduce's own cost as that step paid it
(`in_step_allreduce`; the warm-up α–β probe, meta.comm_fit.allreduce, where a trace has no
all-reduce events); `o`, the host time between a block's inputs being ready and its compute
starting (residual add, launch), is the run's median. Without a run: c = 1, a = 0.5 units,
o = 0.
"""

from __future__ import annotations

from runner import simulate
from runner.commcost import predicted_us
from runner.gantt_panel import median_iteration


def _measured_costs(spec, measured: dict):
    """(c[rank][layer], a, o, cost model) from a run."""
    it = median_iteration(measured)
    events = [e for e in measured["events"] if e["iteration"] == it]
    c = [[0.0] * spec.layers for _ in range(spec.tp)]
    by_rank: dict[int, dict[tuple[str, int], dict]] = {}
    for e in events:
        by_rank.setdefault(e["rank"], {})[(e["kind"], e["stage"])] = e
        if e["kind"] == "COMPUTE" and e["rank"] < spec.tp and e["stage"] < spec.layers:
            c[e["rank"]][e["stage"]] = e["end_us"] - e["start_us"]
    a, model = in_step_allreduce(events), "measured+comm (in-step)"
    if a is None:  # no all-reduce events: the warm-up probe's α–β fit
        meta = measured.get("meta", {})
        fit = meta.get("comm_fit", {}).get("allreduce")
        nbytes = meta.get("comm_bytes", {}).get("allreduce", 0)
        a, model = predicted_us(fit, nbytes), "measured+comm (probe)"
    return c, a, _overhead(by_rank, spec), model


def in_step_allreduce(events: list[dict]) -> float | None:
    """One all-reduce's own cost as the step paid it: per block, the shortest duration over
    ranks (the last rank to arrive waited for no one), then the median over blocks.

    The warm-up probe (meta.comm_fit) times a bare synchronous all-reduce right after a
    barrier; inside the step the same collective is issued asynchronously and completed
    through gloo's thread or a side stream, which on CPU costs about twice the probe (1.6 vs
    0.9 ms at 1024 tokens, 0.3 vs 0.16 ms at 4 tokens on a 16-core host), so the step's own
    events are the better fit of what a step pays."""
    per_block: dict[int, float] = {}
    for e in events:
        if e["kind"] == "ALLREDUCE":
            d = e["end_us"] - e["start_us"]
            per_block[e["stage"]] = min(d, per_block.get(e["stage"], d))
    if not per_block:
        return None
    values = sorted(per_block.values())
    return values[len(values) // 2]


def _overhead(by_rank: dict, spec) -> float:
    """Median gap between block i's inputs being ready on a rank and its compute starting."""
    gaps = []
    for ev in by_rank.values():
        for i in range(1, spec.layers):
            now, prev = ev.get(("COMPUTE", i)), ev.get(("COMPUTE", i - 1))
            reduce = ev.get(("ALLREDUCE", i - 1 if spec.mode != "ladder" else i - 2))
            if now is None or prev is None:
                continue
            ready = prev["end_us"]
            if reduce is not None:
                ready = max(ready, reduce["end_us"])
            gaps.append(now["start_us"] - ready)
    return max(0.0, sorted(gaps)[len(gaps) // 2]) if gaps else 0.0


def _lockstep(c: list[list[float]], a: float, o: float, ladder: bool) -> list[dict]:
    """Events of every rank, each collective starting when its last rank has issued it."""
    ranks, layers = len(c), len(c[0])
    t = [0.0] * ranks  # host time of each rank
    reduced = 0.0  # end of the previous all-reduce (one collective at a time)
    events = []
    for i in range(layers):
        ends = []
        for r in range(ranks):
            start = t[r] + (o if i else 0.0)
            ends.append(start + c[r][i])
            events.append(_ev(r, i, "COMPUTE", start, ends[r], "compute"))
        issue = [max(e, reduced) if ladder else e for e in ends]  # ladder waits for i−1 here
        begin = max([*issue, reduced])
        reduced = begin + a
        for r in range(ranks):
            events.append(_ev(r, i, "ALLREDUCE", begin, reduced, "comm"))
            t[r] = issue[r] if ladder else reduced
    return events + [_ev(r, layers - 1, "IDLE", t[r], reduced, "compute") for r in range(ranks)
                     if reduced > t[r]]  # fmt: skip


def tensor_parallel(spec, measured: dict | None = None) -> dict:
    """The predicted trace of one step of `spec` (see the module docstring)."""
    c, a, o, model = [[1.0] * spec.layers for _ in range(spec.tp)], 0.5, 0.0, "unit"
    if measured is not None:
        c, a, o, model = _measured_costs(spec, measured)
    events = _lockstep(c, a, o, spec.mode == "ladder")
    step = max(e["end_us"] for e in events)
    busy = sum(sum(row) for row in c) / len(c)
    return {
        "version": 1,
        "spec": {**spec.to_dict()},
        "meta": {
            **simulate.simulated_meta(model, spec.tp),
            "costs": {"allreduce": a, "overhead": o},
        },
        "events": events,
        "memory": [],
        "summary": {
            "makespan_us": step,
            "bubble_fraction": (step - busy) / step if step else 0.0,
            "step_us": step,
            "comm_exposed_us": step - busy,
            "allreduce_us": a,
            "compute_us": busy / max(1, spec.layers),
        },
    }


def _ev(rank: int, layer: int, kind: str, start: float, end: float, stream: str) -> dict:
    return {"rank": rank, "stage": layer, "kind": kind, "microbatch": None, "iteration": 0,
            "start_us": start, "end_us": end, "stream": stream}  # fmt: skip
