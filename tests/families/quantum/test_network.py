"""Network model and topologies: counts, qubits, operating points, GML, bad input."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from schedopt.errors import ParseError, ProblemError
from schedopt.families.quantum.network import (
    NV_5KM_POINTS,
    SURFNET_POINTS,
    QuantumLink,
    QuantumNode,
    make_network,
    read_gml,
    surfnet,
    topology,
)

COUNTS = {  # name: (nodes, edges, end nodes)
    "line-6": (6, 5, 6),
    "star-4": (4, 3, 3),
    "H-6": (6, 5, 4),
    "symmetric-8": (8, 10, 4),
    "surfnet": (108, 118, 54),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_topology_counts(name: str) -> None:
    net = topology(name)
    g = net.graph()
    n, m, ends = COUNTS[name]
    assert (g.number_of_nodes(), g.number_of_edges(), len(net.end_nodes)) == (n, m, ends)
    assert nx.is_connected(g)
    assert len(net.qubits()) == 4 * n  # 1 communication + 3 storage qubits per node
    for _, attrs in g.nodes(data=True):
        assert len(attrs["comm_qs"]) == 1 and len(attrs["storage_qs"]) == 3
    for _, _, attrs in g.edges(data=True):
        assert attrs["points"] and attrs["weight"] > 0


def test_named_nodes() -> None:
    h = topology("H-6")
    assert sorted(h.end_nodes) == ["0", "2", "3", "5"] and sorted(h.repeaters) == ["1", "4"]
    sym = topology("symmetric-8")
    assert all(sym.link(str(i), str(4 + i)) for i in range(4))
    assert sorted(topology("star-4").repeaters) == ["3"]


def test_nv_points() -> None:
    assert len(NV_5KM_POINTS) == 10
    assert NV_5KM_POINTS[0] == pytest.approx((0.8771, 14.1583))
    assert NV_5KM_POINTS[-1] == pytest.approx((0.4877, 75.6532))
    fs = [f for f, _ in NV_5KM_POINTS]
    rs = [r for _, r in NV_5KM_POINTS]
    assert fs == sorted(fs, reverse=True) and rs == sorted(rs)
    assert topology("line-6").link("2", "3").max_rate == pytest.approx(75.6532)


def test_surfnet_stand_in_is_labelled() -> None:
    net = surfnet()
    assert net.meta["stand_in"] is True and "stand-in" in net.meta["note"]
    assert net.link("0", "1").points == SURFNET_POINTS
    assert all(int(e) % 2 == 1 for e in net.end_nodes)


def test_gml_round_trip(tmp_path: Path) -> None:
    g = nx.Graph()
    g.add_node("a", end_node=1, comm_qs=["a-C0"], storage_qs=["a-S0", "a-S1"])
    g.add_node("r", end_node=0)
    g.add_node("b", end_node=1)
    g.add_edges_from([("a", "r"), ("r", "b")])
    path = tmp_path / "net.gml"
    nx.write_gml(g, path)
    net = read_gml(path)
    assert net.meta["stand_in"] is False
    assert net.node("a").n_storage == 2 and net.node("r").n_storage == 3
    assert sorted(net.end_nodes) == ["a", "b"]
    assert topology("surfnet", path=path).link("a", "r").points == SURFNET_POINTS


def test_bad_gml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gml"
    bad.write_text("this is not gml")
    with pytest.raises(ParseError, match="bad.gml"):
        read_gml(bad)
    g = nx.Graph()
    g.add_edge("x", "y")
    nx.write_gml(g, tmp_path / "noattr.gml")
    with pytest.raises(ParseError, match="end_node"):
        read_gml(tmp_path / "noattr.gml")


def test_bad_networks() -> None:
    with pytest.raises(ProblemError, match="fidelity"):
        QuantumLink("a", "b", ((1.2, 10.0),))
    with pytest.raises(ProblemError, match="rate"):
        QuantumLink("a", "b", ((0.9, 0.0),))
    with pytest.raises(ProblemError, match="at least one"):
        QuantumLink("a", "b", ())
    with pytest.raises(ProblemError, match="n_comm"):
        QuantumNode("a", True, 0, 3)
    with pytest.raises(ProblemError, match="unknown node"):
        make_network("x", ["a"], [], [("a", "z")])
    with pytest.raises(ProblemError, match="duplicate"):
        make_network("x", ["a", "b"], [], [("a", "b"), ("b", "a")])
    with pytest.raises(ProblemError, match="both"):
        make_network("x", ["a"], ["a"], [])
    with pytest.raises(ProblemError, match="unknown quantum topology"):
        topology("ring-9")
    with pytest.raises(ProblemError, match="no link"):
        topology("line-6").link("0", "2")
