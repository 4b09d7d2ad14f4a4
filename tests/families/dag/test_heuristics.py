"""HEFT on the heterogeneous DAG family: the paper's example, and soundness on random problems."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import check
from schedopt.families.dag import dag
from schedopt.families.dag.heuristics import heft_ranks
from tests.conftest import require_data


def test_topcuoglu_figure_2_ranks_and_makespan():
    """Topcuoglu, Hariri & Wu (2002), Fig. 2: upward ranks and HEFT's makespan 80."""
    p = schedopt.read(require_data("dags", "santiago_hetero", "Synthetic", "Ilavarasan-3-10.txt"))
    assert heft_ranks(p) == pytest.approx(
        [108, 77, 80, 80, 69, 63.333, 42.667, 35.667, 44.333, 14.667], abs=1e-3
    )
    r = schedopt.solve(p, method="heft")
    assert r.objective == 80 and check(p, r.schedule) == []
    exact = schedopt.solve(p, method="cpsat", time_limit=30, workers=1)
    assert exact.status == "optimal" and exact.objective <= 80 and check(p, exact.schedule) == []


@st.composite
def dag_problems(draw):
    n = draw(st.integers(2, 7))
    types = draw(st.integers(1, 3))
    costs = draw(
        st.lists(st.lists(st.integers(0, 6), min_size=types, max_size=types), min_size=n, max_size=n)
    )
    edges = [
        (i, j, draw(st.integers(0, 5))) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())
    ]
    machines = draw(st.lists(st.integers(0, types - 1), min_size=1, max_size=3))
    release = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    links = {}
    if draw(st.booleans()) and len(machines) > 1:
        nodes = [draw(st.integers(0, 1)) for _ in machines]
        links = {
            "data_size": [float(draw(st.integers(0, 8))) for _ in edges],
            "machine_node": nodes,
            "comm_latency": [[0.5, 1.0], [1.0, 0.5]],
            "comm_bandwidth": [[4.0, 1.0], [1.0, 4.0]],
        }
    if draw(st.booleans()):
        eligible = np.array([[draw(st.booleans()) for _ in machines] for _ in range(n)])
        eligible[np.arange(n), [draw(st.integers(0, len(machines) - 1)) for _ in range(n)]] = True
        links["eligible"] = eligible
    return dag(costs, edges, machine_type=machines, release=release, **links)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_problems())
def test_heft_is_always_feasible_and_never_beats_the_optimum(problem):
    r = schedopt.solve(problem, method="heft")
    assert r.schedule is not None and check(problem, r.schedule) == []
    if problem.n_jobs <= 5:
        exact = schedopt.solve(problem, method="cpsat", time_limit=20, workers=1)
        assert exact.status == "optimal" and exact.objective <= r.objective
