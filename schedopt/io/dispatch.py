"""``schedopt.read`` / ``schedopt.write``: dispatch on file format.

The formats come from the registry: the model's own JSON and each family's
readers and writers (:class:`schedopt.registry.Reader`, :class:`~schedopt.registry.Writer`).
A file's format is recognised by the readers' sniffers, which see its name and
its first 4 KiB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ParseError
from ..model import Problem
from ..registry import readers, resolve, writers
from ..result import Result
from ..schedule import Schedule


def _head(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return ""


def detect_format(path: str | Path) -> str | None:
    """The format whose sniffer claims ``path`` first, or ``None``."""
    path = Path(path)
    head = _head(path) if path.is_file() else ""
    for r in readers():
        if r.sniff is not None:
            try:
                if r.sniff(path, head):
                    return r.format
            except Exception:  # a sniffer never decides by raising
                continue
    return None


def read(path: str | Path, format: str | None = None, **kwargs: Any) -> Any:
    """Read a problem (or a list of problems) from ``path``.

    Parameters
    ----------
    path
        The file. Formats are recognised from the name and content: ``.sm``
        PSPLIB, ``.rcp`` Patterson, ``.json`` schedopt JSON,
        ``wt40.txt``/``wt50.txt``/``wt100.txt`` OR-Library weighted tardiness,
        and whatever the installed families add.
    format
        Force a format (see ``schedopt.registry.readers()``).
    **kwargs
        Passed to the reader, e.g. ``index=`` for OR-Library files (which hold
        many instances: without ``index`` all are returned as a list).

    Raises
    ------
    ParseError
        A malformed file, or one whose format is not recognised; the message
        names the file and line.
    FileNotFoundError
        The file does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    known = {r.format: r for r in reversed(readers())}
    fmt = format or detect_format(path)
    if fmt is None:
        raise ParseError(
            "cannot tell the file format from its name or content; "
            f"pass format= (one of {', '.join(sorted(known))})",
            path,
        )
    if fmt not in known:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(sorted(known))}")
    return resolve(known[fmt].read)(path, **kwargs)


def write(path: str | Path, obj: Problem | Schedule | Result, schedule: Schedule | None = None) -> None:
    """Write a problem, schedule or result.

    A problem written to a path whose suffix a family writer claims (``.sm``:
    PSPLIB layout, RCPSP problems only) gets that format; everything else is
    written as schedopt JSON.
    """
    suffix = Path(path).suffix.lower()
    if isinstance(obj, Problem) and schedule is None:
        for w in writers():
            if suffix in w.suffixes and (w.accepts is None or w.accepts(obj)):
                resolve(w.write)(path, obj)
                return
    from .json_format import write_json

    write_json(path, obj, schedule=schedule)


def read_schedule(path: str | Path) -> Schedule:
    """Read a schedule from schedopt JSON (a schedule, result or problem+schedule file)."""
    from .json_format import read_schedule_json

    return read_schedule_json(Path(path))
