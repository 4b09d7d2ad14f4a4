"""Protocol trees unrolled into action DAGs: durations, link ends, fidelity."""

from __future__ import annotations

import pytest

from schedopt.families.quantum.actions import (
    LinkLeaf,
    PumpNode,
    SwapNode,
    build_protocol,
    ends_of,
    link_slots,
    tree_fidelity,
    tree_size,
)
from schedopt.families.quantum.werner import distill_fidelity, distill_success, swap_fidelity


def test_link_slots() -> None:
    assert link_slots(14.1583) == 8  # 1 / (14.16 * 0.01) = 7.06 -> 8 slots
    assert link_slots(75.6532) == 2
    assert link_slots(1400.0) == 1
    assert link_slots(100.0) == 1  # exactly one slot, no float round-up
    assert link_slots(10.0, slot=0.02) == 5


def test_swap_tree() -> None:
    t = SwapNode(LinkLeaf("0", "1", 0.9, 50.0), LinkLeaf("1", "2", 0.8, 50.0))
    p = build_protocol(t)
    assert [a.kind for a in p.actions] == ["link", "link", "swap"]
    assert p.actions[2].nodes == ("0", "1", "2") and p.actions[2].inputs == (0, 1)
    assert [a.duration for a in p.actions] == [2, 2, 1]
    assert (p.source, p.destination) == ("0", "2") == ends_of(t)
    assert p.fidelity == pytest.approx(swap_fidelity(0.9, 0.8)) == pytest.approx(tree_fidelity(t))
    assert p.consumer == (2, 2, -1)
    consumed_at_1 = [e for e in p.ends if e.node == "1"]
    assert len(p.ends) == 4 and all(e.consumer == 2 for e in consumed_at_1)
    assert {e.node for e in p.ends if e.consumer == -1} == {"0", "2"}


def test_pump_tree() -> None:
    t = PumpNode(LinkLeaf("a", "b", 0.8, 20.0), 2)
    p = build_protocol(t)
    assert [a.kind for a in p.actions] == ["link", "link", "distill", "link", "distill"]
    assert tree_size(t) == len(p.actions) == 5
    f1 = distill_fidelity(0.8, 0.8)
    assert p.fidelity == pytest.approx(distill_fidelity(f1, 0.8))
    assert p.success == pytest.approx(distill_success(0.8, 0.8) * distill_success(f1, 0.8))
    # the kept link's ends reach the end; each fresh link's ends die at its distillation
    assert [e.consumer for e in p.ends] == [-1, -1, 2, 2, 4, 4]


def test_nested_tree_size() -> None:
    t = PumpNode(SwapNode(PumpNode(LinkLeaf("0", "1", 0.9, 14.0), 1), LinkLeaf("1", "2", 0.9, 14.0)), 1)
    assert tree_size(t) == len(build_protocol(t).actions) == 11
