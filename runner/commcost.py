"""Communication cost: the α–β model fitted from a run's own probes, and its use.

Standard library only: the ranks fit it (runner/workloads/common.probe_collective) and the
predictions (runner/predict.py) use it. A fit is recorded in a trace as
`meta.comm_fit[KIND] = {"alpha_us", "beta_us_per_byte", "points": [[bytes, us], ...]}` with
KIND one of `p2p`, `allreduce`, `allgather`, `reduce_scatter`, `alltoall`.
"""

from __future__ import annotations


def fit_alpha_beta(points: list[tuple[int, float]]) -> dict:
    """Least-squares line t = α + β·bytes through (bytes, µs) points; α, β ≥ 0.

    The α–β (latency–bandwidth) model of a collective (Hockney 1994); ring all-reduce
    algorithms add the 2(N−1)/N factor inside β, since β is fitted per run and world size.
    """
    n = len(points)
    mx = sum(b for b, _ in points) / n
    my = sum(t for _, t in points) / n
    sxx = sum((b - mx) ** 2 for b, _ in points)
    beta = sum((b - mx) * (t - my) for b, t in points) / sxx if sxx else 0.0
    beta = max(beta, 0.0)
    alpha = max(my - beta * mx, 0.0)
    return {"alpha_us": alpha, "beta_us_per_byte": beta, "points": points}


def predicted_us(fit: dict | None, nbytes: int) -> float:
    """α + β·bytes from a fit made by `fit_alpha_beta`; 0 without a fit."""
    if not fit:
        return 0.0
    return fit["alpha_us"] + fit["beta_us_per_byte"] * nbytes


def last_arrival_us(events: list[dict], key) -> dict:
    """Cost of each kind of blocking collective from a run's own events: {class: mean µs}.

    `key(event)` gives (class, call) for the events of one collective — call identifies one
    invocation (e.g. iteration, layer, group), class what is averaged (e.g. "dispatch"),
    None to skip. A member that arrives early waits for the others inside its call, so the
    *shortest* member duration of a call — the last to arrive, who waited for no one — is
    the collective's own cost; the mean of those over calls is the class's cost.
    """
    calls: dict[tuple, float] = {}
    for e in events:
        k = key(e)
        if k is None:
            continue
        duration = e["end_us"] - e["start_us"]
        calls[k] = min(duration, calls.get(k, duration))
    per_class: dict = {}
    for (cls, _), us in calls.items():
        per_class.setdefault(cls, []).append(us)
    return {cls: sum(v) / len(v) for cls, v in per_class.items()}
