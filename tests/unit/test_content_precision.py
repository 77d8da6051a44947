"""Answer keys of lesson 13 (mixed precision and stability), recomputed with numpy's fp16,
bf16 by bit arithmetic (round to nearest even), and a GradScaler-style simulation.

    $ pytest tests/unit/test_content_precision.py -q
"""

from __future__ import annotations

import numpy as np

from tests.unit.content_keys import Keys, assert_numeric

FILE = "13-mixed-precision-stability.yaml"


def bf16_round(x: float) -> float:
    """Round a float32 to bf16 (round to nearest even) by keeping its top 16 bits."""
    bits = int(np.array(x, dtype=np.float32).view(np.uint32))
    bits += 0x7FFF + ((bits >> 16) & 1)
    return float(np.array((bits >> 16) << 16, dtype=np.uint32).view(np.float32))


def test_fp16_facts():
    info = np.finfo(np.float16)
    assert float(info.max) == 65504 == (2 - 2**-10) * 2**15
    assert float(info.tiny) == 2**-14 and float(info.eps) == 2**-10
    with np.errstate(over="ignore"):
        assert np.isinf(np.float16(300) * np.float16(300))
    assert np.float16(1.0) + np.float16(1e-4) == np.float16(1.0)
    assert np.float32(1.0) + np.float32(1e-4) != np.float32(1.0)
    assert np.float16(2.0**-30) == 0  # underflows even the subnormals (2^-24)
    assert_numeric(FILE, "fp16-max", float(info.max), wrong=(65535, 65536))


def test_bf16_facts():
    gap = bf16_round(1.0 + 2**-7) - 1.0
    assert gap == 2**-7 and bf16_round(1.0 + 2**-8) == 1.0  # a tie rounds to even
    assert bf16_round(1.0 + 1e-4) == 1.0
    assert bf16_round(3e38) > 1e38 and bf16_round(1e-37) > 0  # fp32's range
    assert_numeric(FILE, "bf16-gap-above-one", gap, wrong=(2**-10, 2**-8))


def test_loss_scale_for_a_tiny_gradient():
    scale = next(2**k for k in range(64) if 2**-30 * 2**k >= 2**-14)
    assert scale == 65536 and float(np.float16(2.0**-30 * scale)) == 2**-14
    assert_numeric(FILE, "loss-scale-for-tiny-gradient", scale, wrong=(16384, 2**24))


def test_dynamic_loss_scaling():
    scale, clean = 65536.0, 0
    for overflow in [True] * 3 + [False] * 2000:  # GradScaler: backoff 0.5, growth 2 / 2000
        if overflow:
            scale, clean = scale * 0.5, 0
        else:
            clean += 1
            if clean == 2000:
                scale, clean = scale * 2, 0
    assert_numeric(FILE, "dynamic-scale-after", scale, wrong=(8192, 65536, 131072))


KEYS = Keys(
    FILE,
    choice={"on-overflow": {"a"}, "spike-responses": {"a", "b", "c"}},
    true_false={"bf16-no-loss-scaling": True},
    recomputed={
        "fp16-max",
        "bf16-gap-above-one",
        "loss-scale-for-tiny-gradient",
        "dynamic-scale-after",
    },
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
