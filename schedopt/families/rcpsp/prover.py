"""Destructive improvement with the time-indexed decision model, alone or beside CP-SAT.

:class:`TimeIndexedProver` walks down from the best known makespan ``UB``:
it asks :func:`.timeindexed.decide_makespan` "is there a schedule of makespan
``<= UB - 1``?"; "infeasible" proves ``UB`` optimal, a schedule becomes the
new best and the walk goes on one unit lower, "unknown" (time limit) ends it.
This is the destructive improvement of Klein & Scholl (1999) run downwards
from the upper bound.

It runs either in the caller's thread after the CP-SAT interval search
(:meth:`TimeIndexedProver.walk`), or as a :class:`schedopt.cpsat.Companion`
in its own thread beside that search, on one of the workers: the search
reports each better makespan (:meth:`improved`), which interrupts a decision
made moot by it; once the prover has proven the search's best optimal it
stops the search.

References
----------
Klein, R. & Scholl, A. (1999). Computing lower bounds by destructive
improvement: an application to resource-constrained project scheduling.
EJOR 112, 322-346.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from ...check import check
from ...model import Problem
from ...schedule import Schedule
from .model import is_rcpsp
from .timeindexed import MAX_TIME_POINTS, decide_makespan, time_points, time_windows


class TimeIndexedProver:
    """Proves a makespan optimal by deciding ``C_max <= UB - 1`` (module docstring).

    Parameters
    ----------
    problem
        An RCPSP with the makespan objective.
    schedule
        A feasible schedule: the first ``UB`` is its makespan.
    bound
        A valid lower bound on the optimal makespan.
    deadline
        ``time.perf_counter()`` value at which to give up (``None``: none).
    workers, seed
        CP-SAT ``num_workers`` and ``random_seed`` of each decision.
    max_literals
        Stop walking when the model at ``UB - 1`` would need more order
        literals than this. The walk also stops when that model would walk more
        than :data:`.timeindexed.MAX_TIME_POINTS` time points (long horizons,
        i.e. large durations), whatever its literal count.

    Raises
    ------
    ValueError
        If ``problem`` is not an RCPSP, ``schedule`` is not a feasible
        schedule of it, or ``workers < 1``.

    Attributes
    ----------
    best : Schedule
        The best schedule the prover knows of (its own or the one it started from).
    best_makespan : int
        The best makespan known, also from :meth:`improved`.
    bound : int
        The best proven lower bound.
    steps : list of dict
        One entry per decision: ``makespan_at_most``, ``status``, ``seconds``.
    """

    def __init__(
        self,
        problem: Problem,
        schedule: Schedule,
        bound: int,
        *,
        deadline: float | None,
        workers: int = 1,
        seed: int = 0,
        max_literals: int | None = None,
    ) -> None:
        _check_arguments(problem, schedule, workers)
        self.problem = problem
        self.best = schedule
        self.best_makespan = int(schedule.makespan)
        self.bound = int(bound)
        self.deadline = deadline
        self.workers = int(workers)
        self.seed = int(seed)
        self.max_literals = max_literals
        self.steps: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._solver: cp_model.CpSolver | None = None
        self._target: int | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._stop_search: Callable[[], None] | None = None
        self._error: BaseException | None = None

    @property
    def proven(self) -> bool:
        """True when the best makespan known is proven optimal."""
        return self.bound >= self.best_makespan

    def walk(self) -> None:
        """Decide ``C_max <= UB - 1`` downwards until a proof, the deadline or a too large model."""
        while not self._done.is_set():
            with self._lock:
                target = self.best_makespan - 1
            if self.bound > target:
                return
            if time_points(self.problem, target) > MAX_TIME_POINTS:
                return  # the model's build walks every time point: too long a horizon (large durations)
            win = time_windows(self.problem, target)
            if self.max_literals is not None and win.n_literals > self.max_literals:
                return
            remaining = None if self.deadline is None else self.deadline - time.perf_counter()
            if remaining is not None and remaining < 0.05:
                return
            with self._lock:
                self._target = target
            d = decide_makespan(
                self.problem,
                target,
                time_limit=remaining,
                workers=self.workers,
                seed=self.seed,
                windows=win,
                on_solver=self._attach,
            )
            with self._lock:
                self._solver, self._target = None, None
                step = {"makespan_at_most": target, "status": d.status, "seconds": round(d.seconds, 3)}
                self.steps.append(step)
                if d.status == "infeasible":
                    self.bound = max(self.bound, target + 1)
                elif d.status == "feasible" and d.schedule is not None:
                    self.best = d.schedule
                    self.best_makespan = min(self.best_makespan, int(d.schedule.makespan))
                elif self.best_makespan > target:  # time limit or stop(), not a better makespan beside us
                    return

    # --- the Companion protocol of schedopt.cpsat -------------------------------------------

    def start(self, stop_search: Callable[[], None]) -> None:
        """Walk in a thread beside the CP-SAT search; stop that search once its best is proven."""
        self._stop_search = stop_search
        self._thread = threading.Thread(target=self._run, name="schedopt-rcpsp-prover", daemon=True)
        self._thread.start()

    def improved(self, objective: int) -> None:
        """The search found makespan ``objective``: interrupt a decision it has made moot."""
        with self._lock:
            if objective >= self.best_makespan:
                return
            self.best_makespan = int(objective)
            if self._solver is not None and self._target is not None and objective <= self._target:
                self._solver.stop_search()

    def stop(self) -> None:
        """The search has ended: interrupt the decision in progress and wait for the thread.

        An exception raised in the thread is raised here.
        """
        self._done.set()
        while self._thread is not None and self._thread.is_alive():
            with self._lock:  # repeated: a stop before CP-SAT has set its search up is lost
                if self._solver is not None:
                    self._solver.stop_search()
            self._thread.join(0.05)
        if self._error is not None:
            raise self._error

    def _attach(self, solver: cp_model.CpSolver) -> None:
        """Keep the decision's solver for interrupts; a decision already moot gets no time."""
        with self._lock:
            self._solver = solver
            if self._done.is_set() or (self._target is not None and self.best_makespan <= self._target):
                solver.parameters.max_time_in_seconds = 0.0

    def _run(self) -> None:
        try:
            self.walk()
        except BaseException as error:  # re-raised by stop() in the caller's thread
            self._error = error
            return
        if self.proven and self._stop_search is not None:
            # the search may not have started its solve yet: repeat until it has ended
            while not self._done.is_set():
                self._stop_search()
                self._done.wait(0.05)


def _check_arguments(problem: Problem, schedule: Schedule, workers: int) -> None:
    """A clear error for arguments the walk cannot start from."""
    name = f" {problem.name!r}" if problem.name else ""
    if not is_rcpsp(problem):
        raise ValueError(
            f"TimeIndexedProver: problem{name} is not an RCPSP (machines or objective {problem.objective!r})"
        )
    if len(schedule.start) != problem.n_jobs:
        raise ValueError(
            f"TimeIndexedProver: schedule has {len(schedule.start)} jobs, problem{name} has {problem.n_jobs}"
        )
    violations = check(problem, schedule)
    if violations:
        raise ValueError(f"TimeIndexedProver: schedule is not feasible for problem{name}: {violations[0]}")
    if int(workers) < 1:
        raise ValueError(f"TimeIndexedProver: workers must be >= 1, got {workers!r}")
