"""Heterogeneous DAG scheduling: tasks with precedence and communication on machines of several
types (Topcuoglu, Hariri & Wu 2002), e.g. GPUs of :mod:`schedopt.gpus`.

The family declaration :data:`FAMILY` names the builders (:func:`.model.dag` and the generators of
:mod:`.generators`), the readers of the ``.dag`` format (:mod:`.io`) and of saga/DAGBench
``graph.json`` (:mod:`.saga_json`), the list schedulers ``heft``, ``cpop`` and ``peft``
(:mod:`.heuristics`), the improvement method ``ils`` (:mod:`.improve`), the CP-SAT strengthening
(:mod:`.exact`: warm start from the best heuristic, lower bounds), the metrics (:mod:`.metrics`)
and the bench suites ``dag-santiago-*`` and ``dag-gen-*`` (:mod:`.suites`).
"""

from __future__ import annotations

from ...registry import Family, Method, Reader, WarmUp
from .io import looks_like_dag
from .model import dag, is_dag_problem
from .saga_json import looks_like_saga_json

_H = "schedopt.families.dag.heuristics"


def _tiny() -> object:
    """Four tasks on two machines with a communication delay: every kernel of the family runs."""
    return dag([[2, 3], [3, 1], [2, 2], [1, 1]], [(0, 1, 4), (0, 2, 1), (1, 3, 2), (2, 3, 1)], name="warm-up")


FAMILY = Family(
    name="dag",
    description="heterogeneous DAG scheduling: tasks on typed machines with communication delays",
    builders={
        "dag": "schedopt.families.dag.model:dag",
        "topcuoglu_dag": "schedopt.families.dag.generators:topcuoglu_dag",
        "dag_stream": "schedopt.families.dag.generators:dag_stream",
        **{
            f"dag_{shape}": f"schedopt.families.dag.generators:{shape}"
            for shape in ("gaussian_elimination", "fft", "montage_like", "in_tree", "out_tree", "chains")
        },
    },
    readers=(
        Reader("dag", "schedopt.families.dag.io:read_dag", looks_like_dag),
        Reader("saga-json", "schedopt.families.dag.saga_json:read_saga_json", looks_like_saga_json),
    ),
    methods=(
        Method(
            "heft",
            f"{_H}:solve_heft",
            applies=is_dag_problem,
            description="HEFT: upward ranks, insertion-based earliest finish time (Topcuoglu et al. 2002)",
            priority=2,
        ),
        Method(
            "cpop",
            f"{_H}:solve_cpop",
            applies=is_dag_problem,
            description="CPOP: critical path on one processor, the rest by EFT (Topcuoglu et al. 2002)",
            priority=1,
        ),
        Method(
            "peft",
            f"{_H}:solve_peft",
            applies=is_dag_problem,
            description="PEFT: optimistic cost table lookahead (Arabnejad & Barbosa 2014)",
            priority=2,
        ),
        Method(
            "ils",
            "schedopt.families.dag.improve:solve_ils",
            applies=is_dag_problem,
            description="iterated local search over priorities and machines, from the best list schedule",
            priority=3,
        ),
    ),
    cpsat="schedopt.families.dag.exact:STRENGTHENING",
    suites="schedopt.families.dag.suites:SUITES",
    warmups=(WarmUp("dag", _tiny, {"heft": {}, "cpop": {}, "peft": {}, "ils": {"iterations": 20}}),),
    evaluator="schedopt.families.dag.metrics:evaluate",
    lower_bound="schedopt.families.dag.exact:lower_bound",
    kernels=("schedopt.families.dag._kernels", "schedopt.families.dag._search_kernels"),
)

__all__ = ["FAMILY", "dag", "is_dag_problem"]
