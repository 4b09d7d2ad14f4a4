"""Unweighted total tardiness sets (``tt20_*``, ``tt100_shang.txt`` ...).

Format (see the data set's SOURCE.md): ``#`` comment lines, then per instance
three lines: ``id n RDD TF rep opt``, the ``n`` processing times, the ``n``
due dates. Each problem's ``meta`` holds ``id``, ``rdd``, ``tf``, ``rep`` and
``opt`` (the optimal total tardiness listed in the file).

References: Shang, T'kindt & Della Croce (2021), Computers & OR 128:105171;
Cetinkaya et al. (2025), arXiv 2510.24013.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ...errors import ParseError, ProblemError
from ...model import NO_TIME, Problem
from .model import single_machine
from .orlib import InstanceIndexError


def _ints(path: Path, no: int, line: str, what: str) -> list[int]:
    try:
        values = [int(t) for t in line.split()]
    except ValueError:
        raise ParseError(f"{what}: expected integers in {line[:60]!r}", path, no) from None
    for v in values:
        if abs(v) >= NO_TIME:
            raise ParseError(
                f"{what}: {v} is out of range (|value| must be below 2**50 = {NO_TIME})", path, no
            )
    return values


def read_smtt_unweighted(
    path: Path, index: int | None = None, invalid: str = "raise"
) -> Problem | list[Problem]:
    """Read an unweighted total tardiness file; ``index`` picks one instance (0-based).

    Parameters
    ----------
    path
        A ``tt*.txt`` file.
    index
        0-based instance index; ``None`` returns all instances.
    invalid
        What to do with an instance that has a processing time ``<= 0`` (125 of
        the 800 instances of ``tt20_normal_cetinkaya.txt``, whose generator did
        not truncate its normal distribution): ``"raise"`` (default) raises a
        :class:`ParseError` naming the file, line, instance and job; ``"skip"``
        leaves such instances out with a warning that lists their ids (so
        ``index`` counts the remaining instances only).

    Raises
    ------
    ParseError
        A malformed file (the message names file and line), or an ``index``
        outside the file's instances (:class:`.orlib.InstanceIndexError`, also an ``IndexError``).
    """
    if invalid not in ("raise", "skip"):
        raise ValueError(f"invalid must be 'raise' or 'skip', got {invalid!r}")
    path = Path(path)
    try:
        text = path.read_text()
    except UnicodeDecodeError as exc:
        raise ParseError(f"not a text file ({exc.reason})", path) from None
    lines = [
        (no, line.strip())
        for no, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise ParseError("the file holds no instances (only comments or blank lines)", path)
    if len(lines) % 3:
        raise ParseError("expected 3 lines per instance (header, p, d)", path, lines[-1][0] if lines else 1)
    out: list[Problem] = []
    skipped: list[int] = []
    kept = 0
    for k in range(len(lines) // 3):
        (hno, head), (pno, pline), (dno, dline) = lines[3 * k : 3 * k + 3]
        parts = head.split()
        if len(parts) != 6:
            raise ParseError("header must be 'id n RDD TF rep opt'", path, hno)
        try:
            ident, n, rdd, tf, rep, opt = (
                int(parts[0]),
                int(parts[1]),
                float(parts[2]),
                float(parts[3]),
                int(parts[4]),
                int(parts[5]),
            )
        except ValueError:
            raise ParseError(f"bad header {head!r} (expected 'id n RDD TF rep opt')", path, hno) from None
        p = _ints(path, pno, pline, "processing times")
        d = _ints(path, dno, dline, "due dates")
        if len(p) != n:
            raise ParseError(f"instance {ident}: {len(p)} processing times, header says n = {n}", path, pno)
        if len(d) != n:
            raise ParseError(f"instance {ident}: {len(d)} due dates, header says n = {n}", path, dno)
        bad = [q for q, v in enumerate(p) if v <= 0]
        if bad:
            if invalid == "skip":
                skipped.append(ident)
                continue
            q = bad[0]
            raise ParseError(
                f"instance {ident}: job {q + 1} has processing time {p[q]} (must be > 0; "
                "pass invalid='skip' to leave such instances out)",
                path,
                pno,
            )
        kept += 1
        if index is not None and kept - 1 != index:
            continue
        meta = {"source": str(path), "id": ident, "rdd": rdd, "tf": tf, "rep": rep, "opt": opt}
        try:
            out.append(single_machine(p, d, name=f"{Path(path).stem}_{ident}", meta=meta))
        except ProblemError as exc:
            raise ParseError(f"instance {ident}: {exc}", path, pno) from None
    if skipped:
        warnings.warn(
            f"{path}: skipped {len(skipped)} instance(s) with processing times <= 0 (ids {skipped[:10]}"
            f"{' ...' if len(skipped) > 10 else ''})",
            stacklevel=2,
        )
    if index is not None:
        if not out:
            note = f"; {len(skipped)} more skipped as invalid" if skipped else ""
            raise InstanceIndexError(path, index, kept, note)
        return out[0]
    return out
