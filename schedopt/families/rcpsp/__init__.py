"""Resource-constrained project scheduling (RCPSP) and its R-ConstraintBench extensions.

Importing this package registers the methods ``sgs``, ``ga`` (heuristics,
:mod:`.heuristics`) and ``mip`` (time-indexed MIP, :mod:`.mip`), and a CP-SAT
hook (:mod:`.exact`) that strengthens ``method="cpsat"`` on RCPSP problems.
"""

from . import exact, heuristics, mip, warmup  # noqa: F401  (register methods and hooks)
from .bounds import energy_bound, incompatible_bound, rcpsp_lower_bound
from .heuristics import priority_values, solve_ga, solve_sgs
from .model import is_rcpsp, rcpsp

__all__ = [
    "energy_bound",
    "incompatible_bound",
    "is_rcpsp",
    "priority_values",
    "rcpsp",
    "rcpsp_lower_bound",
    "solve_ga",
    "solve_sgs",
]
