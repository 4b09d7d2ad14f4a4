"""numba kernels of the admission planners: the future KV peak and the Past-Future sampler.

Gong et al., "Past-Future Scheduler for LLM Serving under SLA Guarantees" (ASPLOS'25,
arXiv 2507.10150); see ``docs/llm_serving.md`` §1.2–1.3.

Convention (the one the tests' step-by-step simulation uses)
------------------------------------------------------------
A running request ``i`` holds ``a_i`` tokens of KV now (prompt + tokens generated so far) and
will generate ``b_i >= 0`` more. With no new admissions, at every step each live request
grows by one token; at step ``t`` (``t = 0`` is now) request ``i`` is live iff ``t <= b_i`` and
holds ``a_i + t`` tokens, i.e. its last token still occupies KV in the step that produces it and
its ``a_i + b_i`` tokens are freed right after. The batch's future peak is

    ``P = max_t sum_{i: b_i >= t} (a_i + t)``  (tokens), or
    ``P_B = max_t sum_{i: b_i >= t} ceil((a_i + t) / B)``  (blocks of ``B`` tokens).

Both are non-decreasing in ``t`` while the live set is constant, so the maximum is reached at
some ``t = b_(k)``; sorting by ``b`` descending (``b_(1) >= b_(2) >= ...``) gives the paper's
closed form ``P = max_k (sum_{j<=k} a_(j) + k * b_(k))`` (ties: the last index of a tie group
sees the whole live set and dominates the others), and ``P_B = max_k sum_{j<=k}
ceil((a_(j) + b_(k)) / B)``, evaluated in ``O(n log n + n log B)`` with a Fenwick tree over the
residues ``a mod B`` (writing ``a = qB + r``, ``b = sB + u``: ``ceil((a + b) / B) = q + s +
[r + u >= 1] + [r + u >= B + 1]``).

Arrays in (int64 / float64), integers or arrays out; no kernel sees a planner object.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def future_peak(held: np.ndarray, remaining: np.ndarray) -> int:
    """Exact future peak of KV tokens, ``max_k (cumsum(a)_k + k * b_(k))`` (docs §1.2).

    ``held`` (``a``) and ``remaining`` (``b``) are int64 arrays of equal length; 0 for an empty batch.
    """
    n = held.shape[0]
    if n == 0:
        return 0
    order = np.argsort(remaining)
    best = 0
    acc = 0
    for k in range(n):
        i = order[n - 1 - k]
        acc += held[i]
        value = acc + (k + 1) * remaining[i]
        if value > best:
            best = value
    return best


@njit(cache=True)
def _fenwick_add(tree: np.ndarray, index: int) -> None:
    """Count one more residue ``index`` (0-based) in the Fenwick tree ``tree`` (size ``B + 1``)."""
    i = index + 1
    while i < tree.shape[0]:
        tree[i] += 1
        i += i & (-i)


@njit(cache=True)
def _fenwick_at_most(tree: np.ndarray, index: int) -> int:
    """How many counted residues are ``<= index`` (``index < 0``: none)."""
    if index < 0:
        return 0
    i = min(index + 1, tree.shape[0] - 1)
    total = 0
    while i > 0:
        total += tree[i]
        i -= i & (-i)
    return total


@njit(cache=True)
def future_peak_blocks(held: np.ndarray, remaining: np.ndarray, block_size: int) -> int:
    """Exact future peak in KV **blocks**, ``max_k sum_{j<=k} ceil((a_(j) + b_(k)) / B)``.

    The block-granular version of :func:`future_peak` (the engine allocates ``ceil(tokens / B)``
    blocks per request); ``block_size = 1`` gives the token peak.
    """
    n = held.shape[0]
    if n == 0:
        return 0
    bs = block_size
    order = np.argsort(remaining)
    tree = np.zeros(bs + 1, np.int64)
    quotients = 0
    best = 0
    for k in range(n):
        i = order[n - 1 - k]
        quotients += held[i] // bs
        _fenwick_add(tree, held[i] % bs)
        live = k + 1
        s = remaining[i] // bs
        u = remaining[i] % bs
        value = quotients + live * s
        if u >= 1:
            # every r + u >= 1; one more block where r + u >= B + 1
            value += live + (live - _fenwick_at_most(tree, bs - u))
        else:
            value += live - _fenwick_at_most(tree, 0)
        if value > best:
            best = value
    return best


@njit(cache=True)
def conditional_total(history_sorted: np.ndarray, generated: int, max_new: int, u: float) -> int:
    """Sample a total output length given that ``generated`` (``d``) tokens are out (docs §1.3).

    The list ``[d] + [min(h, max_new) for h in history if h > d] + [max_new]`` (history sorted
    ascending) is read at the uniform position ``u * (len - 1)`` with linear interpolation between
    neighbours and rounded half up, so ``d <= result <= max_new``. History values ``<= d`` never
    matter (the conditioning on ``L > d``). Values above ``max_new`` are clipped to it (a request
    cannot outgrow its cap). ``d >= max_new`` returns ``d``.
    """
    d = generated
    if d >= max_new:
        return d
    w = history_sorted.shape[0]
    s = np.searchsorted(history_sorted, d, side="right")
    c = w - s
    m = c + 2
    p = u * (m - 1)
    left = int(np.floor(p))
    if left > m - 2:
        left = m - 2
    if left < 0:
        left = 0
    frac = p - left
    lv = _list_value(history_sorted, s, c, d, max_new, left)
    rv = _list_value(history_sorted, s, c, d, max_new, left + 1)
    out = int(np.floor(lv + (rv - lv) * frac + 0.5))
    if out < d:
        out = d
    if out > max_new:
        out = max_new
    return out


@njit(cache=True)
def _list_value(history_sorted: np.ndarray, s: int, c: int, d: int, max_new: int, index: int) -> int:
    """Element ``index`` of ``[d] + clip(history_sorted[s:], max_new) + [max_new]`` (``c`` middle values)."""
    if index == 0:
        return d
    if index <= c:
        h = history_sorted[s + index - 1]
        return h if h < max_new else max_new
    return max_new


@njit(cache=True)
def conditional_totals(
    history_sorted: np.ndarray, generated: np.ndarray, max_new: np.ndarray, uniforms: np.ndarray
) -> np.ndarray:
    """:func:`conditional_total` for each request ``i`` with the uniform ``uniforms[i]``."""
    n = generated.shape[0]
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = conditional_total(history_sorted, generated[i], max_new[i], uniforms[i])
    return out


@njit(cache=True)
def _floor_remaining(b: int, d: int, max_new: int) -> int:
    """A request that is still running (``d < max_new``) has at least one token to come."""
    if d < max_new and b < 1:
        return 1
    if b < 0:
        return 0
    return b


@njit(cache=True)
def candidate_remaining(history_sorted: np.ndarray, candidate: np.ndarray, u: float) -> int:
    """Sampled remaining tokens of the waiting candidate ``(held, generated, max_new)``.

    A new candidate (``generated == 0``) draws one history element uniformly (index
    ``floor(u * len)``), clipped to its ``max_new``; an empty history gives ``max_new``. A
    preempted one (``generated > 0``) uses :func:`conditional_total` (a deviation: the paper's
    code draws an unconditioned history value for every waiting request).
    """
    d = candidate[1]
    m = candidate[2]
    w = history_sorted.shape[0]
    if d == 0:
        if w == 0:
            b = m
        else:
            idx = int(np.floor(u * w))
            if idx > w - 1:
                idx = w - 1
            b = history_sorted[idx]
            if b > m:
                b = m
    else:
        b = conditional_total(history_sorted, d, m, u) - d
    return _floor_remaining(b, d, m)


@njit(cache=True)
def sampled_peaks(
    held: np.ndarray, generated: np.ndarray, max_new: np.ndarray, history_sorted: np.ndarray,
    candidate: np.ndarray, uniforms: np.ndarray, block_size: int, pad: int,
) -> np.ndarray:  # fmt: skip
    """Block peak of each Monte-Carlo copy of the batch with the candidate appended (docs §1.3).

    Copy ``c`` samples running request ``i``'s remaining tokens as
    ``max(conditional_total(history, d_i, max_new_i, uniforms[c, i]) - d_i, 1)`` and the
    candidate's (``candidate = (held, generated, max_new)``) with :func:`candidate_remaining`
    from ``uniforms[c, n]``; ``pad`` tokens are added to every sampled remaining length; its peak
    is :func:`future_peak_blocks`. ``uniforms`` has shape ``(copies, n + 1)``. Returns the
    ``copies`` peaks in blocks.
    """
    n = held.shape[0]
    copies = uniforms.shape[0]
    a = np.empty(n + 1, np.int64)
    b = np.empty(n + 1, np.int64)
    for i in range(n):
        a[i] = held[i]
    a[n] = candidate[0]
    out = np.empty(copies, np.int64)
    for c in range(copies):
        for i in range(n):
            total = conditional_total(history_sorted, generated[i], max_new[i], uniforms[c, i])
            b[i] = _floor_remaining(total - generated[i], generated[i], max_new[i]) + pad
        b[n] = candidate_remaining(history_sorted, candidate, uniforms[c, n]) + pad
        out[c] = future_peak_blocks(a, b, block_size)
    return out
