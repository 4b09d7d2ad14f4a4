"""The SQLite results file: a response cache and the per-sample verdicts.

One file (``--results FILE.sqlite``) holds two tables:

``responses``
    The raw chat-completion responses, keyed by the SHA-256 of the canonical
    JSON of ``{model, base_url, messages, params}`` (:func:`request_key`). A
    response is stored the moment it arrives, so a rerun -- or a run resumed
    after being killed -- never asks an answered question again.
``samples``
    One row per (request key): instance, level, variant, the answer text, the
    parse-failure class or the violation counts. Written after verification;
    rows with an ``api_error`` are retried by the next run.

The connection is shared between threads behind a lock; every write is its own
transaction. Opening (schema marker, read-only mode, errors naming the file) is
shared with the bench store: see :mod:`schedopt.sqlite_store`. Text columns are
passed through :func:`~schedopt.llmeval.redact.redact` before they are stored,
so an endpoint that echoes a ``Bearer`` token or an ``Authorization`` header
never gets it written to the file.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from ..sqlite_store import SQLiteStore, StoreSchema
from .redact import redact, redact_json

_DDL = (
    """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    base_url TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    content TEXT,
    created REAL NOT NULL
)""",
    """
CREATE TABLE IF NOT EXISTS samples (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    base_url TEXT NOT NULL,
    instance TEXT NOT NULL,
    path TEXT,
    domain TEXT,
    variant TEXT,
    level INTEGER,
    idx INTEGER,
    n_tasks INTEGER,
    prompt_hash TEXT,
    content TEXT,
    feasible INTEGER NOT NULL,
    parse_error TEXT,
    violations TEXT NOT NULL,
    first_violation TEXT,
    detail TEXT,
    starts TEXT,
    latency REAL,
    cached INTEGER,
    attempts INTEGER,
    finish_reason TEXT,
    usage TEXT,
    created REAL NOT NULL
)""",
)

SAMPLE_COLUMNS: tuple[str, ...] = (
    "key",
    "model",
    "base_url",
    "instance",
    "path",
    "domain",
    "variant",
    "level",
    "idx",
    "n_tasks",
    "prompt_hash",
    "content",
    "feasible",
    "parse_error",
    "violations",
    "first_violation",
    "detail",
    "starts",
    "latency",
    "cached",
    "attempts",
    "finish_reason",
    "usage",
    "created",
)


def request_key(model: str, base_url: str, messages: list[dict[str, str]], params: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the request (model, base URL, messages, parameters)."""
    blob = json.dumps(
        {"model": model, "base_url": base_url, "messages": messages, "params": params},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode()).hexdigest()


SCHEMA = StoreSchema(
    kind="llmeval",
    version=1,
    ddl=_DDL,
    columns={
        "responses": ("key", "model", "base_url", "request", "response", "content", "created"),
        "samples": SAMPLE_COLUMNS,
    },
    how="schedopt llmeval run --results FILE",
)


class ResultsStore:
    """Thread-safe access to a results file (created if absent).

    Parameters
    ----------
    path
        The SQLite results file.
    readonly
        Open read-only (SQLite ``mode=ro``; reports): nothing is created or changed,
        so a read-only file works.

    Raises
    ------
    schedopt.errors.StoreError
        The file is a directory, not SQLite, another application's database, a
        bench results file, or read-only while ``readonly`` is false.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self._store = SQLiteStore(path, SCHEMA, readonly=readonly, timeout=30.0, threads=True)
        self.path = Path(path)

    # ------------------------------------------------------------ responses
    def get_response(self, key: str) -> dict[str, Any] | None:
        rows = self._store.query("SELECT response FROM responses WHERE key = ?", (key,))
        return None if not rows else json.loads(rows[0][0])

    def put_response(
        self,
        key: str,
        model: str,
        base_url: str,
        request: dict[str, Any],
        response: dict[str, Any],
        content: str,
    ) -> None:
        """Store one raw response (secrets redacted) in its own transaction."""
        values = (
            key,
            model,
            redact(base_url),
            json.dumps(redact_json(request)),
            json.dumps(redact_json(response)),
            redact(content),
            time.time(),
        )
        with self._store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)", values)

    def n_responses(self) -> int:
        return int(self._store.query("SELECT COUNT(*) FROM responses")[0][0])

    # -------------------------------------------------------------- samples
    def has_sample(self, key: str) -> bool:
        """True when ``key`` has a verdict that needs no retry (anything but an API error)."""
        rows = self._store.query("SELECT parse_error FROM samples WHERE key = ?", (key,))
        return bool(rows) and rows[0][0] != "api_error"

    def put_sample(self, row: dict[str, Any]) -> None:
        """Store one verdict (secrets redacted from its text) in its own transaction."""
        values = []
        for col in SAMPLE_COLUMNS:
            v = row.get(col)
            if col in ("violations", "usage", "starts") and v is not None and not isinstance(v, str):
                v = json.dumps(redact_json(v))
            elif isinstance(v, str) and col in ("content", "detail", "base_url"):
                v = redact(v)
            values.append(v)
        with self._store.transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO samples VALUES ({', '.join('?' * len(SAMPLE_COLUMNS))})", values
            )

    def samples(self) -> list[dict[str, Any]]:
        """Every sample row as a dict (JSON columns decoded)."""
        rows = self._store.query(f"SELECT {', '.join(SAMPLE_COLUMNS)} FROM samples ORDER BY rowid")
        out = []
        for r in rows:
            d = dict(zip(SAMPLE_COLUMNS, r))
            for col in ("violations", "usage", "starts"):
                if d[col] is not None:
                    d[col] = json.loads(d[col])
            d["feasible"] = bool(d["feasible"])
            out.append(d)
        return out

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
