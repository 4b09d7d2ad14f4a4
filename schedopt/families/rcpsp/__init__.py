"""Resource-constrained project scheduling (RCPSP) and its R-ConstraintBench extensions.

Importing this package registers the methods ``sgs``, ``ga`` (heuristics,
:mod:`.heuristics`) and ``mip`` (time-indexed MIP, :mod:`.mip`), and a CP-SAT
hook and finisher (:mod:`.exact`) that strengthen ``method="cpsat"`` on RCPSP
problems; the time-indexed decision model is :mod:`.timeindexed`, and
:mod:`.prover` walks it down beside or after the CP-SAT search.
"""

from . import exact, heuristics, mip, warmup  # noqa: F401  (register methods and hooks)
from .bounds import energy_bound, incompatible_bound, rcpsp_lower_bound
from .heuristics import priority_values, solve_ga, solve_sgs
from .model import is_rcpsp, rcpsp
from .prover import TimeIndexedProver
from .timeindexed import decide_makespan, time_windows

__all__ = [
    "TimeIndexedProver",
    "decide_makespan",
    "energy_bound",
    "incompatible_bound",
    "is_rcpsp",
    "priority_values",
    "rcpsp",
    "rcpsp_lower_bound",
    "solve_ga",
    "solve_sgs",
    "time_windows",
]
