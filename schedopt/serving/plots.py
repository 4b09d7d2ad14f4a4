"""Plots of serving simulations: goodput against load, KV occupancy over time, latency CDFs.

matplotlib is imported inside the functions, so importing :mod:`schedopt.serving` stays fast.
Each function draws on ``ax`` (a new figure when ``None``) and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .metrics import SLA, _record_arrays
from .result import SimResult

#: Per-request figures :func:`plot_latency_cdf` can draw, with their axis labels.
LATENCY_METRICS: dict[str, str] = {
    "ttft": "time to first token (s)",
    "tpot": "time per output token (s)",
    "max_gap": "maximum inter-token gap (s)",
    "latency": "end-to-end latency (s)",
}


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7, 4))
    return ax


def plot_goodput(
    frame: Any, x: str = "load", y: str = "goodput", hue: str | None = "planner", ax: Any = None
) -> Any:
    """Lines of ``y`` against ``x``, one per value of column ``hue`` (one line when ``hue`` is None).

    ``frame`` is a pandas DataFrame, typically :func:`~.metrics.compare` output with ``load`` and
    ``planner`` columns added. Rows with the same ``(hue, x)`` (several seeds) are averaged; lines
    come in the order in which the ``hue`` values first appear, points sorted by ``x``.

    Raises
    ------
    KeyError
        When ``x``, ``y`` or ``hue`` is not a column of ``frame`` (the message lists the columns).
    """
    missing = [c for c in (x, y, hue) if c is not None and c not in frame.columns]
    if missing:
        raise KeyError(f"plot_goodput: no column {missing[0]!r} in the frame; columns: {list(frame.columns)}")
    ax = _axes(ax)
    groups = [(None, frame)] if hue is None else [(h, frame[frame[hue] == h]) for h in frame[hue].unique()]
    for h, sub in groups:
        mean = sub.groupby(x, sort=True)[y].mean()
        ax.plot(mean.index.to_numpy(), mean.to_numpy(), marker="o", label=None if h is None else str(h))
    ax.set_xlabel(x)
    ax.set_ylabel("goodput (tokens/s)" if y == "goodput" else y)
    if hue is not None and len(groups):
        ax.legend(title=hue)
    ax.grid(alpha=0.3)
    return ax


def plot_kv(result: SimResult, ax: Any = None) -> Any:
    """KV blocks in use over capacity against time, with the recorded future peaks.

    Draws three lines: ``used_blocks / capacity_blocks`` as a step function over each step
    ``[start, start + duration)``; the points ``peak_tokens / capacity_tokens`` at the steps that
    recorded a peak (left out when none did); and the capacity (1.0) as a dashed line.
    """
    ax = _axes(ax)
    steps = result.steps
    start = np.asarray(steps.start, np.float64)
    cap_b = max(int(result.capacity_blocks), 1)
    util = np.asarray(steps.used_blocks, np.float64) / cap_b
    if start.size:
        t = np.append(start, start[-1] + float(steps.duration[-1]))
        ax.step(t, np.append(util, util[-1]), where="post", lw=1.0, label="KV used / capacity")
    else:
        ax.step([], [], where="post", lw=1.0, label="KV used / capacity")
    peak = np.asarray(steps.peak_tokens, np.float64)
    if peak.size == start.size:
        mask = ~np.isnan(peak)
        if mask.any():
            cap_t = max(int(result.capacity_tokens), 1)
            ax.plot(start[mask], peak[mask] / cap_t, "o", ms=3, label="future peak / capacity")
    ax.axhline(1.0, color="black", ls="--", lw=0.8, label="capacity")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("fraction of KV capacity")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_latency_cdf(results: Mapping[str, SimResult], metric: str = "ttft", ax: Any = None) -> Any:
    """Empirical CDF of a per-request figure, one step line per named run.

    ``metric`` is one of :data:`LATENCY_METRICS` (``ttft``, ``tpot``, ``max_gap``, ``latency``);
    one-token requests have no TPOT and are left out of the ``tpot`` CDF. A run without finished
    requests still gets its (empty) line, so lines match the mapping's keys one to one.

    Raises
    ------
    ValueError
        For an unknown ``metric`` (the message lists the known ones).
    """
    if metric not in LATENCY_METRICS:
        raise ValueError(f"plot_latency_cdf: unknown metric {metric!r}; known: {sorted(LATENCY_METRICS)}")
    ax = _axes(ax)
    sla = SLA()
    for name, res in results.items():
        a = _record_arrays(res.records, sla)
        v = a["finish"] - a["arrival"] if metric == "latency" else a[metric]
        v = np.sort(v[~np.isnan(v)])
        y = np.arange(1, v.size + 1, dtype=np.float64) / max(v.size, 1)
        ax.step(v, y, where="post", label=str(name))
    ax.set_xlabel(LATENCY_METRICS[metric])
    ax.set_ylabel("fraction of requests")
    ax.set_ylim(0.0, 1.02)
    if results:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax
