"""Exceptions raised by schedopt.

Both are ``ValueError`` subclasses, so callers that guard against bad input
with ``except ValueError`` keep working.
"""

from __future__ import annotations

from pathlib import Path


class ProblemError(ValueError):
    """An invalid problem: the message names the job, field or constraint at fault."""


class ParseError(ValueError):
    """A malformed input file: the message names the file and, where known, the line.

    Parameters
    ----------
    message
        What is wrong and, where possible, how to fix it.
    path
        The file being read.
    line
        1-based line number of the offending line, or ``None`` when unknown.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        where = ""
        if self.path is not None:
            where = self.path if line is None else f"{self.path}, line {line}"
            where += ": "
        super().__init__(where + message)


class SolverError(RuntimeError):
    """A solver method misbehaved (for example returned a schedule that fails the check).

    This always signals a bug in schedopt, never bad user input.
    """
