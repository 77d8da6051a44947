"""Answer keys of lesson 12 (inference serving): KV-cache sizes from Llama 2 70B's
configuration (arXiv 2307.09288), the weight-reading bound of decode, and the roofline's
ridge point.

    $ pytest tests/unit/test_content_serving.py -q
"""

from __future__ import annotations

import math

from tests.unit.content_keys import GB, Keys, assert_numeric

FILE = "12-inference-serving.yaml"
LAYERS, KV_HEADS, QUERY_HEADS, HEAD_DIM, BYTES = 80, 8, 64, 128, 2
MB = 10**6


def kv_bytes_per_token(kv_heads: int = KV_HEADS) -> int:
    return 2 * LAYERS * kv_heads * HEAD_DIM * BYTES


def test_kv_cache_keys():
    per_token = kv_bytes_per_token()
    assert per_token == 327_680
    mha = kv_bytes_per_token(QUERY_HEADS) / MB
    assert round(mha, 1) == 2.6 and mha / (per_token / MB) == 8
    assert_numeric(FILE, "kv-bytes-per-token-70b", per_token / MB, wrong=(per_token / 2 / MB, mha))
    batch = per_token * 32 * 4096 / GB
    assert_numeric(FILE, "kv-cache-batch32-gb", batch, wrong=(batch / 2, batch * 8))
    fit = math.floor(1000 * GB / (per_token * 4096))
    assert fit == 745 and round(per_token * 4096 / GB, 3) == 1.342
    assert_numeric(FILE, "sequences-fit-1000gb", fit, wrong=(746, 372))


def test_decode_bounds():
    weights_gb = 70 * 2
    step_ms = weights_gb / 8 / 4800 * 1e3
    assert round(1e3 / step_ms) == 274
    assert_numeric(FILE, "decode-ms-tp8", step_ms, wrong=(8 * step_ms, 29.17))
    assert_numeric(FILE, "decode-ridge-batch", round(990e12 / 4.8e12), wrong=(412, 103))


KEYS = Keys(
    FILE,
    choice={"why-decode-memory-bound": {"a"}, "why-serving-is-complex": {"a", "b", "c", "d"}},
    true_false={"decode-batching-cheap": True},
    matching={
        "serving-terms": {
            "prefill": "r-prompt",
            "decode": "r-token",
            "continuous": "r-join",
            "paged": "r-blocks",
        }
    },
    recomputed={
        "kv-bytes-per-token-70b",
        "kv-cache-batch32-gb",
        "sequences-fit-1000gb",
        "decode-ms-tp8",
        "decode-ridge-batch",
    },
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
