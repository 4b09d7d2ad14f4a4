"""The machine a benchmark ran on: date, CPU, cores, software versions, load (shared by the scripts).

Benchmark scripts add ``benchmarks/`` to ``sys.path`` and ``from _machine import ...``.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from importlib import metadata


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
