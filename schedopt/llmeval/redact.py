"""Redaction of secrets from everything llmeval stores or prints.

An endpoint may echo the request's ``Authorization`` header (or the key
itself) in an error body; that text would otherwise end up in
``samples.detail``, in ``samples.jsonl`` and on the terminal. :func:`redact`
replaces

* every API key value registered with :func:`register_secret` (the
  :class:`~schedopt.llmeval.client.ChatClient` registers the key it reads
  from ``--api-key-env``), wherever it appears;
* ``Bearer <token>`` (any case);
* the value of an ``Authorization``, ``Proxy-Authorization``, ``X-Api-Key`` or
  ``Api-Key`` header or JSON/dict field (``api_key`` too)

with :data:`REDACTED`.
"""

from __future__ import annotations

import re
import threading
from typing import Any

REDACTED = "[REDACTED]"
#: Registered secrets shorter than this are not searched for (too many false hits).
MIN_SECRET = 6

_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=:\\%-]+")
_HEADER = re.compile(
    r"(?i)\b((?:proxy-)?authorization|x-api-key|api[-_]key)([\"']?\s*[:=]\s*[\"']?)([^\r\n\"',}\]]+)"
)
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Redact ``value`` (an API key) from everything redacted in this process from now on.

    Its JSON-escaped (``/`` as ``\\/``) and URL-encoded spellings are redacted too, as an echoing
    server may return the key in either.
    """
    if value and len(value) >= MIN_SECRET:
        import json
        from urllib.parse import quote

        spellings = {value, json.dumps(value)[1:-1], value.replace("/", "\\/"), quote(value, safe="")}
        with _lock:
            _secrets.update(spellings)


def redact(text: str | None, secrets: tuple[str, ...] = ()) -> str | None:
    """``text`` with secrets replaced by :data:`REDACTED` (``None`` stays ``None``).

    Parameters
    ----------
    text
        Any text (an error message, a response body, a model answer).
    secrets
        Further literal values to remove (besides the registered ones).
    """
    if not text:
        return text
    with _lock:
        values = sorted(
            {*_secrets, *(s for s in secrets if s and len(s) >= MIN_SECRET)}, key=len, reverse=True
        )
    text = _HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    for value in values:
        text = text.replace(value, REDACTED)
    return text


def redact_json(value: Any) -> Any:
    """A JSON-like value with every string (keys included) passed through :func:`redact`."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = redact(k) if isinstance(k, str) else k
            if isinstance(k, str) and _HEADER.fullmatch(f"{k}: x") and isinstance(v, str):
                out[key] = REDACTED  # {"Authorization": "..."}: the whole value is the secret
            else:
                out[key] = redact_json(v)
        return out
    if isinstance(value, list | tuple):
        return [redact_json(v) for v in value]
    return value
