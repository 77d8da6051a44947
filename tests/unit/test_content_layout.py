"""Answer keys of lesson 10 (3-D layout): degrees, rank numbering (tp fastest) and the
groups of a rank recomputed by enumerating the mesh; bandwidth ratio and all-reduce counts.

    $ pytest tests/unit/test_content_layout.py -q
"""

from __future__ import annotations

import itertools

from tests.unit.content_keys import Keys, assert_numeric, question

FILE = "10-3d-layout.yaml"
GPUS_PER_NODE = 8


def rank(d_i: int, p_i: int, t_i: int, p: int, t: int) -> int:
    return (d_i * p + p_i) * t + t_i


def mesh(d: int, p: int, t: int) -> dict[tuple[int, int, int], int]:
    coords = itertools.product(range(d), range(p), range(t))
    return {c: rank(*c, p, t) for c in coords}


def test_degrees_and_numbering():
    assert_numeric(FILE, "dp-degree-1024", 1024 // (8 * 16), wrong=(16, 128))
    ranks = mesh(4, 2, 8)
    assert sorted(ranks.values()) == list(range(64))  # a bijection onto 0..63
    assert_numeric(FILE, "rank-of-coordinate", ranks[(2, 1, 3)], wrong=(27, 35, 53))


def test_groups_of_rank_43():
    d, p, t = 4, 2, 8
    ranks = mesh(d, p, t)
    coord = next(c for c, r in ranks.items() if r == 43)
    tp_group = sorted(ranks[(coord[0], coord[1], k)] for k in range(t))
    pp_partner = ranks[(coord[0], 1 - coord[1], coord[2])]
    dp_group = sorted(ranks[(k, coord[1], coord[2])] for k in range(d))
    assert tp_group == list(range(40, 48)) and {r // GPUS_PER_NODE for r in tp_group} == {5}
    assert pp_partner == 35
    assert dp_group == [11, 27, 43, 59] and len({r // GPUS_PER_NODE for r in dp_group}) == 4
    options = {
        o["id"]: o.get("correct", False) for o in question(FILE, "groups-of-rank-43")["options"]
    }
    assert options == {"a": True, "b": True, "c": True, "d": False}


def test_bandwidth_ratio_and_all_reduce_count():
    nvlink_each_way, nic_gbit = 450, 400
    assert nvlink_each_way / (nic_gbit / 8) == 9
    assert_numeric(FILE, "tp-allreduces-per-step", (2 + 2) * 20 * 16, wrong=(640, 320))


KEYS = Keys(
    FILE,
    choice={
        "groups-of-rank-43": {"a", "b", "c"},
        "which-degree-inside-node": {"a"},
        "hsdp-why": {"a"},
    },
    true_false={"tp16-across-nodes": False},
    recomputed={"dp-degree-1024", "rank-of-coordinate", "tp-allreduces-per-step"},
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
