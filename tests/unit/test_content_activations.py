"""Answer keys of lesson 07 (activation memory and recomputation), recomputed from
Korthikanti et al., arXiv 2205.05198, section 4 (bytes per layer) and section 5.

    $ pytest tests/unit/test_content_activations.py -q
"""

from __future__ import annotations

from fractions import Fraction

from tests.unit.content_keys import GB, Keys, assert_numeric

FILE = "07-activation-recomputation.yaml"
GPT3 = {"L": 96, "h": 12288, "a": 96, "s": 2048, "b": 1}
MB = 10**6


def layer_bytes(s: int, b: int, h: int, a: int, t: int = 1, *, selective: bool = False) -> float:
    """Activation bytes of one layer: sbh(34 + 5as/h) / t with TP + SP (paper eqs. 1, 3, 4)."""
    scores = 0 if selective else Fraction(5 * a * s, h)
    return float(Fraction(s * b * h, t) * (34 + scores))


def test_the_per_part_counts_add_up():
    # attention 11 sbh + 5 as^2 b, MLP 19 sbh, LayerNorms 4 sbh (paper section 4.1)
    s, b, h, a = 7, 3, 5, 2
    assert 11 * s * b * h + 5 * a * s * s * b + 19 * s * b * h + 4 * s * b * h == layer_bytes(
        s, b, h, a
    )


def test_layer_and_model_keys():
    s, b, h, a, n_layers = (GPT3[k] for k in "sbhaL")
    assert 5 * a * s // h == 80
    per_layer = layer_bytes(s, b, h, a)
    assert_numeric(FILE, "gpt3-layer-activations-gb", per_layer / GB, wrong=(34 * s * h / GB,))
    assert_numeric(FILE, "gpt3-model-activations-gb", n_layers * per_layer / GB)
    tp8 = layer_bytes(s, b, h, a, 8)
    assert_numeric(FILE, "gpt3-layer-tp8-sp-gb", tp8 / GB, wrong=(per_layer / GB,))


def test_recomputation_keys():
    s, b, h, a = (GPT3[k] for k in "sbha")
    selective = layer_bytes(s, b, h, a, 8, selective=True)
    assert selective == 106_954_752
    assert_numeric(FILE, "gpt3-layer-selective-mb", selective / MB, wrong=(358.6,))
    full = 2 * s * b * h
    assert_numeric(FILE, "gpt3-layer-full-recompute-mb", full / MB, wrong=(full / 2 / MB,))
    assert round(layer_bytes(s, b, h, a) / full) == 57  # quoted in the explanation
    assert round(80 / 114, 2) == 0.70


def test_full_recomputation_compute_ratio():
    forward, backward = 1, 2
    ratio = Fraction(forward + forward + backward, forward + backward)
    assert ratio == Fraction(4, 3)
    assert_numeric(FILE, "full-recompute-compute-ratio", float(ratio), wrong=(2.0, 1.5))


KEYS = Keys(
    FILE,
    true_false={"selective-recomputes-attention-core": True},
    choice={"what-reduces-activation-memory": {"a", "b", "c", "d"}},
    recomputed={
        "gpt3-layer-activations-gb",
        "gpt3-model-activations-gb",
        "gpt3-layer-tp8-sp-gb",
        "gpt3-layer-selective-mb",
        "gpt3-layer-full-recompute-mb",
        "full-recompute-compute-ratio",
    },
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
