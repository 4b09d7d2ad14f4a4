"""CP-SAT strengthening for 1||ΣwjTj (:data:`STRENGTHENING`, declared by the ``smtt`` family).

For single-machine tardiness problems the hook

* tightens every end time to ``sum p``: any schedule with idle time can be
  left-shifted without raising a regular objective, so some optimal schedule
  ends by then;
* caps the objective at the value of an MDD/ATC + insertion descent sequence
  (some optimal schedule satisfies it), and
* gives CP-SAT that sequence as a solution hint (unless the caller passes a
  hint or ``smtt_hint=False``).

Options: ``smtt_hook`` (True: apply the strengthening at all), ``smtt_hint`` (True).

Lower bounds stay valid: only non-optimal schedules are cut.
"""

from __future__ import annotations

from typing import Any

from ...cpsat.compiler import CpSatModel
from ...cpsat.context import CpSatContext, Strengthening
from ...schedule import Schedule
from . import _kernels as K
from ._common import arrays, objective_of
from .heuristics import sequence
from .local_search import default_start
from .model import is_smtt


def smtt_hook(cm: CpSatModel, ctx: CpSatContext) -> None:
    """Add the idle-free horizon, the heuristic cap and (optionally) the hint; see the module doc."""
    problem = cm.problem
    if not is_smtt(problem) or problem.n_jobs == 0 or not ctx.options["smtt_hook"]:
        return
    p, d, w = arrays(problem)
    total = int(p.sum())
    for j in range(problem.n_jobs):
        cm.model.add(cm.end[j] <= total)
    seq = sequence(problem, default_start(problem))
    K.insertion_descent(seq, p, d, w)
    if cm.objective_var is not None:
        cm.model.add(cm.objective_var <= objective_of(seq, p, d, w))
    if ctx.options["smtt_hint"] and ctx.hint is None:
        sched = Schedule.from_sequence(problem, seq)
        for j in range(problem.n_jobs):
            cm.model.add_hint(cm.start[j], int(sched.start[j]))
            cm.model.add_hint(cm.end[j], int(sched.end[j]))


OPTIONS: dict[str, Any] = {"smtt_hook": True, "smtt_hint": True}
"""The options of the single-machine strengthening with their defaults."""

STRENGTHENING = Strengthening(smtt_hook, None, OPTIONS)
"""The ``smtt`` family's CP-SAT strengthening."""
