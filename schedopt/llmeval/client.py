"""An OpenAI-compatible chat-completions client with retries, a concurrency cap and a cache.

``POST {base_url}/chat/completions`` with ``model``, ``messages``,
``temperature``, ``max_tokens`` and ``seed``; the answer is
``choices[0].message.content``. Works with OpenAI, vLLM, Ollama, llama.cpp's
``llama-server`` and any other server speaking that protocol.

Retries: on HTTP 408, 409, 429 and 5xx, on timeouts and on transport errors,
up to ``max_retries`` times, waiting ``backoff_base * 2**attempt`` seconds
(times a jitter factor in [0.5, 1]), capped at ``backoff_max``; when the
server sends ``Retry-After`` (seconds or an HTTP date) or ``retry-after-ms``,
that wait is used instead (also capped). Other HTTP errors raise
:class:`ModelError` at once.

Connection failures (nothing listens, the host cannot be resolved, the
connection times out) are retried at most ``max_connect_retries`` times and
then raise :class:`EndpointUnreachable`, so that the harness can tell "no
server" from "the model failed" (see :func:`schedopt.llmeval.runner.run`).

Secrets: the API key is registered with :func:`~schedopt.llmeval.redact.register_secret`
and every error message is passed through :func:`~schedopt.llmeval.redact.redact`,
so a server echoing the ``Authorization`` header does not put the key into a
message, the results file or a report.

Cache: with a :class:`~schedopt.llmeval.store.ResultsStore`, a response is
looked up by :func:`~schedopt.llmeval.store.request_key` before any request
and stored the moment it arrives. Errors are never cached.
"""

from __future__ import annotations

import email.utils
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .redact import redact, register_secret
from .store import ResultsStore, request_key

RETRY_STATUS = frozenset({408, 409, 429})


class ModelError(RuntimeError):
    """The endpoint failed (non-retryable HTTP error, malformed reply, or retries exhausted)."""


class EndpointUnreachable(ModelError):
    """No connection could be made to the endpoint (nothing listens, unknown host, connect timeout)."""


class MissingAPIKey(ModelError, ValueError):
    """The environment variable named for the API key is not set (a usage error: the CLI exits 2)."""


@dataclass
class Completion:
    """One answer.

    Attributes
    ----------
    content
        The reply text (``""`` when the endpoint returned none).
    key
        The request key (cache key).
    cached
        ``True`` when served from the cache.
    latency
        Seconds spent, including retries (0 for cache hits).
    attempts
        HTTP requests made (0 for cache hits).
    finish_reason, usage
        As returned by the endpoint.
    """

    content: str
    key: str
    cached: bool = False
    latency: float = 0.0
    attempts: int = 0
    finish_reason: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def api_key_from_env(name: str) -> str:
    """The API key held by the environment variable ``name``.

    Raises
    ------
    MissingAPIKey
        The variable is not set or empty (the message names it).
    """
    key = os.environ.get(name)
    if not key:
        raise MissingAPIKey(
            f"environment variable {name} (named by --api-key-env for the API key) is "
            f"not set or empty: export {name}=... or drop --api-key-env for a local server"
        )
    return key


class ChatClient:
    """A thread-safe OpenAI-compatible chat-completions client.

    Parameters
    ----------
    model
        Model name sent to the endpoint.
    base_url
        E.g. ``https://api.openai.com/v1`` or ``http://127.0.0.1:8000/v1``.
    api_key_env
        Name of the environment variable holding the API key (optional: local
        servers need none). The key itself is never stored or logged.
    temperature, seed, max_tokens
        Sampling parameters (``seed=None`` omits it).
    timeout
        Seconds per HTTP request.
    concurrency
        Maximum requests in flight from this client.
    max_retries, backoff_base, backoff_max
        Retry policy (see the module docstring).
    max_connect_retries
        Retries after a connection failure (at most ``max_retries``), then
        :class:`EndpointUnreachable`.
    store
        Results store used as the response cache (``None``: no cache).
    extra
        Further request fields (e.g. ``{"response_format": {...}}``); part of the cache key.
    """

    def __init__(
        self,
        model: str,
        base_url: str,
        api_key_env: str | None = None,
        temperature: float = 0.0,
        seed: int | None = 0,
        max_tokens: int = 4096,
        timeout: float = 300.0,
        concurrency: int = 4,
        max_retries: int = 8,
        max_connect_retries: int = 2,
        backoff_base: float = 1.0,
        backoff_max: float = 120.0,
        store: ResultsStore | None = None,
        extra: dict[str, Any] | None = None,
    ):
        import httpx  # lazy: only the HTTP path needs it

        self.model = model
        self.base_url = base_url.rstrip("/")
        self.params: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens}
        if seed is not None:
            self.params["seed"] = seed
        self.params.update(extra or {})
        self.max_retries = max_retries
        self.max_connect_retries = min(max_connect_retries, max_retries)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.store = store
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        headers = {"Content-Type": "application/json"}
        if api_key_env:
            key = api_key_from_env(api_key_env)
            register_secret(key)
            headers["Authorization"] = f"Bearer {key}"
        self._httpx = httpx
        self._http = httpx.Client(
            timeout=timeout,
            headers=headers,
            limits=httpx.Limits(max_connections=max(1, concurrency)),
        )
        self._rng = random.Random(0)

    def key(self, messages: list[dict[str, str]]) -> str:
        """The cache key of ``messages`` under this client's model, URL and parameters."""
        return request_key(self.model, self.base_url, messages, self.params)

    def _delay(self, attempt: int, response: Any | None) -> float:
        if response is not None:
            hinted = _retry_after(response.headers)
            if hinted is not None:
                return min(hinted, self.backoff_max)
        base = self.backoff_base * (2**attempt)
        return min(self.backoff_max, base * (0.5 + 0.5 * self._rng.random()))

    def complete(self, messages: list[dict[str, str]]) -> Completion:
        """Ask ``messages`` (from the cache when possible)."""
        key = self.key(messages)
        if self.store is not None:
            hit = self.store.get_response(key)
            if hit is not None:
                return self._completion(hit, key, cached=True, latency=0.0, attempts=0)
        body = {"model": self.model, "messages": messages, **self.params}
        url = f"{self.base_url}/chat/completions"
        t0 = time.perf_counter()
        attempts = 0
        connect_failures = 0
        last = ""
        while True:
            response = None
            unreachable = False
            with self._slots:
                attempts += 1
                try:
                    response = self._http.post(url, json=body)
                except (self._httpx.ConnectError, self._httpx.ConnectTimeout) as exc:
                    last = f"cannot connect: {redact(str(exc)) or type(exc).__name__}"
                    unreachable = True
                except self._httpx.TimeoutException as exc:
                    last = f"timeout: {redact(repr(exc))}"
                except self._httpx.TransportError as exc:
                    last = f"transport error: {redact(repr(exc))}"
            if unreachable:
                connect_failures += 1
                if connect_failures > self.max_connect_retries:
                    raise EndpointUnreachable(
                        f"{url}: {last} (after {attempts} attempt(s)); is the server running?"
                    )
            if response is not None:
                status = response.status_code
                if 200 <= status < 300:
                    try:
                        data = response.json()
                    except ValueError:
                        raise ModelError(f"{url}: HTTP {status} with a body that is not JSON") from None
                    completion = self._completion(
                        data, key, cached=False, latency=time.perf_counter() - t0, attempts=attempts
                    )
                    if self.store is not None:
                        self.store.put_response(
                            key, self.model, self.base_url, body, data, completion.content
                        )
                    return completion
                last = f"HTTP {status}: {redact(response.text)[:200]}"
                if status not in RETRY_STATUS and status < 500:
                    raise ModelError(f"{url}: {last}")
            if attempts > self.max_retries:
                raise ModelError(f"{url}: giving up after {attempts} attempts; last error {last}")
            time.sleep(self._delay(attempts - 1, response))

    @staticmethod
    def _completion(data: Any, key: str, cached: bool, latency: float, attempts: int) -> Completion:
        try:
            choice = data["choices"][0]
            content = choice.get("message", {}).get("content")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ModelError(f"malformed chat-completions reply: {redact(str(data))[:200]}") from None
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Completion(
            content=content if isinstance(content, str) else "",
            key=key,
            cached=cached,
            latency=latency,
            attempts=attempts,
            finish_reason=choice.get("finish_reason") if isinstance(choice, dict) else None,
            usage=usage,
        )

    def close(self) -> None:
        self._http.close()
