"""How much memory one GPU needs to train a model with a given plan, and whether it fits.

Pure standard library. The seed question: a 200B-parameter model on GPUs of 40 GB — which
setup works, and why?

    >>> gpt = Model(params=200e9, layers=80, hidden=16384, heads=128, seq=2048, microbatch=1)
    >>> plan = Plan(dp=8, tp=8, pp=8, zero=1, recompute="selective", sequence_parallel=True)
    >>> est = estimate(gpt, plan)
    >>> round(est.weights / 1e9, 2), round(est.optimizer / 1e9, 2), est.fits(40e9)
    (6.25, 4.69, True)

Per GPU, four parts (bytes):
- weights, gradients, optimizer states: parameters ÷ (tp · pp) (the model split), experts
  also ÷ ep, times bytes per parameter — fp32 Adam 4 + 4 + 8 (two fp32 moments); mixed
  precision Adam 2 + 2 + 12 (fp32 master copy and two moments; ZeRO, Rajbhandari et al.
  2020, arXiv 1910.02054, section 3.1: "16Ψ"); then ZeRO over the dp ranks divides the
  optimizer states (stage 1), also the gradients (stage 2), also the weights (stage 3).
- activations: per layer, Korthikanti et al. 2022, "Reducing Activation Recomputation in
  Large Transformer Models", arXiv 2205.05198, Table 2 (16-bit activations, 1-byte dropout
  masks; s sequence, b micro-batch, h hidden, a heads, t tensor-parallel degree):
    no recomputation          sbh(34 + 5as/h)               t = 1
    tensor parallel           sbh(10 + 24/t + 5as/(ht))     the 10sbh (LayerNorms,
                                                             dropouts) is replicated
    tensor + sequence par.    sbh(34 + 5as/h) / t
    selective recomputation   sbh(10 + 24/t), or 34sbh/t with sequence parallelism
                              (the 5as²b attention scores are recomputed)
    full recomputation        2sbh per layer (only its input), ÷ t with sequence parallelism
  fp32 activations count twice those bytes. A stage holds layers ÷ pp layers, for as many
  micro-batches as its schedule keeps in flight: 1F1B's first stage min(pp, m) (so the
  pipeline as a whole keeps one model's worth, section 4.2.3), GPipe m.
  `kind="mlp"` is the MLP stack ParaLab's workloads train instead of a transformer layer
  (x + down(GELU(up(x))), inner width ffn·h): it saves the input, the up output and the
  GELU output, (1 + 2·ffn)·s·b·h values per layer.
Not counted: temporary buffers (FSDP's gathered layer, communication buckets), the CUDA
context, allocator fragmentation — real runs need some GB more; the plan's `reserve`.
"""

from __future__ import annotations

import dataclasses
import math

PRECISIONS = ("fp32", "mixed")
OPTIMIZERS = ("adam", "sgd")
RECOMPUTE = ("none", "selective", "full")
SCHEDULES = ("1F1B", "GPipe")
BYTES_PER_PARAM = {  # (weights, gradients, optimizer states)
    ("fp32", "adam"): (4, 4, 8),
    ("mixed", "adam"): (2, 2, 12),
    ("fp32", "sgd"): (4, 4, 4),  # momentum
    ("mixed", "sgd"): (2, 2, 8),  # fp32 master copy + momentum
}


@dataclasses.dataclass(frozen=True)
class Model:
    """What the planner needs of a model."""

    params: float
    """Total parameters."""
    layers: int
    """Transformer (or MLP) layers."""
    hidden: int
    """h, the model width."""
    heads: int = 1
    """a, attention heads (unused for kind="mlp")."""
    seq: int = 2048
    """s, tokens per sequence."""
    microbatch: int = 1
    """b, sequences per micro-batch on one GPU."""
    expert_fraction: float = 0.0
    """Share of the parameters in experts (divided by ep too)."""
    kind: str = "transformer"
    """"transformer" (Korthikanti's layer) or "mlp" (ParaLab's workloads)."""
    ffn: int = 4
    """Inner width of an MLP layer, in multiples of h (kind="mlp")."""


@dataclasses.dataclass(frozen=True)
class Plan:
    """How the model is trained: precision, optimizer, degrees, ZeRO stage, recomputation."""

    precision: str = "mixed"
    optimizer: str = "adam"
    dp: int = 1
    tp: int = 1
    pp: int = 1
    ep: int = 1
    zero: int = 0
    """ZeRO stage over the dp ranks: 0 none, 1 optimizer, 2 + gradients, 3 + weights."""
    recompute: str = "none"
    sequence_parallel: bool = False
    schedule: str = "1F1B"
    microbatches: int = 1
    """m, micro-batches per step (pipeline)."""
    reserve: float = 0.0
    """Bytes kept free on each GPU (CUDA context, buffers, fragmentation)."""

    def __post_init__(self) -> None:
        for name, allowed in (
            ("precision", PRECISIONS),
            ("optimizer", OPTIMIZERS),
            ("recompute", RECOMPUTE),
            ("schedule", SCHEDULES),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}: {getattr(self, name)!r} is not one of {allowed}")
        for name in ("dp", "tp", "pp", "ep", "microbatches"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be at least 1")
        if self.zero not in (0, 1, 2, 3):
            raise ValueError(f"zero: must be 0, 1, 2 or 3, got {self.zero}")

    @property
    def gpus(self) -> int:
        return self.dp * self.tp * self.pp


@dataclasses.dataclass(frozen=True)
class Estimate:
    """Bytes per GPU, by part."""

    weights: float
    gradients: float
    optimizer: float
    activations: float
    reserve: float = 0.0

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.optimizer + self.activations + self.reserve

    def fits(self, gpu_bytes: float) -> bool:
        return self.total <= gpu_bytes

    def parts(self) -> dict[str, float]:
        return {
            "weights": self.weights,
            "gradients": self.gradients,
            "optimizer": self.optimizer,
            "activations": self.activations,
        }


def params_per_gpu(model: Model, plan: Plan) -> float:
    """Parameters one GPU holds before ZeRO: ÷ tp·pp, the expert share also ÷ ep."""
    dense = model.params * (1 - model.expert_fraction)
    experts = model.params * model.expert_fraction / plan.ep
    return (dense + experts) / (plan.tp * plan.pp)


def state_bytes(params: float, plan: Plan) -> tuple[float, float, float]:
    """(weights, gradients, optimizer) bytes for `params` parameters, after ZeRO over dp."""
    w, g, o = BYTES_PER_PARAM[(plan.precision, plan.optimizer)]
    shard = lambda stage: plan.dp if plan.zero >= stage else 1  # noqa: E731
    return params * w / shard(3), params * g / shard(2), params * o / shard(1)


def activation_bytes_per_layer(model: Model, plan: Plan) -> float:
    """One layer, one micro-batch (module docstring: Korthikanti et al. 2022, Table 2)."""
    s, b, h, a, t = model.seq, model.microbatch, model.hidden, model.heads, plan.tp
    sbh = s * b * h
    if model.kind == "mlp":  # 4-byte (fp32) or 2-byte values, split over t like the weights
        return sbh * (1 + 2 * model.ffn) * (4 if plan.precision == "fp32" else 2) / t
    sp = plan.sequence_parallel
    if plan.recompute == "full":
        per = 2 * sbh / (t if sp else 1)
    elif plan.recompute == "selective":
        per = 34 * sbh / t if sp else sbh * (10 + 24 / t)
    elif sp:
        per = sbh * (34 + 5 * a * s / h) / t
    else:
        per = sbh * (10 + 24 / t + 5 * a * s / (h * t))
    return per * (2 if plan.precision == "fp32" else 1)


def in_flight(plan: Plan) -> int:
    """Micro-batches whose activations the busiest stage holds at once."""
    if plan.pp == 1:
        return 1
    return plan.microbatches if plan.schedule == "GPipe" else min(plan.pp, plan.microbatches)


def estimate(model: Model, plan: Plan) -> Estimate:
    """Bytes per GPU for `model` trained with `plan` (module docstring for the formulas)."""
    weights, grads, opt = state_bytes(params_per_gpu(model, plan), plan)
    layers = math.ceil(model.layers / plan.pp)
    acts = activation_bytes_per_layer(model, plan) * layers * in_flight(plan)
    return Estimate(weights, grads, opt, acts, plan.reserve)


def min_gpus_for_states(model: Model, plan: Plan, gpu_bytes: float) -> int:
    """GPUs needed just for weights + gradients + optimizer states, perfectly divided."""
    w, g, o = BYTES_PER_PARAM[(plan.precision, plan.optimizer)]
    return math.ceil(model.params * (w + g + o) / gpu_bytes)
