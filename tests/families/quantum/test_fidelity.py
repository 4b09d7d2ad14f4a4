"""Delivered fidelity with decoherence while waiting, recomputed from a shape."""

from __future__ import annotations

import math

import pytest

from schedopt.families.quantum.actions import LinkLeaf, SwapNode, build_protocol
from schedopt.families.quantum.fidelity import check_fidelity, delivered_fidelity, output_ends, qubit_kind
from schedopt.families.quantum.mapping import map_heuristic
from schedopt.families.quantum.network import topology
from schedopt.families.quantum.protocol import Demand, synthesize
from schedopt.families.quantum.werner import swap_fidelity

FAST = 75.6532


def test_two_hop_by_hand() -> None:
    net = topology("line-6")
    p = build_protocol(SwapNode(LinkLeaf("0", "1", 0.9, FAST), LinkLeaf("1", "2", 0.8, FAST)))
    sh = map_heuristic(p, net)  # link 0-1 ready at 2, link 1-2 at 4, swap at 4
    assert sh.start == (0, 2, 4)
    # link 0-1 waits 2 slots = 0.02 s in two storage qubits (T = 1 s each): rate 2 /s
    waited = 0.25 + (0.9 - 0.25) * math.exp(-2 * 0.02)
    assert sh.fidelity == pytest.approx(swap_fidelity(waited, 0.8))
    assert check_fidelity(sh) == (pytest.approx(sh.fidelity), True)
    nominal = delivered_fidelity(p, sh.start, sh.hold, coherence=None)
    assert nominal == pytest.approx(p.fidelity) and nominal > sh.fidelity
    assert check_fidelity(sh, 0.7)[1] and not check_fidelity(sh, 0.75)[1]


def test_comm_qubits_decohere_slower() -> None:
    net = topology("line-6")
    p = build_protocol(SwapNode(LinkLeaf("0", "1", 0.9, FAST), LinkLeaf("1", "2", 0.8, FAST)))
    sh = map_heuristic(p, net)
    in_comm = ("0-C0", "1-S0", "1-S1", "2-S0")
    assert delivered_fidelity(p, sh.start, in_comm) > delivered_fidelity(p, sh.start, sh.hold)


def test_longer_waits_lower_the_fidelity() -> None:
    net = topology("line-6")
    p = build_protocol(SwapNode(LinkLeaf("0", "1", 0.9, FAST), LinkLeaf("1", "2", 0.8, FAST)))
    sh = map_heuristic(p, net)
    later = delivered_fidelity(p, (0, 2, 14), sh.hold)
    assert later < sh.fidelity


def test_synthesised_shapes_meet_their_floor() -> None:
    net = topology("H-6")
    sh = synthesize(net, Demand("0", "5", 0.5, 0.5))
    f, ok = check_fidelity(sh)
    assert ok and f >= 0.5 and f < sh.protocol.fidelity


def test_helpers() -> None:
    assert qubit_kind("12-C0") == "comm" and qubit_kind("a-b-S2") == "storage"
    with pytest.raises(ValueError):
        qubit_kind("x-Q1")
    p = build_protocol(SwapNode(LinkLeaf("0", "1", 0.9, FAST), LinkLeaf("1", "2", 0.8, FAST)))
    assert output_ends(p) == [(0, 1), (2, 3), (0, 3)]
