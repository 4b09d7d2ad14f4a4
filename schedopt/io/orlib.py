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

from ..errors import ParseError
from ..families.smtt.model import single_machine
from ..model import Problem


def _tokens(path: Path) -> list[tuple[int, int]]:
    out = []
    for no, line in enumerate(path.read_text().splitlines(), 1):
        for tok in line.split():
            if not re.fullmatch(r"-?\d+", tok):
                raise ParseError(f"expected an integer, found {tok!r}", path, no)
            out.append((no, int(tok)))
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
    """
    n = n or _jobs_from_name(path)
    if not n:
        raise ParseError("cannot tell the number of jobs per instance; pass n=", path)
    toks = _tokens(path)
    if len(toks) % (3 * n):
        last = toks[-1][0] if toks else 1
        raise ParseError(
            f"{len(toks)} integers is not a whole number of {n}-job instances (3n = {3 * n} each)", path, last
        )
    count = len(toks) // (3 * n)
    wanted = range(count) if index is None else [index]
    if index is not None and not 0 <= index < count:
        raise IndexError(f"{path}: instance index {index} out of range 0..{count - 1}")
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
        out.append(
            single_machine(p, d, w, name=f"{path.stem}_{k + 1}", meta={"source": str(path), "index": k})
        )
    return out[0] if index is not None else out


def read_orlib_values(path: str | Path) -> np.ndarray:
    """Read an OR-Library value file (one objective value per instance)."""
    path = Path(path)
    return np.array([v for _, v in _tokens(path)], dtype=np.int64)
