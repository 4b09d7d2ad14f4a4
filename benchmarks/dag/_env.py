"""The machine and software a DAG benchmark ran on, as one line of ``RESULTS.md``, and timing helpers."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/

from _common import cpu_model, load_avg


def machine_lines(packages: tuple[str, ...] = ("numpy", "numba")) -> list[str]:
    """Markdown bullet lines: date (UTC), CPU, cores, Python and package versions, load average now."""
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in packages)
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"- date: {now}; machine: {cpu_model()}, {os.cpu_count()} cores (shared with other jobs: "
        "figures are wall time); Python " + platform.python_version() + f", {versions}",
        f"- load average (1/5/15 min) when the section was written: {load_avg()}",
    ]


def timings(
    fn: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None
) -> tuple[Any, list[float]]:
    """``(last result, seconds of each call)`` of ``repeat`` calls of ``fn`` (``setup`` untimed first)."""
    times, out = [], None
    for _ in range(max(1, repeat)):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, times


def timed(fn: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None) -> tuple[Any, float]:
    """``(last result, median seconds)`` of ``repeat`` calls of ``fn`` (see :func:`timings`)."""
    out, times = timings(fn, repeat, setup)
    return out, statistics.median(times)


HEADER = """# Heterogeneous DAG benchmarks

Each section is written by its script (between the markers); the figures of a section all come
from the one run and the one file it names.
"""


def ensure_results(path: Path) -> Path:
    """``path`` (a ``RESULTS.md``), created with the title above if it does not exist yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER)
    return path
