"""HEFT, CPOP and PEFT on the heterogeneous DAG family.

The paper's example (Topcuoglu, Hariri & Wu 2002, Fig. 2), an independent pure-Python reference
implementation of the three list schedulers (written from the papers' formulas and the documented
tie rules, sharing no code with the numba kernels), soundness against ``schedopt.check`` and the
CP-SAT optimum on tiny random problems, saga's averaging, and the anrg-saga package itself.
"""

from __future__ import annotations

import heapq
import logging

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt import check
from schedopt.errors import OptionError
from schedopt.families.dag import _kernels as K
from schedopt.families.dag import dag
from schedopt.families.dag.heuristics import (
    cpop_priorities,
    heft_ranks,
    mean_costs,
    optimistic_cost_table,
    peft_ranks,
    prepare,
    solve_cpop,
    solve_heft,
    solve_peft,
)
from tests.conftest import require_data
from tests.families.dag.strategies import dag_problems

TOPCUOGLU = ("dags", "santiago_hetero", "Synthetic", "Ilavarasan-3-10.txt")


# ----------------------------------------------------------------------------------------------
# Reference implementation (plain Python, straight from the formulas)
# ----------------------------------------------------------------------------------------------


def _r(x: float) -> float:
    return round(x, 9)


class Ref:
    """HEFT / CPOP / PEFT by the book, on a Problem, with the tie rules of the module docstring."""

    def __init__(self, p: schedopt.Problem, averaging: str = "pairs"):
        self.p = p
        self.n, self.m = p.n_jobs, p.n_machines
        self.edges = [(int(i), int(j), int(lag)) for i, j, lag in p.precedence]
        self.succ = [[] for _ in range(self.n)]
        self.pred = [[] for _ in range(self.n)]
        for e, (i, j, _) in enumerate(self.edges):
            self.succ[i].append((j, e))
            self.pred[j].append((i, e))
        self.allowed = [[m for m in range(self.m) if p.allowed[j, m]] for j in range(self.n)]
        self.topo = self._topo()
        self.pos = {j: k for k, j in enumerate(self.topo)}
        self.wbar = [sum(self.w(j, m) for m in self.allowed[j]) / len(self.allowed[j]) for j in range(self.n)]
        pairs = [(a, b) for a in range(self.m) for b in range(self.m) if a != b]
        self.cbar = []
        for e, (_, _, lag) in enumerate(self.edges):
            c = sum(self.comm(e, a, b) for a, b in pairs) / len(pairs) if pairs else 0.0
            if averaging == "saga":
                c *= (self.m - 1) / (self.m + 1)
            self.cbar.append(lag + c)

    def w(self, j: int, m: int) -> int:
        return self.p.duration_on(j, m)

    def comm(self, e: int, a: int, b: int) -> int:
        """Delay of edge ``e`` between machines ``a`` and ``b``, without the lag."""
        if a == b:
            return 0
        node = self.p.machine_node
        return int(self.p.edge_delays(e)[node[a], node[b]])

    def _topo(self) -> list[int]:
        indeg = [len(self.pred[j]) for j in range(self.n)]
        ready = [j for j in range(self.n) if not indeg[j]]
        heapq.heapify(ready)
        out = []
        while ready:
            j = heapq.heappop(ready)
            out.append(j)
            for k, _ in self.succ[j]:
                indeg[k] -= 1
                if not indeg[k]:
                    heapq.heappush(ready, k)
        return out

    def rank_u(self) -> list[float]:
        r = [0.0] * self.n
        for i in reversed(self.topo):
            r[i] = self.wbar[i] + max((self.cbar[e] + r[k] for k, e in self.succ[i]), default=0.0)
        return r

    def rank_d(self) -> list[float]:
        r = [0.0] * self.n
        for i in self.topo:
            r[i] = max((r[p] + self.wbar[p] + self.cbar[e] for p, e in self.pred[i]), default=0.0)
        return r

    def oct(self) -> list[list[float]]:
        t = [[0.0] * self.m for _ in range(self.n)]
        for i in reversed(self.topo):
            for k in range(self.m):
                t[i][k] = max(
                    (
                        min(
                            t[j][w] + self.w(j, w) + self.edges[e][2] + self.comm(e, k, w)
                            for w in self.allowed[j]
                        )
                        for j, e in self.succ[i]
                    ),
                    default=0.0,
                )
        return t

    def schedule(self, prio, fixed=None, look=None) -> tuple[list[int], list[int]]:
        """Ready list by (-prio, topological position); machine by (EFT + look, EFT, index)."""
        start, end, mach = [None] * self.n, [None] * self.n, [None] * self.n
        busy: list[list[tuple[int, int]]] = [[] for _ in range(self.m)]
        waiting = [len(self.pred[j]) for j in range(self.n)]
        ready = [(-_r(prio[j]), self.pos[j], j) for j in range(self.n) if not waiting[j]]
        heapq.heapify(ready)
        while ready:
            *_, j = heapq.heappop(ready)
            machines = self.allowed[j]
            if fixed is not None and fixed[j] in machines:
                machines = [fixed[j]]
            best = None
            for m in machines:
                d = self.w(j, m)
                t0 = max(
                    [int(self.p.release[j])]
                    + [end[p] + self.edges[e][2] + self.comm(e, mach[p], m) for p, e in self.pred[j]]
                )
                if d == 0:
                    s = t0
                else:
                    s = min(
                        t
                        for t in [t0] + [b for _, b in busy[m] if b >= t0]
                        if all(t + d <= a or t >= b for a, b in busy[m])
                    )
                cand = (s + d + (look[j][m] if look is not None else 0.0), s + d, m, s)
                if best is None or cand[:3] < best[:3]:
                    best = cand
            _, end[j], mach[j], start[j] = best
            if end[j] > start[j]:
                busy[mach[j]].append((start[j], end[j]))
            for k, _ in self.succ[j]:
                waiting[k] -= 1
                if not waiting[k]:
                    heapq.heappush(ready, (-_r(prio[k]), self.pos[k], k))
        return start, mach

    def heft(self):
        return self.schedule(self.rank_u())

    def cpop(self):
        ru, rd = self.rank_u(), self.rank_d()
        prio = [a + b for a, b in zip(ru, rd)]
        entries = [j for j in range(self.n) if not self.pred[j]]
        k = max(entries, key=lambda j: (_r(prio[j]), -j))
        cp = [k]
        while self.succ[k]:
            k = max((j for j, _ in self.succ[k]), key=lambda j: (_r(prio[j]), -j))
            cp.append(k)

        def cost(m):
            bad = sum(m not in self.allowed[j] for j in cp)
            return (bad, sum(self.w(j, m) for j in cp if m in self.allowed[j]), m)

        pcp = min(range(self.m), key=cost)
        fixed = [pcp if j in cp else -1 for j in range(self.n)]
        return self.schedule(prio, fixed=fixed)

    def peft(self):
        t = self.oct()
        rank = [sum(t[j][m] for m in self.allowed[j]) / len(self.allowed[j]) for j in range(self.n)]
        return self.schedule(rank, look=t)


def _same(problem, out, ref) -> bool:
    start, mach = ref
    return list(out.schedule.start) == start and list(out.schedule.machine) == mach


# ----------------------------------------------------------------------------------------------
# The paper's example
# ----------------------------------------------------------------------------------------------


def test_topcuoglu_figure_2_ranks_and_makespan():
    """Topcuoglu, Hariri & Wu (2002), Fig. 2: upward ranks and HEFT's makespan 80."""
    p = schedopt.read(require_data(*TOPCUOGLU))
    assert heft_ranks(p) == pytest.approx(
        [108, 77, 80, 80, 69, 63.333, 42.667, 35.667, 44.333, 14.667], abs=1e-3
    )
    r = schedopt.solve(p, method="heft")
    assert r.objective == 80 and check(p, r.schedule) == []
    exact = schedopt.solve(p, method="cpsat", time_limit=30, workers=1)
    assert exact.status == "optimal" and exact.objective <= 80 and check(p, exact.schedule) == []


def test_topcuoglu_cpop_and_peft():
    """CPOP gives the paper's 86 (CP = n1, n2, n9, n10 on P2); PEFT 85, as the reference computes."""
    p = schedopt.read(require_data(*TOPCUOGLU))
    ref = Ref(p)
    _, rd, prio = cpop_priorities(p)
    assert rd == pytest.approx(ref.rank_d()) and rd[[0, 9]] == pytest.approx([0, 93.333], abs=1e-3)
    assert prio[[0, 1, 8, 9]] == pytest.approx([108] * 4)  # the critical path n1 -> n2 -> n9 -> n10
    cpop = schedopt.solve(p, method="cpop")
    assert cpop.objective == 86 and check(p, cpop.schedule) == []
    assert set(cpop.schedule.machine[[0, 1, 8, 9]]) == {1}
    assert _same(p, solve_cpop(p), ref.cpop())
    table = optimistic_cost_table(p)
    assert table == pytest.approx(np.array(ref.oct()))
    assert table[9] == pytest.approx([0, 0, 0]) and table[6] == pytest.approx([21, 7, 16])
    assert table[0] == pytest.approx([48, 38, 53])
    peft = schedopt.solve(p, method="peft")
    assert peft.objective == 85 and check(p, peft.schedule) == []
    assert _same(p, solve_peft(p), ref.peft())
    assert peft_ranks(p)[0] == pytest.approx(139 / 3)


# ----------------------------------------------------------------------------------------------
# Random tiny problems
# ----------------------------------------------------------------------------------------------


SOLVERS = {"heft": solve_heft, "cpop": solve_cpop, "peft": solve_peft}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_problems())
def test_kernels_agree_with_the_reference(problem):
    ref = Ref(problem)
    assert heft_ranks(problem) == pytest.approx(ref.rank_u())
    assert cpop_priorities(problem)[1] == pytest.approx(ref.rank_d())
    assert optimistic_cost_table(problem) == pytest.approx(np.array(ref.oct()))
    for name, f in SOLVERS.items():
        out = f(problem)
        assert check(problem, out.schedule) == [], name
        assert _same(problem, out, getattr(ref, name)()), name


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_problems())
def test_list_schedules_are_feasible_and_never_beat_the_optimum(problem):
    exact = schedopt.solve(problem, method="cpsat", time_limit=5, workers=1)
    assert exact.status == "optimal"
    for name in SOLVERS:
        r = schedopt.solve(problem, method=name)
        assert r.schedule is not None and check(problem, r.schedule) == [], name
        assert r.objective >= exact.objective, name


def test_insertion_eft_is_heft_placement_on_a_static_order():
    """The original kernel entry point still places a topological order as before."""
    p = dag([[2, 3], [3, 1], [2, 2], [1, 1]], [(0, 1, 4), (0, 2, 1), (1, 3, 2), (2, 3, 1)])
    a = prepare(p)
    order = np.argsort(-heft_ranks(p), kind="stable").astype(np.int64)
    start, _, machine = K.insertion_eft(
        order, a.pred_ptr, a.pred_idx, a.pred_edge, a.dur, a.release, a.comm, a.node, a.extra
    )
    out = solve_heft(p)
    assert list(start) == list(out.schedule.start) and list(machine) == list(out.schedule.machine)
    assert check(p, out.schedule) == []


def test_release_dates_and_eligibility_are_honoured():
    # task 1 may only use machine 1 and is released at 10; task 2 is fastest on machine 0
    p = dag([[3, 3], [1, 1], [1, 5]], [(0, 1, 2), (0, 2, 2)], release=[0, 10, 0],
            eligible=[[1, 1], [0, 1], [1, 1]])  # fmt: skip
    for name in SOLVERS:
        r = schedopt.solve(p, method=name)
        assert check(p, r.schedule) == [] and r.schedule.machine[1] == 1 and r.schedule.start[1] >= 10


# ----------------------------------------------------------------------------------------------
# saga's averaging and the anrg-saga package
# ----------------------------------------------------------------------------------------------


def test_saga_averaging_scales_communication_by_m_minus_1_over_m_plus_1():
    costs = [[4, 6, 5], [3, 3, 9], [8, 2, 2], [5, 5, 5], [1, 7, 4]]
    edges = [(0, 1, 8), (0, 2, 4), (1, 3, 6), (2, 3, 10), (3, 4, 2), (2, 4, 12)]
    p = dag(costs, edges)  # 3 machines: saga's factor is (3 - 1) / (3 + 1) = 1/2
    half = dag(costs, [(i, j, c // 2) for i, j, c in edges])
    assert heft_ranks(p, "saga") == pytest.approx(heft_ranks(half))
    assert heft_ranks(p, "saga") != pytest.approx(heft_ranks(p))
    _, cbar = mean_costs(prepare(p), "saga")
    assert cbar == pytest.approx(np.array([c for *_, c in edges]) / 2)
    # with pair-dependent delays on 4 machines (factor 3/5), against the reference's pair average
    q = dag(
        costs,
        edges,
        machine_type=[0, 1, 2, 2],
        machine_node=[0, 0, 1, 1],
        data_size=[3.0, 0, 5, 1, 9, 2],
        comm_latency=[[0, 2], [2, 1]],
        comm_bandwidth=[[8.0, 1.0], [1.0, 2.0]],
    )
    pairs, saga = mean_costs(prepare(q))[1], mean_costs(prepare(q), "saga")[1]
    assert pairs == pytest.approx(Ref(q).cbar) and saga == pytest.approx(pairs * 3 / 5)
    assert heft_ranks(q, "saga") == pytest.approx(Ref(q, "saga").rank_u())
    for f in (solve_heft, solve_cpop):
        assert check(q, f(q, averaging="saga").schedule) == []


def test_unknown_option_values_are_refused_by_name():
    p = dag([[1, 2], [2, 1]], [(0, 1, 1)])
    with pytest.raises(OptionError, match="averaging='mean'.*'pairs', 'saga'"):
        schedopt.solve(p, method="heft", averaging="mean")
    with pytest.raises(OptionError, match="averaging"):
        solve_cpop(p, averaging="Saga")
    with pytest.raises(OptionError, match="oct_comm"):
        solve_peft(p, oct_comm="saga")


def _saga_instance(rng: np.random.Generator, n: int, m: int):
    """A related-machine instance with one entry and one exit, integer times: (saga, schedopt) pair."""
    from saga import Network, TaskGraph

    speeds = rng.choice([1, 2, 4], size=m)
    cost = 4 * rng.integers(1, 11, size=n)
    edges = [(i, j, int(rng.integers(0, 13))) for j in range(1, n) for i in range(j) if rng.random() < 0.3]
    has_pred, has_succ = {j for _, j, _ in edges}, {i for i, _, _ in edges}
    edges += [(0, j, int(rng.integers(0, 13))) for j in range(1, n) if j not in has_pred]
    edges += [(i, n - 1, int(rng.integers(0, 13))) for i in range(n - 1) if i not in has_succ]
    net = Network.create(
        [(f"p{k}", float(s)) for k, s in enumerate(speeds)],
        [(f"p{a}", f"p{b}", 1.0) for a in range(m) for b in range(a + 1, m)],
    )
    tg = TaskGraph.create(
        [(str(j), float(c)) for j, c in enumerate(cost)], [(str(i), str(j), float(c)) for i, j, c in edges]
    )
    # machines in the order saga iterates over its nodes, so EFT ties go the same way
    order = [int(node.name[1:]) for node in net.nodes]
    problem = dag([[int(c) // int(speeds[k]) for k in order] for c in cost], edges)
    return net, tg, problem


def test_saga_makespans_match_with_saga_averaging():
    """Same makespans as anrg-saga's HEFT and CPoP on related machines (HEFT: when no rank tie decides)."""
    pytest.importorskip("saga")
    from saga.schedulers.cpop import CpopScheduler
    from saga.schedulers.heft import HeftScheduler

    logging.getLogger().setLevel(logging.ERROR)  # saga warns about added super sources
    rng = np.random.default_rng(7)
    compared = 0
    for _ in range(25):
        net, tg, p = _saga_instance(rng, int(rng.integers(5, 13)), int(rng.integers(2, 5)))
        assert (
            solve_cpop(p, averaging="saga").schedule.end.max() == CpopScheduler().schedule(net, tg).makespan
        )
        rank = np.round(heft_ranks(p, "saga"), 9)
        if len(np.unique(rank)) < len(rank):
            continue  # saga breaks rank ties by its own (hash-ordered) topological sort
        compared += 1
        assert (
            solve_heft(p, averaging="saga").schedule.end.max() == HeftScheduler().schedule(net, tg).makespan
        )
    assert compared >= 8
