"""Exceptions raised by schedopt.

All but :class:`SolverError` are ``ValueError`` subclasses, so callers that guard
against bad input with ``except ValueError`` keep working.
"""

from __future__ import annotations

from pathlib import Path


class ProblemError(ValueError):
    """An invalid problem: the message names the job, field or constraint at fault."""


class ScheduleError(ValueError):
    """An invalid schedule: a start, end or machine that is not an integer in range, or a wrong shape.

    The message names the field (``start``, ``end``, ``machine``), the job index and the value.
    """


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


def _suggestion(name: str, known: list[str] | tuple[str, ...]) -> str:
    """``"did you mean 'x'? "`` for the closest of ``known`` (difflib), or ``""``."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


class UnknownMethodError(ValueError):
    """``method=`` names no registered method. The message lists the known ones and the closest."""

    def __init__(self, name: str, known: list[str] | tuple[str, ...]):
        self.name = name
        self.known = tuple(sorted(known))
        super().__init__(
            f"unknown method {name!r}; {_suggestion(name, self.known)}known methods: {', '.join(self.known)}"
        )


class NotApplicableError(ValueError):
    """A registered method that does not apply to this problem (another family's, or wrong shape)."""

    def __init__(self, name: str, problem_label: str, applicable: list[str] | tuple[str, ...]):
        self.name = name
        self.applicable = tuple(applicable)
        super().__init__(
            f"method {name!r} does not apply to {problem_label}; "
            f"methods that do: {', '.join(self.applicable) or 'none'}"
        )


class OptionError(ValueError):
    """An option that a method (and its CP-SAT strengthenings) does not declare, or a bad option value."""

    def __init__(self, method: str, option: str, valid: dict | None = None, message: str | None = None):
        self.method = method
        self.option = option
        self.valid = dict(valid or {})
        if message is None:
            listed = ", ".join(f"{k}={v!r}" for k, v in sorted(self.valid.items())) or "none"
            message = (
                f"method {method!r} has no option {option!r}; {_suggestion(option, list(self.valid))}"
                f"valid options (with defaults): {listed}"
            )
        super().__init__(message)


class StoreError(ValueError):
    """A results file (SQLite store) that cannot be used as asked.

    The message names the file and says what is wrong with it and how to go on
    (for example: not an SQLite file, another application's database, a
    read-only file opened for writing).

    Parameters
    ----------
    message
        What is wrong and, where possible, how to fix it.
    path
        The results file, or ``None`` for an in-memory store.
    """

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = None if path is None else str(path)
        super().__init__(message if self.path is None else f"{self.path}: {message}")
