"""Numba kernel of the periodic non-preemptive EDF (arrays in, arrays out; see :mod:`.edf`)."""

from __future__ import annotations

import numpy as np
from numba import njit

#: Returned as the missed job when every instance was started in time.
NO_MISS = -1


@njit(cache=True)
def _fits(j, t, task, ptr, res, a, b, live_s, live_e, live_n):
    i = task[j]
    for o in range(ptr[i], ptr[i + 1]):
        r = res[o]
        lo, hi = t + a[o], t + b[o]
        for m in range(live_n[r]):
            if live_s[r, m] < hi and live_e[r, m] > lo:
                return False
    return True


@njit(cache=True)
def _earliest(j, t, task, ptr, res, a, b, live_s, live_e, live_n):
    """Earliest start >= t at which every occupation of job j is free of the live intervals.

    Jump rule: a live interval [x, y) overlapping occupation [t + a, t + b) forces any start
    t' >= t to have t' + a >= y (t' + b > x holds for every t' >= t), so jumping to the largest
    such y - a never skips a feasible start.
    """
    i = task[j]
    while True:
        nt = t
        for o in range(ptr[i], ptr[i + 1]):
            r = res[o]
            lo, hi = t + a[o], t + b[o]
            for m in range(live_n[r]):
                if live_s[r, m] < hi and live_e[r, m] > lo:
                    y = live_e[r, m] - a[o]
                    if y > nt:
                        nt = y
        if nt == t:
            return t
        t = nt


@njit(cache=True)
def edf_kernel(jobs, pattern, n_res, cap):
    """Event-driven non-preemptive EDF over fixed-offset occupation patterns.

    Parameters
    ----------
    jobs
        ``(task, release, deadline, order)`` int64 arrays; ``order`` sorts the jobs by release.
    pattern
        ``(ptr, res, a, b, c)``: task ``i``'s occupations are ``ptr[i]:ptr[i + 1]`` of ``res``
        (resource), ``a``, ``b`` (offsets); ``c`` its execution time.
    n_res, cap
        Number of resources; most live intervals per resource.

    Returns
    -------
    (start, missed, when)
        Start per job (``-1``: not started); the first job found to miss its deadline
        (:data:`NO_MISS` if none) and its earliest possible start then.
    """
    task, release, deadline, order = jobs
    ptr, res, a, b, c = pattern
    n = task.shape[0]
    start = np.full(n, -1, np.int64)
    live_s = np.zeros((n_res, cap), np.int64)
    live_e = np.zeros((n_res, cap), np.int64)
    live_n = np.zeros(n_res, np.int64)
    ready = np.empty(n, np.int64)
    n_ready = 0
    nxt = 0
    done = 0
    big = np.int64(1) << 62
    t = release[order[0]] if n else 0
    while done < n:
        while nxt < n and release[order[nxt]] <= t:
            ready[n_ready] = order[nxt]
            n_ready += 1
            nxt += 1
        if n_ready == 0:
            t = release[order[nxt]]
            continue
        for r in range(n_res):  # drop intervals that ended
            k = 0
            for m in range(live_n[r]):
                if live_e[r, m] > t:
                    live_s[r, k] = live_s[r, m]
                    live_e[r, k] = live_e[r, m]
                    k += 1
            live_n[r] = k
        while n_ready > 0:
            best = -1
            for q in range(n_ready):
                j = ready[q]
                if _fits(j, t, task, ptr, res, a, b, live_s, live_e, live_n):
                    if best < 0:
                        best = q
                    else:
                        jb = ready[best]
                        if deadline[j] < deadline[jb] or (
                            deadline[j] == deadline[jb]
                            and (release[j] < release[jb] or (release[j] == release[jb] and j < jb))
                        ):
                            best = q
            if best < 0:
                break
            j = ready[best]
            i = task[j]
            if t + c[i] > deadline[j]:
                return start, j, t
            start[j] = t
            done += 1
            for o in range(ptr[i], ptr[i + 1]):
                r = res[o]
                if live_n[r] >= cap:
                    return start, -2, t  # capacity guard (never expected)
                live_s[r, live_n[r]] = t + a[o]
                live_e[r, live_n[r]] = t + b[o]
                live_n[r] += 1
            ready[best] = ready[n_ready - 1]
            n_ready -= 1
        tn = release[order[nxt]] if nxt < n else big
        for q in range(n_ready):
            j = ready[q]
            e = _earliest(j, t, task, ptr, res, a, b, live_s, live_e, live_n)
            if e + c[task[j]] > deadline[j]:
                return start, j, e
            if e < tn:
                tn = e
        if n_ready == 0 and nxt >= n:
            break
        t = tn
    return start, NO_MISS, 0
