"""Improvement methods for 1||ΣwjTj: adjacent interchange, insertion descent, iterated dynasearch.

References
----------
Congram, R. K., Potts, C. N. & van de Velde, S. L. (2002). An iterated dynasearch algorithm for the
  single-machine total weighted tardiness scheduling problem. INFORMS J. Computing 14, 52-67.
Grosso, A., Della Croce, F. & Tadei, R. (2004). An enhanced dynasearch neighborhood for the
  single-machine total weighted tardiness scheduling problem. Oper. Res. Letters 32, 68-72.
"""

from __future__ import annotations

import time

import numpy as np

from ...bounds import trivial_bound
from ...model import Problem
from ...registry import MethodOutput, register_method
from . import _kernels as K
from ._common import arrays, is_smtt, is_unweighted, objective_of, output
from .heuristics import CONSTRUCTIVE, UNWEIGHTED_ONLY

#: default ``time_limit`` of ``method="ils"`` when none is given (seconds).
ILS_DEFAULT_TIME = 1.0


def default_start(problem: Problem) -> str:
    """``"mdd"`` for 1||ΣTj, ``"atc"`` (best of the K grid) for 1||ΣwjTj."""
    return "mdd" if is_unweighted(problem) else "atc"


def _starts(problem: Problem, start: str | list[str] | tuple[str, ...] | None) -> list[str]:
    names = [default_start(problem)] if start is None else [start] if isinstance(start, str) else list(start)
    for s in names:
        if s not in CONSTRUCTIVE:
            raise ValueError(f"unknown start rule {s!r}; known: {', '.join(CONSTRUCTIVE)}")
        if s in UNWEIGHTED_ONLY and not is_unweighted(problem):
            raise ValueError(f"start rule {s!r} applies to 1||ΣTj only")
    return names


def _best_start(problem: Problem, names: list[str]) -> tuple[np.ndarray, str]:
    p, d, w = arrays(problem)
    best, best_name, best_v = None, names[0], None
    for s in names:
        seq = np.asarray(CONSTRUCTIVE[s](p, d, w), dtype=np.int64)
        v = objective_of(seq, p, d, w)
        if best_v is None or v < best_v:
            best, best_name, best_v = seq, s, v
    assert best is not None
    return best.copy(), best_name


def run_interchange(
    problem: Problem, *, time_limit: float | None = None, seed: int = 0, start: str | None = None
) -> MethodOutput:
    """Adjacent pairwise interchange descent from a constructive sequence.

    Sweeps left to right swapping adjacent jobs whenever that strictly lowers
    the objective, until a sweep makes no swap (a Wilkerson-Irwin local
    optimum). ``start``: a constructive rule (default MDD, ATC if weighted).
    """
    names = _starts(problem, start)
    seq, used = _best_start(problem, names)
    p, d, w = arrays(problem)
    moves = int(K.adjacent_descent(seq, p, d, w))
    return output(problem, seq, start=used, moves=moves)


def run_insertion(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    start: str | list[str] | None = None,
) -> MethodOutput:
    """Insertion descent: each job moved to its best position while that strictly improves.

    For each job in turn its best new position is found in O(n) (incremental
    deltas), applied if it improves; passes repeat until none moves. O(n^2)
    per pass. ``start``: a rule name or a list (the best start is descended).
    """
    seq, used = _best_start(problem, _starts(problem, start))
    p, d, w = arrays(problem)
    moves = int(K.insertion_descent(seq, p, d, w))
    return output(problem, seq, start=used, moves=moves)


def run_ils(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    start: str | list[str] | None = None,
    kick: int = 3,
    dynasearch: bool = True,
    window: int | None = None,
    max_iterations: int | None = None,
    chunk: int | None = None,
    target: int | None = None,
) -> MethodOutput:
    """Iterated dynasearch (Congram, Potts & van de Velde, 2002) with insertion descent.

    Local search alternates insertion descent and dynasearch steps (the best
    set of independent swaps, found by dynamic programming) until neither
    improves. Each iteration kicks the current local optimum with ``kick``
    random swaps of jobs at most 10 positions apart, descends again and accepts
    the result if it is no worse (Congram et al. kick with random pairwise
    interchanges too, and accept no worse local optima).

    Deviations from the paper: insertion moves are added to the neighbourhood
    (in the spirit of Grosso, Della Croce & Tadei's enhanced dynasearch; after
    a dynasearch step only the jobs it moved or delayed are re-tried), and the
    run stops at the time limit, after ``max_iterations``, or as soon as the
    objective meets ``target`` or the generic lower bound.

    Parameters
    ----------
    time_limit
        Seconds (default :data:`ILS_DEFAULT_TIME`).
    start
        Constructive rule(s) for the initial sequence (default MDD / ATC grid).
    kick
        Random swaps per kick.
    dynasearch
        Use dynasearch swap steps; ``False`` gives insertion-only ILS.
    window
        Longest swap (in positions) of the dynasearch neighbourhood (default
        ``n``: the paper's full swap neighbourhood; swap gains are bounded in
        O(1) before being evaluated, see :func:`._kernels.dynasearch_pass`).
    max_iterations
        Cap on kicks.
    chunk
        Kicks per compiled call between clock checks (default from n).
    target
        Stop when the objective is at most this (e.g. a known optimum).
    """
    t0 = time.perf_counter()
    limit = ILS_DEFAULT_TIME if time_limit is None else float(time_limit)
    p, d, w = arrays(problem)
    n = problem.n_jobs
    cur, used = _best_start(problem, _starts(problem, start))
    win = (n if window is None else int(window)) if dynasearch else 0
    K.local_optimum(cur, p, d, w, win)
    best = cur.copy()
    stop_at = max(int(trivial_bound(problem)), -1 if target is None else int(target))
    if chunk is None:
        chunk = 1
    iters = 0
    rng = np.random.default_rng(seed)
    while True:
        if objective_of(best, p, d, w) <= stop_at:
            break
        if max_iterations is not None and iters >= max_iterations:
            break
        if time.perf_counter() - t0 >= limit:
            break
        todo = chunk if max_iterations is None else min(chunk, max_iterations - iters)
        # local time check: scale the chunk down if it overshoots
        c0 = time.perf_counter()
        done = int(
            K.ils_chunk(cur, best, p, d, w, int(todo), int(kick), int(rng.integers(2**31 - 1)), win, stop_at)
        )
        iters += done
        spent = time.perf_counter() - c0
        remaining = limit - (time.perf_counter() - t0)
        if done and spent > 0 and remaining > 0:
            per = spent / done
            chunk = int(max(1, min(chunk * 2, remaining / per / 2, 10000)))
        if done < todo:
            break
    return output(problem, best, start=used, iterations=iters, window=win)


register_method(
    "interchange",
    applies=is_smtt,
    exact=False,
    description="adjacent pairwise interchange descent from MDD/ATC",
)(run_interchange)
register_method(
    "insertion",
    applies=is_smtt,
    exact=False,
    description="insertion descent from MDD/ATC (best position per job, repeated)",
)(run_insertion)
register_method(
    "ils",
    applies=is_smtt,
    exact=False,
    description="iterated dynasearch + insertion (Congram, Potts & van de Velde 2002), time-limited",
    priority=1,
)(run_ils)
