"""What the benchmark scripts share: the machine they ran on (date, CPU, cores, software versions,
load) and their resumable CSV result files.

Benchmark scripts add ``benchmarks/`` to ``sys.path`` and ``from _common import ...``.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any


def now() -> str:
    """The date and time in UTC, to the minute."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def cpu_model() -> str:
    """The CPU model name from ``/proc/cpuinfo`` (else the platform's processor string)."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_avg() -> str:
    """The 1/5/15-minute load averages (the machine may be shared)."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_info(packages: tuple[str, ...] = ("numpy", "numba")) -> str:
    """CPU, cores, Python and package versions, in one line."""
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in packages)
    return f"{cpu_model()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}, {versions}"


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of the CSV ``path`` (none if it does not exist yet)."""
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def append_rows(path: Path, fields: list[str], rows: Sequence[dict[str, Any]]) -> None:
    """Append ``rows`` to the CSV ``path`` (header written when the file is new): a run is kept as
    soon as it is done, so an interrupted benchmark resumes where it stopped."""
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        if new:
            w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k, "") for k in fields})


def append_row(path: Path, fields: list[str], row: dict[str, Any]) -> None:
    """Append one row (see :func:`append_rows`)."""
    append_rows(path, fields, [row])


def mean_span(values: Sequence[float], scale: float = 1.0, nd: int = 1) -> str:
    """``mean (min–max)`` of ``values × scale`` to ``nd`` decimals (the mean alone for one value)."""
    import numpy as np

    v = np.asarray(values, np.float64) * scale

    def f(x: float) -> str:
        return "nan" if x != x else f"{x:.{nd}f}"

    if len(v) <= 1:
        return f(float(v.mean()) if len(v) else float("nan"))
    return f"{f(float(v.mean()))} ({f(float(v.min()))}–{f(float(v.max()))})"
