"""Hypothesis strategies shared by the DAG family's tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from schedopt.families.dag.model import dag


@st.composite
def dag_problems(
    draw,
    max_n: int = 7,
    *,
    max_cost: int = 6,
    max_comm: int = 5,
    max_machines: int = 3,
    max_release: int = 4,
    lags: bool = True,
):
    """Tiny DAGs on 1-``max_machines`` typed machines: release dates, sometimes two nodes with
    pair communication, sometimes eligibility (every task allowed somewhere), sometimes lags."""
    n = draw(st.integers(2, max_n))
    types = draw(st.integers(1, 3))
    costs = draw(
        st.lists(st.lists(st.integers(0, max_cost), min_size=types, max_size=types), min_size=n, max_size=n)
    )
    edges = [
        (i, j, draw(st.integers(0, max_comm)))
        for i in range(n)
        for j in range(i + 1, n)
        if draw(st.booleans())
    ]
    machines = draw(st.lists(st.integers(0, types - 1), min_size=1, max_size=max_machines))
    release = draw(st.lists(st.integers(0, max_release), min_size=n, max_size=n))
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
    p = dag(costs, edges, machine_type=machines, release=release, **links)
    if lags and len(p.precedence) and draw(st.booleans()):
        prec = p.precedence.copy()
        prec[:, 2] = [draw(st.integers(0, 3)) for _ in range(len(prec))]
        p = p.replace(precedence=prec)
    return p
