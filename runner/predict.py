"""What the textbook predicts for a spec, from the costs a run measured (the registry's
`prediction` entries). Standard library only (the pipeline's multi-stage orders come from
torch, imported lazily by runner.simulate_torch).

Each function takes `(spec, measured_trace | None)` and returns a trace-v1-shaped dict with
`meta.source == "simulated"`, drawn like a run. Without a measured trace the costs are the
unit model (F = 1, B = 2, transfers free: the schedule's shape); with one they are the run's
own mean compute times and the α–β communication costs its ranks fitted during warm-up
(`meta.comm_fit`, runner/commcost.py), so transfer time is part of the prediction.
"""

from __future__ import annotations

import dataclasses

from runner import simulate
from runner.commcost import predicted_us
from runner.gantt_panel import median_iteration

FLOAT_BYTES = 4


def p2p_bytes(spec) -> int:
    """Bytes of one activation (or gradient) send: one micro-batch [b/m, s, h] in fp32."""
    return spec.batch // spec.microbatches * spec.seq * spec.hidden * FLOAT_BYTES


def pipeline(spec, measured: dict | None = None) -> dict:
    """The schedule list-scheduled on the durations of the iteration the chart draws (the
    median one: each F/B/I/W as measured, so uneven stages and jitter count), the P2P
    transfer time its ranks fitted (α + β·bytes of one activation) and the per-action
    overhead the run showed (`simulate.fitted_overhead`). What is left between this and the
    measured chart is waiting the model does not explain: slow transfers, contention."""
    costs = simulate.Costs()
    if measured is not None:
        costs = simulate.Costs.from_trace(measured, iteration=median_iteration(measured))
        fit = measured.get("meta", {}).get("comm_fit", {}).get("p2p")
        comm = predicted_us(fit, p2p_bytes(spec)) if fit else 0.0
        overhead = simulate.fitted_overhead(measured, comm)
        model = "measured+comm" if fit else "measured"
        costs = dataclasses.replace(costs, comm=comm, overhead=overhead, model=model)
    return simulate.predict(spec.schedule, spec.pp, spec.microbatches, costs)
