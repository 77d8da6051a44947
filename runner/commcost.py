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
