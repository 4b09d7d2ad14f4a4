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

The connection is shared between threads behind a lock; every write commits.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    base_url TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    content TEXT,
    created REAL NOT NULL
);
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
);
"""

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


class ResultsStore:
    """Thread-safe access to a results file (created if absent)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30.0)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._db.commit()

    # ------------------------------------------------------------ responses
    def get_response(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put_response(
        self,
        key: str,
        model: str,
        base_url: str,
        request: dict[str, Any],
        response: dict[str, Any],
        content: str,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, model, base_url, json.dumps(request), json.dumps(response), content, time.time()),
            )
            self._db.commit()

    def n_responses(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    # -------------------------------------------------------------- samples
    def has_sample(self, key: str) -> bool:
        """True when ``key`` has a verdict that needs no retry (anything but an API error)."""
        with self._lock:
            row = self._db.execute("SELECT parse_error FROM samples WHERE key = ?", (key,)).fetchone()
        return row is not None and row[0] != "api_error"

    def put_sample(self, row: dict[str, Any]) -> None:
        values = []
        for col in SAMPLE_COLUMNS:
            v = row.get(col)
            if col in ("violations", "usage", "starts") and v is not None and not isinstance(v, str):
                v = json.dumps(v)
            values.append(v)
        with self._lock:
            self._db.execute(
                f"INSERT OR REPLACE INTO samples VALUES ({', '.join('?' * len(SAMPLE_COLUMNS))})", values
            )
            self._db.commit()

    def samples(self) -> list[dict[str, Any]]:
        """Every sample row as a dict (JSON columns decoded)."""
        with self._lock:
            cur = self._db.execute(f"SELECT {', '.join(SAMPLE_COLUMNS)} FROM samples ORDER BY rowid")
            rows = cur.fetchall()
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
        with self._lock:
            self._db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
