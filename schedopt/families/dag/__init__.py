"""Heterogeneous DAG scheduling: tasks with precedence and communication on machines of several
types (Topcuoglu, Hariri & Wu 2002), e.g. GPUs of :mod:`schedopt.gpus`.

The family declaration :data:`FAMILY` names the builder (:func:`.model.dag`), the reader of the
``.dag`` format (:mod:`.io`) and the method ``heft`` (:mod:`.heuristics`); ``cpsat`` applies to
its problems as to every problem of the model.
"""

from __future__ import annotations

from ...registry import Family, Method, Reader, WarmUp
from .io import looks_like_dag
from .model import dag, is_dag_problem


def _tiny() -> object:
    """Four tasks on two machines with a communication delay: every HEFT kernel runs."""
    return dag([[2, 3], [3, 1], [2, 2], [1, 1]], [(0, 1, 4), (0, 2, 1), (1, 3, 2), (2, 3, 1)], name="warm-up")


FAMILY = Family(
    name="dag",
    description="heterogeneous DAG scheduling: tasks on typed machines with communication delays",
    builders={"dag": "schedopt.families.dag.model:dag"},
    readers=(Reader("dag", "schedopt.families.dag.io:read_dag", looks_like_dag),),
    methods=(
        Method(
            "heft",
            "schedopt.families.dag.heuristics:solve_heft",
            applies=is_dag_problem,
            description="HEFT: upward ranks, insertion-based earliest finish time (Topcuoglu et al. 2002)",
            priority=2,
        ),
    ),
    warmups=(WarmUp("dag", _tiny, {"heft": {}}),),
    kernels=("schedopt.families.dag._kernels",),
)

__all__ = ["FAMILY", "dag", "is_dag_problem"]
