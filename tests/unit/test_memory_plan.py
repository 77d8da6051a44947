"""The memory planner: ZeRO's bytes per parameter, Korthikanti et al.'s activation formulas
(arXiv 2205.05198, Table 2) and the seed's 200B-on-40GB question, recomputed by hand."""

import pytest

from runner.memory_plan import (
    Model,
    Plan,
    activation_bytes_per_layer,
    estimate,
    min_gpus_for_states,
)

GPT3 = Model(params=175e9, layers=96, hidden=12288, heads=96, seq=2048, microbatch=1)
B200 = Model(params=200e9, layers=80, hidden=16384, heads=128, seq=2048, microbatch=1)
SBH = 2048 * 12288


def test_mixed_precision_adam_is_16_bytes_per_parameter_and_zero_divides_by_stage():
    plain = estimate(B200, Plan(dp=64))
    assert (plain.weights, plain.gradients, plain.optimizer) == (400e9, 400e9, 2400e9)
    assert estimate(B200, Plan(dp=64, zero=1)).optimizer == 2400e9 / 64
    z2 = estimate(B200, Plan(dp=64, zero=2))
    assert (z2.weights, z2.gradients) == (400e9, 400e9 / 64)
    assert estimate(B200, Plan(dp=64, zero=3)).weights == 400e9 / 64
    fp32 = estimate(B200, Plan(precision="fp32"))
    assert (fp32.weights, fp32.gradients, fp32.optimizer) == (800e9, 800e9, 1600e9)


def test_the_seeds_200b_model_needs_80_gpus_for_its_states_alone():
    assert min_gpus_for_states(B200, Plan(), 40e9) == 80  # lesson 2: 3200 GB / 40 GB


def test_activation_formulas_of_table_2():
    assert activation_bytes_per_layer(GPT3, Plan()) == SBH * (34 + 5 * 96 * 2048 / 12288)
    assert activation_bytes_per_layer(GPT3, Plan(tp=8)) == pytest.approx(
        SBH * (10 + 24 / 8 + 5 * 96 * 2048 / (12288 * 8))
    )
    sp = Plan(tp=8, sequence_parallel=True)
    assert activation_bytes_per_layer(GPT3, sp) == pytest.approx(SBH * 114 / 8)
    selective = Plan(tp=8, sequence_parallel=True, recompute="selective")
    assert activation_bytes_per_layer(GPT3, selective) == pytest.approx(34 * SBH / 8)
    assert activation_bytes_per_layer(GPT3, Plan(recompute="full")) == 2 * SBH
    # lesson 7's keys: 2.87 GB per layer, 107 MB selective at t = 8, 50.3 MB full
    assert activation_bytes_per_layer(GPT3, Plan()) / 1e9 == pytest.approx(2.87, abs=0.01)
    assert activation_bytes_per_layer(GPT3, selective) / 1e6 == pytest.approx(106.95, abs=0.01)


def test_pipeline_stages_hold_their_layers_for_the_microbatches_in_flight():
    per_layer = activation_bytes_per_layer(GPT3, Plan(pp=8))
    one_f_one_b = estimate(GPT3, Plan(pp=8, microbatches=32)).activations
    assert one_f_one_b == per_layer * 12 * 8  # 96/8 layers, min(p, m) = 8 micro-batches
    gpipe = estimate(GPT3, Plan(pp=8, microbatches=32, schedule="GPipe")).activations
    assert gpipe == per_layer * 12 * 32


def test_a_plan_that_fits_and_one_that_does_not():
    good = Plan(dp=8, tp=8, pp=8, zero=1, recompute="selective", sequence_parallel=True,
                microbatches=8)  # fmt: skip
    assert estimate(B200, good).fits(40e9)
    assert not estimate(B200, Plan(dp=512)).fits(40e9)  # data parallelism alone never fits
    assert estimate(B200, Plan(dp=512, zero=3)).total > 40e9  # activations still too big


def test_experts_are_divided_by_ep_too():
    moe = Model(params=100e9, layers=10, hidden=1024, expert_fraction=0.8)
    assert estimate(moe, Plan(ep=8)).weights == pytest.approx((20e9 + 80e9 / 8) * 2)


@pytest.mark.parametrize(("field", "kwargs"), [("precision", {"precision": "fp8"}),
                         ("zero", {"zero": 4}), ("tp", {"tp": 0}),
                         ("recompute", {"recompute": "some"})])  # fmt: skip
def test_bad_plans_name_the_field(field, kwargs):
    with pytest.raises(ValueError, match=f"^{field}:"):
        Plan(**kwargs)
