"""``schedopt.read`` / ``schedopt.write``: dispatch on file format."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ParseError
from ..model import Problem
from ..result import Result
from ..schedule import Schedule

Reader = Callable[..., Any]
_READERS: dict[str, Reader] = {}
_SNIFFERS: list[tuple[Callable[[Path], bool], str]] = []


def register_reader(fmt: str, reader: Reader, sniff: Callable[[Path], bool] | None = None) -> None:
    """Register ``reader(path, **kwargs)`` for format ``fmt``; ``sniff(path)`` claims files."""
    _READERS[fmt] = reader
    if sniff is not None:
        _SNIFFERS.append((sniff, fmt))


def _detect(path: Path) -> str:
    for sniff, fmt in _SNIFFERS:
        if sniff(path):
            return fmt
    known = ", ".join(sorted(_READERS))
    raise ParseError(f"cannot tell the file format from the name; pass format= (one of {known})", path)


def read(path: str | Path, format: str | None = None, **kwargs: Any) -> Any:
    """Read a problem (or a list of problems) from ``path``.

    Parameters
    ----------
    path
        The file. Formats by name: ``.sm`` PSPLIB, ``.rcp`` Patterson,
        ``.json`` schedopt JSON, ``wt40.txt``/``wt50.txt``/``wt100.txt``
        OR-Library weighted tardiness.
    format
        Force a format (see :func:`register_reader`).
    **kwargs
        Passed to the reader, e.g. ``index=`` for OR-Library files (which hold
        many instances: without ``index`` all are returned as a list).

    Raises
    ------
    ParseError
        A malformed file; the message names the file and line.
    FileNotFoundError
        The file does not exist.
    """
    _load_readers()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    fmt = format or _detect(path)
    try:
        reader = _READERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(sorted(_READERS))}") from None
    return reader(path, **kwargs)


def write(path: str | Path, obj: Problem | Schedule | Result, schedule: Schedule | None = None) -> None:
    """Write a problem, schedule or result.

    ``.sm`` paths get PSPLIB layout (plain RCPSP problems only); everything
    else is written as schedopt JSON.
    """
    if Path(path).suffix.lower() == ".sm" and isinstance(obj, Problem) and schedule is None:
        from .psplib_format import write_psplib

        write_psplib(path, obj)
        return
    from .json_format import write_json

    write_json(path, obj, schedule=schedule)


def read_schedule(path: str | Path) -> Schedule:
    """Read a schedule from schedopt JSON (a schedule, result or problem+schedule file)."""
    from .json_format import read_schedule_json

    return read_schedule_json(Path(path))


_LOADED = False
_LOAD_LOCK = threading.RLock()


def _load_readers() -> None:
    """Register schedopt's own readers (once; thread-safe)."""
    global _LOADED
    if _LOADED:
        return
    with _LOAD_LOCK:
        if not _LOADED:
            _register_builtin_readers()
            _LOADED = True


def _register_builtin_readers() -> None:
    from .. import families  # noqa: F401  (families register their own readers)
    from . import json_format, orlib, psplib_format, smtt_unweighted

    register_reader("psplib", psplib_format.read_psplib, lambda p: p.suffix.lower() == ".sm")
    register_reader("patterson", psplib_format.read_patterson, lambda p: p.suffix.lower() == ".rcp")
    register_reader("json", json_format.read_json, lambda p: p.suffix.lower() == ".json")
    register_reader(
        "orlib-wt",
        orlib.read_orlib_wt,
        lambda p: re.fullmatch(r"wt\d+\.txt", p.name.lower()) is not None,
    )
    register_reader(
        "smtt-unweighted",
        smtt_unweighted.read_smtt_unweighted,
        lambda p: re.fullmatch(r"tt\d+_\w+\.txt", p.name.lower()) is not None,
    )
