"""OR-Library single-machine weighted tardiness files (``wt40.txt`` ...).

Each file holds 125 instances back to back as whitespace-separated integers:
for an ``n``-job instance, ``p_1..p_n``, then ``w_1..w_n``, then ``d_1..d_n``.
Value files (``wtopt40.txt``, ``wtbest100b.txt``) hold one objective per instance.

Reference: Beasley, J. E. OR-Library; Crauwels, Potts & Van Wassenhove (1998),
INFORMS Journal on Computing 10, 341-350.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...errors import ParseError, ProblemError
from ...model import NO_TIME, Problem
from .model import single_machine


class InstanceIndexError(ParseError, IndexError):
    """An ``index=`` (``--index``) beyond the instances a multi-instance file holds.

    A :class:`~schedopt.errors.ParseError` (so a ``ValueError``: the CLI prints
    one ``error:`` line) and, for callers written against earlier versions, an
    ``IndexError``. The message names the file, the index and the instance count.
    """

    def __init__(self, path: str | Path, index: int, count: int, note: str = ""):
        self.index = index
        self.count = count
        holds = "no instances" if count == 0 else f"{count} instance{'s' if count != 1 else ''}"
        valid = "" if count == 0 else f" (valid indexes: 0..{count - 1})"
        super().__init__(f"instance index {index} is out of range: the file holds {holds}{valid}{note}", path)


def _tokens(path: Path) -> list[tuple[int, int]]:
    try:
        text = path.read_text()
    except UnicodeDecodeError as exc:
        raise ParseError(f"not a text file ({exc.reason})", path) from None
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        for tok in line.split():
            if not re.fullmatch(r"-?\d+", tok):
                raise ParseError(f"expected an integer, found {tok!r}", path, no)
            value = int(tok)
            if abs(value) >= NO_TIME:
                raise ParseError(
                    f"{value} is out of range (|value| must be below 2**50 = {NO_TIME})", path, no
                )
            out.append((no, value))
    return out


def _jobs_from_name(path: Path) -> int | None:
    m = re.search(r"(\d+)", path.stem)
    return int(m.group(1)) if m else None


def read_orlib_wt(path: Path, n: int | None = None, index: int | None = None) -> Problem | list[Problem]:
    """Read an OR-Library weighted tardiness file.

    Parameters
    ----------
    path
        ``wt40.txt``, ``wt50.txt``, ``wt100.txt`` or a file of the same layout.
    n
        Jobs per instance (default: the number in the file name).
    index
        0-based instance index; ``None`` returns all instances as a list.

    Raises
    ------
    ParseError
        A malformed file (the message names file and line), or an ``index``
        outside the file's instances (:class:`InstanceIndexError`, also an ``IndexError``).
    """
    n = n or _jobs_from_name(path)
    if not n or n < 1:
        raise ParseError("cannot tell the number of jobs per instance; pass n=", path)
    toks = _tokens(path)
    if len(toks) % (3 * n):
        last = toks[-1][0] if toks else 1
        raise ParseError(
            f"{len(toks)} integers is not a whole number of {n}-job instances (3n = {3 * n} each)", path, last
        )
    count = len(toks) // (3 * n)
    if count == 0:
        raise ParseError("the file holds no instances (no integers found)", path)
    if index is not None and not 0 <= index < count:
        raise InstanceIndexError(path, index, count)
    wanted = range(count) if index is None else [index]
    out = []
    for k in wanted:
        vals = np.array([v for _, v in toks[3 * n * k : 3 * n * (k + 1)]], dtype=np.int64)
        p, w, d = vals[:n], vals[n : 2 * n], vals[2 * n :]
        bad = np.flatnonzero(p <= 0)
        if bad.size:
            raise ParseError(
                f"instance {k + 1}: job {bad[0] + 1} has processing time {p[bad[0]]}",
                path,
                toks[3 * n * k + bad[0]][0],
            )
        try:
            prob = single_machine(
                p, d, w, name=f"{path.stem}_{k + 1}", meta={"source": str(path), "index": k}
            )
        except ProblemError as exc:
            raise ParseError(f"instance {k + 1}: {exc}", path, toks[3 * n * k][0]) from None
        out.append(prob)
    return out[0] if index is not None else out


def read_orlib_values(path: str | Path) -> np.ndarray:
    """Read an OR-Library value file (one objective value per instance)."""
    path = Path(path)
    return np.array([v for _, v in _tokens(path)], dtype=np.int64)
