"""Numba kernel of the serving engine: a run of identical decode-only steps.

Between two events (an arrival, an admission round, a request finishing, a block the cache
cannot give) every step of the engine is a decode step of the same batch, each request growing
by one token. :func:`decode_run` advances such a run in one call and updates the batch in
place, so the Python engine pays per event, not per step.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Rows of the engine's integer and float batch arrays (see schedopt.serving.engine._Batch).
HELD, GENERATED, OUTPUT, PREFILL, BLOCKS, EVICTIONS, MAX_NEW = 0, 1, 2, 3, 4, 5, 6
ADMITTED, FIRST, LAST, GAP = 0, 1, 2, 3
# Rows of the step trace.
T_START, T_DURATION, T_USED, T_RUNNING, T_WAITING, T_PREFILL, T_DECODE, T_PEAK = 0, 1, 2, 3, 4, 5, 6, 7


@njit(cache=True)
def decode_step_time(coef: np.ndarray, n: int, context: float) -> float:
    """``c0 + max(c1 + c2 n + c3 S, c4 + c5 n + c6 S)`` for ``n`` decodes of total context ``S``."""
    a = coef[1] + coef[2] * n + coef[3] * context
    b = coef[4] + coef[5] * n + coef[6] * context
    return coef[0] + (a if a > b else b)


@njit(cache=True)
def decode_run(
    ints: np.ndarray,
    floats: np.ndarray,
    n: int,
    coef: np.ndarray,
    limits: np.ndarray,
    trace: np.ndarray,
    position: int,
) -> int:
    """Advance decode-only steps of the batch ``ints[:, :n]``/``floats[:, :n]`` in place.

    Parameters
    ----------
    ints, floats
        The running batch (rows ``HELD, GENERATED, OUTPUT, ... `` and ``ADMITTED, FIRST, LAST, GAP``);
        every request is decoding (no prefill left).
    n
        Requests in the batch.
    coef
        The cost model's decode coefficients
        (:meth:`schedopt.serving.policies.CostModel.decode_coefficients`).
    limits
        ``(t_start, t_stop, max_steps, block_size, capacity_blocks, waiting)``: the run starts at
        ``t_start``; no step but the first may *start* at or after ``t_stop`` (an arrival the
        engine must see); at most ``max_steps`` steps (an admission round due, the trace buffer).
    trace, position
        Step rows are written to ``trace[:, position:position + k]`` (when ``trace`` has columns).

    Returns
    -------
    int
        Steps taken, ``k >= 0``. In step ``j`` each request holds ``ceil((held + j + 1) / B)``
        blocks (its new token included); the run stops before a step whose blocks exceed the
        capacity (``k = 0``: the engine must preempt), and after the first step in which a request
        generates its last token. Afterwards held, generated, blocks, last-token times and gaps
        are updated as if the steps had been taken one by one.
    """
    t = limits[0]
    t_stop = limits[1]
    max_steps = int(limits[2])
    block_size = int(limits[3])
    capacity = int(limits[4])
    record = trace.shape[1] > 0
    shortest = 1 << 62
    context = 0.0
    for i in range(n):
        left = ints[OUTPUT, i] - ints[GENERATED, i]
        if left < shortest:
            shortest = left
        context += ints[HELD, i]
    k = 0
    longest = 0.0
    first = 0.0
    while k < max_steps:
        if k > 0 and t >= t_stop:
            break
        used = 0
        for i in range(n):
            used += (ints[HELD, i] + k + 1 + block_size - 1) // block_size
        if used > capacity:
            break
        d = decode_step_time(coef, n, context + n * k)
        if record:
            p = position + k
            trace[T_START, p] = t
            trace[T_DURATION, p] = d
            trace[T_USED, p] = used
            trace[T_RUNNING, p] = n
            trace[T_WAITING, p] = limits[5]
            trace[T_PREFILL, p] = 0.0
            trace[T_DECODE, p] = n
            trace[T_PEAK, p] = np.nan
        if k == 0:
            first = d
        if d > longest:
            longest = d
        t += d
        k += 1
        if k >= shortest:
            break
    if k == 0:
        return 0
    t0 = limits[0]
    for i in range(n):
        gap = t0 + first - floats[LAST, i]
        if longest > gap:
            gap = longest
        if gap > floats[GAP, i]:
            floats[GAP, i] = gap
        floats[LAST, i] = t
        ints[HELD, i] += k
        ints[GENERATED, i] += k
        ints[BLOCKS, i] = (ints[HELD, i] + block_size - 1) // block_size
    return k


@njit(cache=True)
def compose_step(ints: np.ndarray, n: int, settings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The work of one step of the batch ``ints[:, :n]``.

    ``settings = (chunked_prefill, max_batched_tokens, block_size)``. With chunked prefill the
    decoding requests (no prefill left) take one token each, in admission order while the budget
    lasts, and prefilling requests, in admission order, take chunks of what remains; without it,
    a batch with prefill work runs whole prompts only (the first always, then those that fit the
    budget in order) and no decodes, and a batch without runs the decodes that fit the budget.

    Returns
    -------
    tuple
        ``(chunk, decoding, need)``: each request's prefill tokens this step, whether it decodes,
        and the blocks it needs during the step (``ceil((held + 1) / B)`` when decoding, else its
        current blocks).
    """
    chunked = settings[0] != 0
    budget = settings[1]
    block_size = settings[2]
    chunk = np.zeros(n, np.int64)
    decoding = np.zeros(n, np.bool_)
    need = np.zeros(n, np.int64)
    any_prefill = False
    for i in range(n):
        if ints[PREFILL, i] > 0:
            any_prefill = True
    if chunked or not any_prefill:
        for i in range(n):  # decodes first, in admission order, while the budget lasts
            if ints[PREFILL, i] == 0 and budget > 0:
                decoding[i] = True
                budget -= 1
        if chunked:
            for i in range(n):
                if ints[PREFILL, i] > 0 and budget > 0:
                    take = min(ints[PREFILL, i], budget)
                    chunk[i] = take
                    budget -= take
    else:
        first = True
        for i in range(n):
            left = ints[PREFILL, i]
            if left == 0:
                continue
            if first or left <= budget:
                chunk[i] = left
                budget -= left
                first = False
            else:
                break
    for i in range(n):
        if decoding[i]:
            need[i] = (ints[HELD, i] + 1 + block_size - 1) // block_size
        else:
            need[i] = ints[BLOCKS, i]
    return chunk, decoding, need


@njit(cache=True)
def apply_step(ints: np.ndarray, floats: np.ndarray, n: int, chunk: np.ndarray, decoding: np.ndarray,
               end: float) -> None:  # fmt: skip
    """Book one step that ended at ``end``: prefill progress, and one token for every decoding
    request and every request whose prefill completed (first-token time, gaps, held, generated)."""
    for i in range(n):
        emit = decoding[i]
        if chunk[i] > 0:
            ints[PREFILL, i] -= chunk[i]
            emit = ints[PREFILL, i] == 0
        if not emit:
            continue
        if np.isnan(floats[FIRST, i]):
            floats[FIRST, i] = end
        else:
            gap = end - floats[LAST, i]
            if gap > floats[GAP, i]:
                floats[GAP, i] = gap
        floats[LAST, i] = end
        ints[GENERATED, i] += 1
        ints[HELD, i] += 1
