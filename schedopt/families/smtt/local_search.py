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

from ...model import Problem
from ...registry import MethodOutput
from . import _kernels as K
from ._common import arrays, objective_of, output
from .heuristics import CONSTRUCTIVE, UNWEIGHTED_ONLY
from .model import is_unweighted

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


def ils_window(n: int) -> int:
    """Default longest dynasearch swap in the re-descents after kicks of ``method="ils"``.

    ``n`` (the full swap neighbourhood) up to :data:`ILS_FULL_WINDOW_MAX_N` jobs, else
    :data:`ILS_LARGE_WINDOW` positions: a full dynasearch step is O(n^2) (Congram, Potts &
    van de Velde 2002), tens of kicks' worth at large n, so the re-descents after kicks use
    short swaps.
    """
    return n if n <= ILS_FULL_WINDOW_MAX_N else ILS_LARGE_WINDOW


#: ``n`` up to which :func:`run_ils` uses the full swap neighbourhood after kicks.
ILS_FULL_WINDOW_MAX_N = 100
#: swap window after kicks above :data:`ILS_FULL_WINDOW_MAX_N` jobs (also the first descent's first stage).
ILS_LARGE_WINDOW = 40
#: seconds per job kept back from ``time_limit`` for building the output (schedule, check) after the search.
ILS_RESERVE_PER_JOB = 5e-6
#: estimated seconds per pair of positions of a full dynasearch step (used before the first one is timed).
ILS_PAIR_SECONDS = 8e-9
#: default ``reflag`` of :func:`run_ils`.
ILS_REFLAG = -1


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
    reflag: int | None = None,
    kick_window: int | None = None,
) -> MethodOutput:
    """Iterated dynasearch (Congram, Potts & van de Velde, 2002) with insertion descent.

    Local search alternates insertion descent and dynasearch steps (the best
    set of independent swaps, found by dynamic programming) until neither
    improves. Each iteration kicks the current local optimum with ``kick``
    random swaps of positions within 10 of one random centre, descends again
    and accepts the result if it is no worse (Congram et al. kick with random
    pairwise interchanges too, and accept no worse local optima). After a kick
    only the jobs between the two positions of a kick swap are re-tried for
    insertion ("don't look bits"), and dynasearch looks only at swaps that meet
    the positions that changed (:func:`._kernels.ils_local`).

    Deviations from the paper: insertion moves are added to the neighbourhood
    (in the spirit of Grosso, Della Croce & Tadei's enhanced dynasearch; after
    a dynasearch step only the jobs it moved or delayed are re-tried), kicks are
    local, the re-descents after kicks use swaps of at most ``kick_window``
    positions, and the run stops at the time limit, after ``max_iterations``,
    or as soon as the objective meets ``target`` or a lower bound
    (:func:`._kernels.tardiness_lower_bound`).

    Time limit: the whole call, construction included, is kept within
    ``time_limit`` minus a small reserve (:data:`ILS_RESERVE_PER_JOB` per job,
    at most a quarter of the limit) for building the output. The first descent
    runs in bounded pieces (:func:`._kernels.descent_step`: about 2e5 insertion
    steps, or one dynasearch step, after which only the swapped jobs are
    re-tried for insertion), first with swaps of at most ``kick_window``
    positions, then with ``window``; a piece starts only if the previous piece
    of its stage (or, before the first, an estimate of :data:`ILS_PAIR_SECONDS`
    per pair) would still end before the deadline. If the deadline comes first,
    the partly descended sequence is returned (``info["converged"]`` is False)
    and no kicks are made. Kicks run in compiled chunks sized to at most a third
    of the remaining time at the measured rate. Not bounded: the constructive
    start (O(n^2) MDD by default; times in ``benchmarks/smtt/RESULTS.md``) and one overrun piece.

    Parameters
    ----------
    time_limit
        Seconds for the whole call (default :data:`ILS_DEFAULT_TIME`).
    start
        Constructive rule(s) for the initial sequence (default MDD / ATC grid).
    kick
        Random swaps per kick.
    dynasearch
        Use dynasearch swap steps; ``False`` gives insertion-only ILS.
    window
        Longest swap (in positions) of the first descent (default ``n``: the
        paper's full swap neighbourhood; swap gains are bounded in O(1) before
        being evaluated, see :func:`._kernels.dynasearch_pass`).
    max_iterations
        Cap on kicks.
    chunk
        Kicks of the first compiled call (default 1; later chunks are sized
        from the measured time per kick).
    target
        Stop when the objective is at most this (e.g. a known optimum).
    reflag
        After a kick, when an insertion move shifts a span of jobs, re-try only
        the jobs within this many positions of either end of the span (default
        :data:`ILS_REFLAG`; negative: the whole span, as in the first descent).
    kick_window
        Longest swap in the re-descents after kicks (default :func:`ils_window`:
        ``n`` up to 100 jobs, else 40), at most ``window``.
    """
    t0 = time.perf_counter()
    limit = ILS_DEFAULT_TIME if time_limit is None else float(time_limit)
    n = problem.n_jobs
    deadline = t0 + limit - min(0.25 * limit, ILS_RESERVE_PER_JOB * n)
    p, d, w = arrays(problem)
    cur, used = _best_start(problem, _starts(problem, start))
    win = (n if window is None else int(window)) if dynasearch else 0
    kwin = min(win, ils_window(n) if kick_window is None else int(kick_window))
    refl = ILS_REFLAG if reflag is None else int(reflag)
    stop_at = max(int(K.tardiness_lower_bound(p, d, w)), -1 if target is None else int(target))
    # first descent in bounded pieces (about 2e5 insertion steps, or one dynasearch step), short swaps
    # first, then the full window; a piece starts only if the last one of its stage would still fit
    budget = max(8, 200_000 // max(1, n))
    flag = np.ones(n, np.bool_)
    stages = [kwin, win] if 0 < kwin < win else [win]
    converged = False
    pieces = 0
    for sw in stages:
        est = ILS_PAIR_SECONDS * n * min(n, sw)
        converged = False
        while True:
            now = time.perf_counter()
            if now + est > deadline:
                break
            pieces += 1
            converged = bool(K.descent_step(cur, p, d, w, flag, sw, budget, True))
            est = time.perf_counter() - now
            if converged:
                break
        if not converged:
            break
    best = cur.copy()
    iters = 0
    if chunk is None:
        chunk = 1
    rng = np.random.default_rng(seed)
    while converged:
        if objective_of(best, p, d, w) <= stop_at:
            break
        if max_iterations is not None and iters >= max_iterations:
            break
        now = time.perf_counter()
        if now >= deadline:
            break
        todo = chunk if max_iterations is None else min(chunk, max_iterations - iters)
        seed_now = int(rng.integers(2**31 - 1))
        params = K.IlsParams(int(todo), int(kick), seed_now, int(kwin), int(stop_at), int(refl))
        done = int(K.ils_local(cur, best, p, d, w, params))
        iters += done
        after = time.perf_counter()
        if done < todo:
            break
        # next chunk: at most a third of the remaining time at the measured rate
        per = (after - now) / max(1, done)
        remaining = deadline - after
        if remaining > 0:
            chunk = int(max(1, min(chunk * 2, remaining / max(per, 1e-7) / 3, 10000)))
    search_time = time.perf_counter() - t0
    return output(
        problem,
        best,
        start=used,
        search_time=search_time,
        iterations=iters,
        window=win,
        kick_window=kwin,
        descent_pieces=pieces,
        converged=converged,
    )
