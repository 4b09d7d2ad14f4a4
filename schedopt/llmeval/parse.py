"""Parse a model's answer into start times, classifying every failure.

The parser never evaluates model output as code: it only calls
:func:`json.loads` on extracted text (after a few textual repairs) and reads
the resulting lists, dicts, strings and numbers.

Accepted answers
----------------
* a JSON list of objects ``{"task": NAME, "start": INT}`` (the requested format);
* key variants (case, ``_``/``-``/spaces ignored): task key one of ``task``, ``name``,
  ``id``, ``task_id``, ``task_name``, ``job``, ``activity``; start key one of ``start``,
  ``start_time``, ``starttime``, ``begin``, ``s``, ``start_at``, ``time``;
* a list of ``[NAME, START]`` pairs, a mapping ``{"T1": 0, ...}``, or either of those
  wrapped in an object under ``schedule``, ``tasks``, ``answer``, ``solution``,
  ``starts`` or ``result``;
* inside Markdown code fences and/or surrounded by prose (the last
  schedule-shaped JSON value wins), with trailing commas, curly quotes,
  single-quoted strings (when no double quote is present) or unquoted keys;
* starts that are integers, integer-valued floats (``3.0``) or strings of digits;
* task names matched after lower-casing, trimming and collapsing spaces, ``_``
  and ``-``; ``T3`` may also be written ``3``, ``task 3`` or ``task3``.

Failure classes (:data:`PARSE_ERRORS`), first applicable wins:
``empty`` (no text), ``no_json`` (no bracket at all), ``bad_json`` (brackets
but nothing decodes), ``wrong_shape`` (JSON, but not a schedule),
``unknown_task``, ``duplicate_task`` (a task given two different starts),
``non_integer_start``, ``negative_start``, ``start_out_of_range`` (beyond
:data:`MAX_START`), ``missing_task``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PARSE_ERRORS: tuple[str, ...] = (
    "empty",
    "no_json",
    "bad_json",
    "wrong_shape",
    "unknown_task",
    "duplicate_task",
    "non_integer_start",
    "negative_start",
    "start_out_of_range",
    "missing_task",
)
_RANK = {e: i for i, e in enumerate(PARSE_ERRORS)}

#: Largest start accepted (far beyond any generated horizon, far below int64 overflow).
MAX_START = 1 << 40
#: Longest text inspected; longer answers are cut (the tail, where the answer is, is kept).
MAX_TEXT = 1_000_000

_TASK_KEYS = frozenset({"task", "name", "id", "taskid", "taskname", "job", "activity"})
_START_KEYS = frozenset({"start", "starttime", "begin", "s", "startat", "time"})
_WRAPPER_KEYS = ("schedule", "tasks", "answer", "solution", "starts", "result")
_FENCE = re.compile(r"```[^\n`]*\n?(.*?)```", re.S)
_TOKENS = re.compile(r'[\[\]{}"\\]')
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_UNQUOTED_KEY = re.compile(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_ \-]*?)\s*:")
_INT_STR = re.compile(r"\s*\+?(\d{1,15})(?:\.0*)?\s*")
_NEG_STR = re.compile(r"\s*-\s*\d+(?:\.0*)?\s*")
_SPACES = re.compile(r"[\s_\-]+")
_SYNTH = re.compile(r"t(\d+)")


_KEY_CACHE: dict[str, str] = {}


def _norm_key(key: str) -> str:
    out = _KEY_CACHE.get(key)
    if out is None:
        out = _SPACES.sub("", key.lower())
        if len(_KEY_CACHE) < 4096:
            _KEY_CACHE[key] = out
    return out


def normalize_name(name: str) -> str:
    """Lower-case, trim quotes/backticks/asterisks, and collapse spaces, ``_`` and ``-``."""
    return _SPACES.sub(" ", name.strip().strip("\"'`*").lower()).strip()


class TaskIndex:
    """Lookup from the names a model may write to job indices.

    Build it once per problem and pass it to :func:`parse_answer` when parsing
    many answers to the same instance.
    """

    def __init__(self, names: Sequence[str]):
        self.names = tuple(names)
        self.n = len(self.names)
        self.lookup: dict[str, int] = {}
        for j, name in enumerate(self.names):
            self.lookup[name] = j
            self.lookup.setdefault(normalize_name(name), j)
        for j, name in enumerate(self.names):
            m = _SYNTH.fullmatch(normalize_name(name))
            if m:
                for alias in (m.group(1), f"task {m.group(1)}", f"task{m.group(1)}"):
                    self.lookup.setdefault(alias, j)

    def find(self, raw: object) -> int | None:
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            raw = str(raw)
        if not isinstance(raw, str):
            return None
        j = self.lookup.get(raw)
        return j if j is not None else self.lookup.get(normalize_name(raw))


@dataclass(frozen=True)
class ParseResult:
    """The outcome of parsing one answer.

    Attributes
    ----------
    starts
        ``(n,)`` int64 start per job when the answer parsed, else ``None``.
    error
        ``None`` on success, else one of :data:`PARSE_ERRORS`.
    detail
        A short human-readable explanation of the failure.
    """

    starts: np.ndarray | None
    error: str | None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def _segments(text: str) -> list[str]:
    """Top-level balanced ``[...]``/``{...}`` segments, in order (an unclosed tail included).

    Double-quoted strings are skipped; a closing bracket that does not match
    abandons the current segment.
    """
    out: list[str] = []
    stack: list[str] = []
    begin = -1
    in_str = False
    skip = -1
    for m in _TOKENS.finditer(text):
        c = m.group()
        pos = m.start()
        if pos == skip:  # the character after a backslash inside a string
            continue
        if in_str:
            if c == "\\":
                skip = pos + 1
            elif c == '"':
                in_str = False
            continue
        if c == '"':
            if stack:
                in_str = True
            continue
        if c == "\\":
            continue
        if c in "[{":
            if not stack:
                begin = pos
            stack.append("]" if c == "[" else "}")
        elif stack:
            if c == stack[-1]:
                stack.pop()
                if not stack:
                    out.append(text[begin : pos + 1])
            else:
                stack.clear()
    if stack:
        out.append(text[begin:])
    return out


def _loads(s: str) -> tuple[bool, object]:
    """Lenient JSON decoding: strict first, then textual repairs. Never raises."""
    attempts = [s]
    fixed = s.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    fixed = _TRAILING_COMMA.sub(r"\1", fixed)
    if '"' not in fixed and "'" in fixed:
        fixed = fixed.replace("'", '"')
    attempts.append(fixed)
    attempts.append(_TRAILING_COMMA.sub(r"\1", _UNQUOTED_KEY.sub(r'\1"\2":', fixed)))
    for a in attempts:
        try:
            return True, json.loads(a)
        except (ValueError, RecursionError):  # JSONDecodeError, huge ints, deep nesting
            continue
    return False, None


def _entries(value: object, depth: int = 0) -> list[tuple[object, object]] | None:
    """``[(task, start), ...]`` if ``value`` is schedule-shaped, else ``None``."""
    if depth > 3:
        return None
    if isinstance(value, list):
        if not value:
            return None
        out: list[tuple[object, object]] = []
        for item in value:
            if type(item) is dict and "task" in item and "start" in item:  # the requested format
                out.append((item["task"], item["start"]))
            elif isinstance(item, dict):
                task = start = None
                has_task = has_start = False
                for k, v in item.items():
                    nk = _norm_key(k)
                    if nk in _TASK_KEYS and not has_task:
                        task, has_task = v, True
                    elif nk in _START_KEYS and not has_start:
                        start, has_start = v, True
                if not (has_task and has_start):
                    if len(item) == 1:  # [{"T1": 0}, {"T2": 3}]
                        ((task, start),) = item.items()
                    else:
                        return None
                out.append((task, start))
            elif isinstance(item, list) and len(item) == 2:
                out.append((item[0], item[1]))
            else:
                return None
        return out
    if isinstance(value, dict):
        if not value:
            return None
        lowered = {_norm_key(k): v for k, v in value.items()}
        for key in _WRAPPER_KEYS:
            if key in lowered and isinstance(lowered[key], (list, dict)):
                inner = _entries(lowered[key], depth + 1)
                if inner is not None:
                    return inner
        keys = set(lowered)
        if keys & _TASK_KEYS and keys & _START_KEYS:  # a single {"task": .., "start": ..}
            return _entries([value], depth + 1)
        if all(isinstance(v, (int, float, str)) or v is None for v in value.values()):
            return list(value.items())
    return None


def _start_value(raw: object) -> tuple[int | None, str | None]:
    if type(raw) is int and 0 <= raw <= MAX_START:
        return raw, None
    if isinstance(raw, bool) or raw is None:
        return None, "non_integer_start"
    if isinstance(raw, int):
        v = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or raw != math.floor(raw):
            return None, "non_integer_start"
        if abs(raw) > MAX_START:
            return None, "start_out_of_range" if raw > 0 else "negative_start"
        v = int(raw)
    elif isinstance(raw, str):
        m = _INT_STR.fullmatch(raw)
        if m is None:
            return None, "negative_start" if _NEG_STR.fullmatch(raw) else "non_integer_start"
        v = int(m.group(1))
    else:
        return None, "non_integer_start"
    if v < 0:
        return None, "negative_start"
    if v > MAX_START:
        return None, "start_out_of_range"
    return v, None


def _assign(entries: list[tuple[object, object]], index: TaskIndex) -> ParseResult:
    starts = [-1] * index.n
    worst: tuple[int, str, str] | None = None

    def note(err: str, detail: str) -> None:
        nonlocal worst
        if worst is None or _RANK[err] < worst[0]:
            worst = (_RANK[err], err, detail)

    for task, raw in entries:
        j = index.find(task)
        if j is None:
            note("unknown_task", f"unknown task {str(task)[:60]!r}")
            continue
        v, err = _start_value(raw)
        if err is not None:
            note(err, f"task {index.names[j]!r}: start {str(raw)[:40]!r}")
            continue
        if starts[j] >= 0 and starts[j] != v:
            note("duplicate_task", f"task {index.names[j]!r} given starts {starts[j]} and {v}")
            continue
        starts[j] = v
    if worst is None and -1 in starts:
        missing = [index.names[j] for j, s in enumerate(starts) if s < 0]
        note("missing_task", f"{len(missing)} task(s) without a start, e.g. {missing[:5]}")
    if worst is not None:
        return ParseResult(None, worst[1], worst[2])
    return ParseResult(np.array(starts, dtype=np.int64), None, "")


def parse_answer(text: object, tasks: TaskIndex | Sequence[str]) -> ParseResult:
    """Parse ``text`` into one start per task of ``tasks`` (names or a :class:`TaskIndex`).

    Always returns a :class:`ParseResult`; never raises for any ``text``.
    """
    index = tasks if isinstance(tasks, TaskIndex) else TaskIndex(tasks)
    if not isinstance(text, str) or not text.strip():
        return ParseResult(None, "empty", "no answer text")
    if len(text) > MAX_TEXT:
        text = text[-MAX_TEXT:]
    # Fast path: the whole reply (or the span from the first '[' to the last ']') is the answer.
    stripped = text.strip()
    lo, hi = stripped.find("["), stripped.rfind("]")
    if lo >= 0 and hi > lo:
        try:
            value = json.loads(stripped[lo : hi + 1])
        except (ValueError, RecursionError):
            value = None
        if value is not None:
            entries = _entries(value)
            if entries is not None:
                return _assign(entries, index)
    candidates = [c for c in _FENCE.findall(text) if c.strip()]
    if "[" not in text and "{" not in text:
        return ParseResult(None, "no_json", "the reply contains no JSON list or object")
    decoded_any = False
    for source in (candidates, _segments(text)):
        pieces: list[str] = []
        for c in source:
            pieces.extend(_segments(c) or [c])
        for piece in reversed(pieces):
            ok, value = _loads(piece)
            if not ok:
                continue
            decoded_any = True
            entries = _entries(value)
            if entries is not None:
                return _assign(entries, index)
    if decoded_any:
        return ParseResult(None, "wrong_shape", "JSON found, but no list of {task, start} objects")
    return ParseResult(None, "bad_json", "brackets found, but no valid JSON")
