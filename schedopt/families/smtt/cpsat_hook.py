"""CP-SAT strengthening for 1||ΣwjTj through :func:`schedopt.exact.cpsat.register_hook`.

For single-machine tardiness problems the hook

* tightens every end time to ``sum p``: any schedule with idle time can be
  left-shifted without raising a regular objective, so some optimal schedule
  ends by then;
* caps the objective at the value of an MDD/ATC + insertion descent sequence
  (some optimal schedule satisfies it), and
* gives CP-SAT that sequence as a solution hint (unless the caller passes a
  hint or ``smtt_hint=False``).

Lower bounds stay valid: only non-optimal schedules are cut.
"""

from __future__ import annotations

from typing import Any

from ...exact.cpsat import CpSatModel, register_hook
from ...schedule import Schedule
from . import _kernels as K
from ._common import arrays, is_smtt, objective_of
from .heuristics import sequence
from .local_search import default_start


def smtt_hook(cm: CpSatModel, options: dict[str, Any]) -> None:
    """Add the idle-free horizon, the heuristic cap and (optionally) the hint; see the module doc."""
    problem = cm.problem
    if not is_smtt(problem) or problem.n_jobs == 0 or not options.get("smtt_hook", True):
        return
    p, d, w = arrays(problem)
    total = int(p.sum())
    for j in range(problem.n_jobs):
        cm.model.add(cm.end[j] <= total)
    seq = sequence(problem, default_start(problem))
    K.insertion_descent(seq, p, d, w)
    if cm.objective_var is not None:
        cm.model.add(cm.objective_var <= objective_of(seq, p, d, w))
    if options.get("smtt_hint", True) and options.get("_hint") is None and not options.get("_has_hint"):
        sched = Schedule.from_sequence(problem, seq)
        for j in range(problem.n_jobs):
            cm.model.add_hint(cm.start[j], int(sched.start[j]))
            cm.model.add_hint(cm.end[j], int(sched.end[j]))


register_hook(smtt_hook)
