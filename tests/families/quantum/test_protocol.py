"""Demand -> protocol: routing, ESSS, admission errors, property test on random demands."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.errors import ProblemError
from schedopt.families.quantum.actions import LinkLeaf, PumpNode, SwapNode
from schedopt.families.quantum.fidelity import check_fidelity
from schedopt.families.quantum.mapping import check_shape
from schedopt.families.quantum.network import make_network, topology
from schedopt.families.quantum.protocol import Demand, NotAdmitted, admit, esss, route, synthesize

SMALL = ("line-6", "star-4", "H-6", "symmetric-8")


def test_route() -> None:
    assert route(topology("line-6"), Demand("0", "4", 0.5, 1)) == ["0", "1", "2", "3", "4"]
    assert route(topology("H-6"), Demand("0", "5", 0.5, 1)) == ["0", "1", "4", "5"]
    assert route(topology("symmetric-8"), Demand("1", "3", 0.5, 1)) == ["1", "5", "7", "3"]


def _fastest(net_name: str, src: str, dst: str) -> object:
    net = topology(net_name)
    cands = esss(net, route(net, Demand(src, dst, 0.3, 1)))
    return min(cands, key=lambda c: (c.latency, -c.fidelity)).tree


def test_esss_two_hops_is_one_swap_of_the_fastest_links() -> None:
    # 75.7, 61.6, 57.7 and 51.3 pairs/s all take 2 slots: the fastest protocol uses the
    # highest-fidelity one of them, F = 0.6175 at 51.3 pairs/s, on both hops
    t = _fastest("line-6", "0", "2")
    assert isinstance(t, SwapNode)
    assert (t.left.u, t.left.v, t.right.u, t.right.v) == ("0", "1", "1", "2")
    assert t.left.rate == pytest.approx(51.2581) and t.right.fidelity == pytest.approx(0.6175)


def test_esss_four_hops_is_balanced() -> None:
    t = _fastest("line-6", "0", "4")
    # pivot at node 2, each half one swap of two links
    assert isinstance(t, SwapNode) and isinstance(t.left, SwapNode) and isinstance(t.right, SwapNode)
    leaves = [t.left.left, t.left.right, t.right.left, t.right.right]
    assert all(isinstance(x, LinkLeaf) for x in leaves)
    assert [(x.u, x.v) for x in leaves] == [("0", "1"), ("1", "2"), ("2", "3"), ("3", "4")]


def test_synthesize_meets_floor_and_rate() -> None:
    net = topology("line-6")
    d = Demand("0", "2", 0.8, 1.0)
    sh = synthesize(net, d, coherence=None)
    assert sh.protocol.fidelity >= 0.8 and sh.fidelity == pytest.approx(sh.protocol.fidelity)
    assert any(
        isinstance(x, PumpNode) for x in (sh.protocol.tree.left, sh.protocol.tree.right)
    ) or isinstance(sh.protocol.tree, PumpNode)
    assert sh.c <= 1 / (d.rate * 0.01)
    assert check_shape(sh, net) == []
    assert check_fidelity(sh)[1]


def test_unreachable_destination() -> None:
    net = make_network("two-islands", ["a", "b", "c", "d"], [], [("a", "b"), ("c", "d")])
    with pytest.raises(ProblemError, match=r"unreachable.*'d'.*'a'|'d'.*unreachable") as exc:
        synthesize(net, Demand("a", "d", 0.5, 1))
    assert "a->d" in str(exc.value)
    assert not isinstance(exc.value, NotAdmitted)


def test_bad_demands() -> None:
    net = topology("H-6")
    with pytest.raises(ProblemError, match="no node 'z'"):
        route(net, Demand("0", "z", 0.5, 1))
    with pytest.raises(ProblemError, match="repeater"):
        route(net, Demand("0", "1", 0.5, 1))
    with pytest.raises(ProblemError, match="same node"):
        Demand("0", "0", 0.5, 1)
    with pytest.raises(ProblemError, match="fidelity floor"):
        Demand("0", "2", 0.2, 1)
    with pytest.raises(ProblemError, match="rate"):
        Demand("0", "2", 0.5, 0)


def test_fidelity_floor_out_of_reach() -> None:
    net = topology("line-6")
    with pytest.raises(NotAdmitted, match="fidelity") as exc:
        synthesize(net, Demand("0", "5", 0.99, 0.1))
    assert exc.value.reason == "fidelity"
    res = admit(net, Demand("0", "5", 0.99, 0.1))
    assert not res.admitted and res.reason == "fidelity" and res.shape is None


def test_rate_above_the_links() -> None:
    net = topology("line-6")
    with pytest.raises(NotAdmitted, match="75.65") as exc:
        synthesize(net, Demand("0", "1", 0.4, 120.0))  # one slot per period, links need 2
    assert exc.value.reason == "rate"
    # one hop at 40/s fits (2 slots <= 2.5), two hops need the pivot's qubit twice: too slow
    assert admit(net, Demand("0", "1", 0.4, 40.0)).admitted
    res = admit(net, Demand("0", "2", 0.3, 40.0))
    assert not res.admitted and res.reason == "rate"


def test_too_few_qubits() -> None:
    net = make_network("bare", ["a", "b"], [], [("a", "b")], n_storage=0)
    res = admit(net, Demand("a", "b", 0.9, 0.1), coherence=None)  # needs pumping: two links held at once
    assert not res.admitted and res.reason == "qubits"


@given(
    st.sampled_from(SMALL),
    st.integers(0, 7),
    st.integers(0, 7),
    st.floats(0.2, 1.0),
    st.floats(0.05, 150.0),
    st.booleans(),
)
@settings(max_examples=40, deadline=None)
def test_random_demands_never_crash(name: str, s: int, d: int, f: float, r: float, decohere: bool) -> None:
    net = topology(name)
    try:
        demand = Demand(str(s), str(d), f, r)
        sh = synthesize(net, demand, coherence=(1.46, 1.0) if decohere else None, max_actions=24)
    except ProblemError as exc:  # malformed, unknown node, repeater endpoint, or NotAdmitted
        assert str(exc)
        if isinstance(exc, NotAdmitted):
            assert exc.reason in ("fidelity", "rate", "qubits")
        return
    assert check_shape(sh, net) == []
    fid, ok = check_fidelity(sh)
    assert ok and fid == pytest.approx(sh.fidelity)
    assert sh.c <= 1 / (r * 0.01) + 1e-9


@given(st.data(), st.floats(0.3, 0.95), st.floats(0.05, 20.0), st.booleans())
@settings(max_examples=40, deadline=None)
def test_random_end_node_demands(data: st.DataObject, f: float, r: float, decohere: bool) -> None:
    net = topology(data.draw(st.sampled_from(SMALL)))
    s = data.draw(st.sampled_from(net.end_nodes))
    d = data.draw(st.sampled_from([x for x in net.end_nodes if x != s]))
    res = admit(net, Demand(s, d, f, r), coherence=(1.46, 1.0) if decohere else None, max_actions=24)
    if not res.admitted:
        assert res.reason in ("fidelity", "rate", "qubits") and res.message
        return
    sh = res.shape
    assert sh is not None and check_shape(sh, net) == []
    assert check_fidelity(sh)[1] and sh.c <= 1 / (r * 0.01) + 1e-9
    assert (sh.protocol.source, sh.protocol.destination) in ((s, d), (d, s))
