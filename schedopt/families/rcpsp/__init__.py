"""Resource-constrained project scheduling (RCPSP) and its R-ConstraintBench extensions.

The family declaration :data:`FAMILY` names the builders (:func:`.model.rcpsp`),
the PSPLIB ``.sm`` and Patterson ``.rcp`` readers (:mod:`.io`), the methods
``sgs``, ``ga`` (:mod:`.heuristics`) and ``mip`` (:mod:`.mip`), the CP-SAT
strengthening of ``method="cpsat"`` (:mod:`.exact`; the time-indexed decision
model is :mod:`.timeindexed`, walked by :mod:`.prover`), the bench suites
(:mod:`.suites`) and the warm-up problems (:mod:`.warmup`). Everything heavy
is referenced by name and imported on first use.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ...registry import Family, Method, Reader, WarmUp, Writer
from .model import is_rcpsp, rcpsp


def _sniff_psplib(path: Path, head: str) -> bool:
    return path.suffix.lower() == ".sm" or ("PRECEDENCE RELATIONS:" in head and "REQUESTS/DURATIONS:" in head)


def _sniff_patterson(path: Path, head: str) -> bool:
    return path.suffix.lower() == ".rcp"


FAMILY = Family(
    name="rcpsp",
    description="resource-constrained project scheduling (PSPLIB, Patterson; downtime, windows, disjunctive)",
    builders={
        "rcpsp": "schedopt.families.rcpsp.model:rcpsp",
        "rcpsp_lower_bound": "schedopt.families.rcpsp.bounds:rcpsp_lower_bound",
        "generate_rcpsp": "schedopt.families.rcpsp.suites:generate_rcpsp",
    },
    readers=(
        Reader("psplib", "schedopt.families.rcpsp.io:read_psplib", _sniff_psplib),
        Reader("patterson", "schedopt.families.rcpsp.io:read_patterson", _sniff_patterson),
    ),
    writers=(Writer("psplib", (".sm",), "schedopt.families.rcpsp.io:write_psplib"),),
    methods=(
        Method(
            "sgs",
            "schedopt.families.rcpsp.heuristics:solve_sgs",
            applies=is_rcpsp,
            description="priority rules + regret-biased sampling, serial/parallel SGS, justification",
            priority=2,
        ),
        Method(
            "ga",
            "schedopt.families.rcpsp.heuristics:solve_ga",
            applies=is_rcpsp,
            description="activity-list GA (bi-population, Debels & Vanhoucke 2005; Hartmann 1998)",
            priority=3,
        ),
        Method(
            "mip",
            "schedopt.families.rcpsp.mip:solve_mip",
            applies=is_rcpsp,
            exact=True,
            description="time-indexed MIP (Pritsker 1969, disaggregated precedence) via PuLP + HiGHS/CBC",
            priority=1,
        ),
    ),
    cpsat="schedopt.families.rcpsp.exact:STRENGTHENING",
    lower_bound="schedopt.families.rcpsp.bounds:rcpsp_lower_bound",
    recognise=is_rcpsp,
    kernels=("schedopt.families.rcpsp._kernels",),
    suites="schedopt.families.rcpsp.suites:SUITES",
    warmups=(
        WarmUp(
            "rcpsp",
            "schedopt.families.rcpsp.warmup:tiny_rcpsp",
            {"sgs": {"max_schedules": 40}, "ga": {"max_schedules": 120, "population": 8}},
        ),
        WarmUp(
            "rcpsp-plain",
            "schedopt.families.rcpsp.warmup:tiny_plain_rcpsp",
            {
                "sgs": {"max_schedules": 40},
                "ga": {"max_schedules": 400, "population": 8, "variant": "bipop", "restart": 1, "peak": 0.5},
            },
        ),
    ),
)

_LAZY = {
    "TimeIndexedProver": "prover",
    "decide_makespan": "timeindexed",
    "time_windows": "timeindexed",
    "energy_bound": "bounds",
    "incompatible_bound": "bounds",
    "rcpsp_lower_bound": "bounds",
    "priority_values": "heuristics",
    "solve_ga": "heuristics",
    "solve_sgs": "heuristics",
}


def __getattr__(name: str) -> Any:
    """The family's algorithms load on first use (numba and OR-Tools stay unloaded until then)."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FAMILY", "is_rcpsp", "rcpsp", *_LAZY]
