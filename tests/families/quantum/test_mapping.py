"""Protocol -> qubits: the heuristic and CP-SAT shapes pass schedopt.check and the holding checker;
CP-SAT is never worse than the heuristic."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt import check
from schedopt.families.quantum.actions import LinkLeaf, PumpNode, SwapNode, build_protocol
from schedopt.families.quantum.mapping import (
    MappingError,
    check_shape,
    map_cpsat,
    map_heuristic,
    mapping_problem,
    shape_schedule,
)
from schedopt.families.quantum.network import make_network, topology
from schedopt.families.quantum.protocol import Demand, NotAdmitted, synthesize

F, R = 0.8771, 14.1583  # 8 slots per link
FAST = 75.6532  # 2 slots


def _valid(shape, net) -> None:  # type: ignore[no-untyped-def]
    assert check_shape(shape, net) == []
    for holds in (True, False):
        problem = mapping_problem(shape, holds=holds)
        assert problem.family == "quantum"
        assert check(problem, shape_schedule(shape, holds=holds)) == []


def test_two_hop_swap_by_hand() -> None:
    net = topology("line-6")
    p = build_protocol(SwapNode(LinkLeaf("0", "1", 0.9, FAST), LinkLeaf("1", "2", 0.9, FAST)))
    sh = map_heuristic(p, net)
    # node 1 has one communication qubit: the two links take turns, then the swap
    assert sh.start == (0, 2, 4) and sh.c == 5
    assert sh.hold == ("0-S0", "1-S0", "1-S1", "2-S0")
    assert ("1-C0", 0, 4) in sh.occupations and ("0-S0", 0, 5) in sh.occupations
    assert sh.storage_slots == 3 + 3 + 1 + 1
    _valid(sh, net)
    cp = map_cpsat(p, net, time_limit=5)
    assert cp.optimal and cp.c == 5
    _valid(cp, net)


def test_alap_delays_the_first_link_when_it_can() -> None:
    net = topology("H-6")  # 0 -1- 4 - 5: generate 0-1 and 4-5 in parallel, 1-4 last
    p = build_protocol(
        SwapNode(LinkLeaf("0", "1", F, R), SwapNode(LinkLeaf("1", "4", F, R), LinkLeaf("4", "5", F, FAST)))
    )
    sh = map_heuristic(p, net)
    _valid(sh, net)
    assert sh.info["asap_c"] >= sh.c
    # the fast 4-5 link is generated just before node 4's communication qubit is needed
    link45 = sh.start[2]
    assert link45 + 2 <= sh.start[3]


def test_checker_catches_a_double_hold() -> None:
    net = topology("line-6")
    p = build_protocol(SwapNode(LinkLeaf("0", "1", 0.9, FAST), LinkLeaf("1", "2", 0.9, FAST)))
    sh = map_heuristic(p, net)
    bad = dataclasses.replace(sh, hold=("0-S0", "1-S0", "1-S0", "2-S0"))
    assert any("overlaps" in v for v in check_shape(bad, net))
    # the core checker sees the same double hold through the pinned holding jobs
    assert check(mapping_problem(bad), shape_schedule(bad)) != []
    early = dataclasses.replace(sh, start=(0, 2, 3))
    assert any("before its input" in v for v in check_shape(early, net))
    assert any("another node" in v for v in check_shape(dataclasses.replace(sh, hold=("1-S2", *sh.hold[1:]))))


def test_no_storage_means_mapping_error() -> None:
    net = make_network("bare", ["a", "b"], [], [("a", "b")], n_storage=0)
    with pytest.raises(MappingError, match="too few qubits"):
        map_heuristic(build_protocol(PumpNode(LinkLeaf("a", "b", 0.8, 20.0), 1)), net)
    with pytest.raises(MappingError):
        map_cpsat(build_protocol(PumpNode(LinkLeaf("a", "b", 0.8, 20.0), 1)), net, time_limit=5)


CASES = [
    ("line-6", "0", "2", 0.8),
    ("line-6", "0", "3", 0.6),
    ("H-6", "0", "5", 0.7),
    ("star-4", "0", "2", 0.75),
    ("symmetric-8", "0", "3", 0.6),
]


@pytest.mark.parametrize(("name", "s", "d", "f"), CASES)
def test_cpsat_never_worse_than_heuristic(name: str, s: str, d: str, f: float) -> None:
    net = topology(name)
    heur = synthesize(net, Demand(s, d, f, 0.5), coherence=None)
    _valid(heur, net)
    cp = map_cpsat(heur.protocol, net, time_limit=10, coherence=None)
    _valid(cp, net)
    assert cp.optimal
    assert cp.c <= heur.c
    if cp.c == heur.c:
        assert cp.storage_slots <= heur.storage_slots


@given(st.integers(1, 3), st.integers(0, 2), st.integers(0, 2), st.integers(0, 9), st.integers(0, 9))
@settings(max_examples=30, deadline=None)
def test_random_small_protocols(hops: int, k_left: int, k_right: int, pl: int, pr: int) -> None:
    net = topology("line-6")
    from schedopt.families.quantum.network import NV_5KM_POINTS as PTS

    def leaf(i: int, p: int) -> LinkLeaf:
        return LinkLeaf(str(i), str(i + 1), *PTS[p])

    left = PumpNode(leaf(0, pl), k_left) if k_left else leaf(0, pl)
    tree = left
    for i in range(1, hops + 1):
        right = PumpNode(leaf(i, pr), k_right) if k_right else leaf(i, pr)
        tree = SwapNode(tree, right)
    p = build_protocol(tree)
    try:
        heur = map_heuristic(p, net)
    except MappingError:
        return
    _valid(heur, net)
    cp = map_cpsat(p, net, time_limit=5, hint=heur)
    _valid(cp, net)
    if cp.optimal:
        assert cp.c <= heur.c


def test_not_admitted_is_a_problem_error() -> None:
    assert issubclass(NotAdmitted, Exception)
    assert issubclass(MappingError, ValueError)


def _brute_force_c(p, net) -> int:  # type: ignore[no-untyped-def]
    """Smallest completion over every start of the link generations and every holding qubit
    (the swap/distillation starts as soon as its inputs are ready)."""
    import itertools

    from schedopt.families.quantum.mapping import _overlaps, raw_intervals

    acts = p.actions
    links = [a for a in acts if a.kind == "link"]
    horizon = sum(a.duration for a in links)
    comm = [tuple(f"{n}-C0" for n in a.nodes) if a.kind == "link" else () for a in acts]
    choices = [net.node(e.node).qubits for e in p.ends]
    best = None
    for starts in itertools.product(range(horizon + 1), repeat=len(links)):
        start = [0] * len(acts)
        for a, s in zip(links, starts):
            start[a.index] = s
        for a in acts:
            if a.kind != "link":
                start[a.index] = max(start[i] + acts[i].duration for i in a.inputs)
        c = max(s + a.duration for s, a in zip(start, acts))
        if best is not None and c >= best:
            continue
        for hold in itertools.product(*choices):
            if not _overlaps(raw_intervals(p, start, comm, hold)):
                best = c
                break
    assert best is not None
    return best


@pytest.mark.parametrize(("d1", "d2"), [(1, 1), (1, 3), (2, 3), (3, 2)])
def test_cpsat_matches_brute_force_on_a_swap(d1: int, d2: int) -> None:
    net = topology("line-6")
    p = build_protocol(SwapNode(LinkLeaf("0", "1", 0.9, 100.0 / d1), LinkLeaf("1", "2", 0.9, 100.0 / d2)))
    assert [a.duration for a in p.actions] == [d1, d2, 1]
    cp = map_cpsat(p, net, time_limit=5)
    assert cp.optimal and cp.c == _brute_force_c(p, net) == d1 + d2 + 1
    assert map_heuristic(p, net).c >= cp.c


@pytest.mark.parametrize("d", [1, 2, 3])
def test_cpsat_matches_brute_force_on_a_pump(d: int) -> None:
    net = topology("line-6")
    p = build_protocol(PumpNode(LinkLeaf("0", "1", 0.8, 100.0 / d), 1))
    cp = map_cpsat(p, net, time_limit=5)
    assert cp.optimal and cp.c == _brute_force_c(p, net)
    assert map_heuristic(p, net).c >= cp.c
