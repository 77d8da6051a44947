"""What a class answered in a live session: distributions per question type, report, leaderboard.

Pure functions over a lesson's question models and the session's current answers (one per
learner and question), so the presenter view, the after-session report and the tests all
count the same way:

    >>> distribution(question, sessions.answers(live.id, question.id))
    {'kind': 'choice', 'total': 3, 'bars': [{'id': 'a', 'label': 'GPipe', 'count': 1, ...}]}

Kinds: `choice` (single/multiple choice, true/false: learners per option), `matching` (per
left item, learners per right item, the key's pair marked), `numeric` (a histogram with the
key and its tolerance), `ordering` (per position, the share who put the key's item there).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence

from classroom.sessions_models import LiveAnswer

NUMERIC_BINS = 12
TRUE_FALSE = (("true", True, "True"), ("false", False, "False"))


def distribution(question, answers: Sequence[LiveAnswer]) -> dict:
    """The class's answers to one question, counted for its kind of chart (see module)."""
    values = [json.loads(a.answer_json) for a in answers]
    kind = question.type
    if kind in ("single_choice", "multiple_choice"):
        counts = Counter(
            v for value in values for v in ([value] if kind == "single_choice" else value)
        )
        bars = [
            {"id": o.id, "label": o.text, "count": counts[o.id], "correct": o.correct}
            for o in question.options
        ]
        return {"kind": "choice", "total": len(values), "bars": bars}
    if kind == "true_false":
        bars = [
            {
                "id": i,
                "label": label,
                "count": sum(v is b for v in values),
                "correct": question.answer is b,
            }
            for i, b, label in TRUE_FALSE
        ]
        return {"kind": "choice", "total": len(values), "bars": bars}
    if kind == "matching":
        return _matching(question, values)
    if kind == "numeric":
        return numeric_histogram([float(v) for v in values], question.answer, question.tolerance)
    return _ordering(question, values)


def _matching(question, values: list[dict]) -> dict:
    right = {r.id: r.text for r in question.right}
    rows = []
    for left in question.left:
        counts = Counter(v.get(left.id) for v in values)
        key = question.pairs[left.id]
        rows.append(
            {
                "id": left.id,
                "label": left.text,
                "key": key,
                "key_label": right[key],
                "correct": counts[key],
                "counts": {rid: counts[rid] for rid in right},
            }
        )
    return {"kind": "matching", "total": len(values), "right": right, "rows": rows}


def numeric_histogram(values: list[float], key: float, tolerance: float = 0.0) -> dict:
    """Bins over the answers and the key; answers far outside (over 10× the spread of the
    middle half, typos such as 1e9) are counted as `outliers`, not stretched into the axis."""
    finite = sorted(v for v in values if math.isfinite(v))
    kept = _without_outliers(finite, key)
    lo = min([*kept, key - tolerance])
    hi = max([*kept, key + tolerance])
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5 * (abs(lo) or 1), hi + 0.5 * (abs(hi) or 1)
    width = (hi - lo) / NUMERIC_BINS
    counts = [0] * NUMERIC_BINS
    for v in kept:
        counts[min(int((v - lo) / width), NUMERIC_BINS - 1)] += 1
    bins = [
        {"lo": lo + i * width, "hi": lo + (i + 1) * width, "count": c} for i, c in enumerate(counts)
    ]
    within = sum(abs(v - key) <= tolerance + 1e-12 for v in finite)
    return {
        "kind": "numeric",
        "total": len(values),
        "bins": bins,
        "key": key,
        "tolerance": tolerance,
        "within": within,
        "outliers": len(finite) - len(kept),
        "values": kept,
    }


def _without_outliers(values: list[float], key: float) -> list[float]:
    if len(values) < 4:
        return values
    q1, q3 = values[len(values) // 4], values[(3 * len(values)) // 4]
    spread = max(q3 - q1, abs(key) * 0.5, 1e-9)
    lo, hi = min(q1, key) - 10 * spread, max(q3, key) + 10 * spread
    return [v for v in values if lo <= v <= hi]


def _ordering(question, values: list[list[str]]) -> dict:
    key = question.correct_order()
    text = {i.id: i.text for i in question.items}
    positions = []
    for pos, item in enumerate(key):
        placed = Counter(v[pos] for v in values if pos < len(v))
        positions.append(
            {
                "position": pos + 1,
                "key": item,
                "key_label": text[item],
                "agree": placed[item],
                "top": text.get(placed.most_common(1)[0][0], "") if placed else "",
                "top_count": placed.most_common(1)[0][1] if placed else 0,
            }
        )
    exact = sum(v == key for v in values)
    return {"kind": "ordering", "total": len(values), "positions": positions, "exact": exact}
