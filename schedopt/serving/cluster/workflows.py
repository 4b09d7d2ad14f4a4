"""CHESS-style Text-to-SQL workflows: stages, calls, token lengths and multi-tenant arrivals.

HEXGEN-TEXT2SQL (Peng et al., arXiv 2505.05286; simulator Relaxed-System-Lab/Hexgen-Flow, see
``shared/docs/llm_serving.md`` §2.1) serves CHESS agentic queries: schema linking
(``Information Retriever``, ``extract_keywords``) -> SQL candidate generation
(``generate_candidate``, parallel calls) -> self-correction (``revise``, iterative) -> evaluation
(``unit_tester``, ``generate_unit_test``, ``evaluate``; the ``evaluate`` calls run in parallel).
Stages are sequential; the calls of one stage run in parallel and the stage ends when all finish.
As in Hexgen-Flow's ``Text2SQLRequest``, every ``generate_candidate`` call of a query forms one
parallel stage, every ``evaluate`` call another, and every other call is a stage of its own.

Calls per query (docs §2.1 means over 419 traced queries; the per-query count distributions are
not published, so these are our choices with those means): ``Information Retriever`` 4, then
``extract_keywords`` with probability 0.8, ``generate_candidate`` ``1 + Poisson(1)`` (mean 2),
``revise`` ``Binomial(4, 0.85)`` (mean 3.4), ``unit_tester`` 3, ``generate_unit_test`` 1,
``evaluate`` ``1 + Poisson(4)`` (mean 5): 19.2 calls on average (traces: 19.1, range 10-28;
here between 10 and about 30). The stage order follows the 15-call :data:`STANDARD_WORKFLOW`.

Token lengths: each (stage, input/output) length is drawn from a continuous distribution fitted
exactly to the mean ``m`` and the 90th percentile ``q`` of docs §2.1, then rounded to the nearest
integer and raised to at least 1 token (the rounding moves the means by < 5 %; tested):

* ``1 < q/m <= exp(z^2/2) = 2.27`` (``z = 1.2816``, the 0.9 normal quantile): a **lognormal**
  with ``sigma = z - sqrt(z^2 - 2 ln(q/m))`` (the smaller root of
  ``ln q - ln m = z sigma - sigma^2/2``) and ``mu = ln m - sigma^2/2``;
* ``q/m > 2.27`` (``Information Retriever`` output, 7 / 25: mostly one-token answers): neither a
  lognormal nor a gamma (whose ``q/m`` peaks at 3.02) reaches it; a **one-inflated lognormal**:
  with probability ``pi`` exactly 1 token, else a lognormal with ``sigma = 0.5`` whose
  ``(0.9 - pi)/(1 - pi)`` quantile is ``q``, ``pi`` solving ``pi + (1 - pi) E[lognormal] = m``
  (brentq; ``pi = 0.75`` for 7 / 25);
* ``q <= m`` (``evaluate`` output, 30 / 22: a few very long outputs): no unimodal family of the
  kind fits; a **body + tail mixture**: with probability 0.95 a lognormal body with
  ``sigma = 0.5`` whose ``0.9/0.95`` quantile is ``q``, with probability 0.05 the constant tail
  ``T = (m - 0.95 E[body]) / 0.05`` (> ``q``), so the mixture has mean ``m`` and p90 ``q``.

Arrivals: :func:`text2sql_queries` draws multi-tenant Poisson arrivals: tenant ``i`` is a Poisson
process of rate ``rate * share_i`` (shares normalised to sum 1), merged in time order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import optimize, stats

from ..request import Request

#: Stage (step) names, as Hexgen-Flow's traces and cost table call them (``generate_candidate``
#: stands for ``generate_candidate_llama-agent``).
STAGES: tuple[str, ...] = (
    "Information Retriever",
    "extract_keywords",
    "generate_candidate",
    "revise",
    "unit_tester",
    "generate_unit_test",
    "evaluate",
)

#: Stages whose calls of one query run in parallel as one stage.
PARALLEL_STAGES: frozenset[str] = frozenset({"generate_candidate", "evaluate"})

#: Hexgen-Flow's 15-call standard workflow (``core/request.py::STANDARD_WORKFLOW``): the default
#: SLO is the sum of its mean table latencies, and the per-stage deadline split of
#: :func:`schedopt.serving.cluster.queues.stage_budget` uses its remaining steps.
STANDARD_WORKFLOW: tuple[str, ...] = (
    "Information Retriever",
    "extract_keywords",
    "Information Retriever",
    "Information Retriever",
    "Information Retriever",
    "generate_candidate",
    "revise",
    "revise",
    "revise",
    "revise",
    "unit_tester",
    "generate_unit_test",
    "unit_tester",
    "evaluate",
    "unit_tester",
)

#: Docs §2.1: ``stage -> (calls per query, (mean in, p90 in), (mean out, p90 out))``.
TRACE_STATS: dict[str, tuple[float, tuple[float, float], tuple[float, float]]] = {
    "Information Retriever": (4.0, (306, 312), (7, 25)),
    "extract_keywords": (0.8, (677, 711), (49, 73)),
    "generate_candidate": (2.0, (10790, 13879), (672, 1006)),
    "revise": (3.4, (6988, 8021), (129, 170)),
    "unit_tester": (3.0, (275, 278), (5, 6)),
    "generate_unit_test": (1.0, (1145, 1439), (100, 128)),
    "evaluate": (5.0, (1077, 1409), (30, 22)),
}

_Z90 = float(stats.norm.ppf(0.9))
#: Typical ``(prompt, output)`` tokens of a call of each stage, at which the table was measured
#: (Hexgen-Flow ``EMPIRICAL_IO_LEN``).
TYPICAL_IO: dict[str, tuple[int, int]] = {
    "Information Retriever": (308, 5),
    "extract_keywords": (667, 45),
    "generate_candidate": (11748, 678),
    "revise": (5963, 79),
    "unit_tester": (275, 4),
    "generate_unit_test": (1109, 103),
    "evaluate": (961, 22),
}

_TAIL_P = 0.05
_BODY_SIGMA = 0.5


class Call(NamedTuple):
    """One LLM call of a query: its stage name, prompt tokens and output tokens."""

    stage: str
    prompt: int
    output: int


@dataclass(frozen=True)
class Query:
    """One Text-to-SQL query.

    Attributes
    ----------
    id
        Query id (the ``group`` of its requests).
    tenant
        Tenant index.
    arrival
        Arrival time in seconds.
    stages
        The stages in order; each a tuple of its (parallel) calls.
    """

    id: int
    tenant: int
    arrival: float
    stages: tuple[tuple[Call, ...], ...]

    def __post_init__(self) -> None:
        if not self.stages or any(not s for s in self.stages):
            raise ValueError(f"query {self.id}: every query needs at least one stage, each with a call")
        for k, stage in enumerate(self.stages):
            for c in stage:
                if c.stage != stage[0].stage:
                    raise ValueError(
                        f"query {self.id}, stage {k}: calls of stages {stage[0].stage!r} "
                        f"and {c.stage!r} mixed in one stage"
                    )
                if c.prompt < 1 or c.output < 1:
                    raise ValueError(f"query {self.id}, stage {k}: a call needs >= 1 prompt and output token")
        if not (math.isfinite(self.arrival) and self.arrival >= 0):
            raise ValueError(f"query {self.id}: arrival must be finite and >= 0, got {self.arrival}")

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The stage name of each stage."""
        return tuple(s[0].stage for s in self.stages)

    @property
    def n_calls(self) -> int:
        """Number of LLM calls."""
        return sum(len(s) for s in self.stages)


# ----------------------------------------------------------------- length distributions
@dataclass(frozen=True)
class LengthDist:
    """A token-length distribution fitted to a mean and a 90th percentile (see the module docstring).

    Attributes
    ----------
    kind
        ``"lognormal"``, ``"inflated"`` (one-inflated lognormal) or ``"mixture"`` (body + tail).
    mu, sigma
        Parameters of the lognormal (of the non-inflated part, of the mixture's body).
    extra
        The inflation probability ``pi`` (``"inflated"``), the tail value ``T`` (``"mixture"``),
        else 0.
    """

    kind: str
    mu: float
    sigma: float
    extra: float = 0.0

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray:
        """Integer token lengths ``max(1, round(x))``."""
        n = 1 if size is None else size
        x = rng.lognormal(self.mu, self.sigma, n)
        if self.kind == "inflated":
            x = np.where(rng.random(n) < self.extra, 1.0, x)
        elif self.kind == "mixture":
            x = np.where(rng.random(n) < _TAIL_P, self.extra, x)
        out = np.maximum(1, np.rint(x)).astype(np.int64)
        return out if size is not None else out[:1]

    def mean(self) -> float:
        """Mean of the continuous distribution (before rounding)."""
        body = math.exp(self.mu + self.sigma**2 / 2)
        if self.kind == "inflated":
            return self.extra + (1 - self.extra) * body
        if self.kind == "mixture":
            return (1 - _TAIL_P) * body + _TAIL_P * self.extra
        return body

    def p90(self) -> float:
        """90th percentile of the continuous distribution."""
        if self.kind == "inflated":
            level = (0.9 - self.extra) / (1 - self.extra)
        elif self.kind == "mixture":
            level = 0.9 / (1 - _TAIL_P)
        else:
            level = 0.9
        return math.exp(self.mu + float(stats.norm.ppf(level)) * self.sigma)


def fit_length(mean: float, p90: float) -> LengthDist:
    """The distribution of the module docstring with this ``mean`` and 90th percentile ``p90``."""
    if not (mean > 0 and p90 > 0):
        raise ValueError(f"mean and p90 must be positive, got {mean}, {p90}")
    d = math.log(p90 / mean)
    if 0 < d <= _Z90**2 / 2:
        sigma = _Z90 - math.sqrt(_Z90**2 - 2 * d)
        return LengthDist("lognormal", math.log(mean) - sigma**2 / 2, sigma)
    s = _BODY_SIGMA
    if d > 0:
        if mean <= 1:
            raise ValueError(f"cannot fit mean {mean} <= 1 token with p90 {p90}")

        def inflated(pi: float) -> LengthDist:
            mu = math.log(p90) - float(stats.norm.ppf((0.9 - pi) / (1 - pi))) * s
            return LengthDist("inflated", mu, s, pi)

        def gap(x: float) -> float:
            return inflated(x).mean() - mean

        grid = np.linspace(0.0, 0.89, 90)  # the mean falls, then rises again: take the first crossing
        below = [x for x in grid if gap(x) <= 0]
        if not below:
            raise ValueError(f"cannot fit mean {mean} with p90 {p90}")
        hi = float(below[0])
        pi = hi if hi == 0 else optimize.brentq(gap, hi - 0.01, hi)
        return inflated(pi)
    mu = math.log(p90) - float(stats.norm.ppf(0.9 / (1 - _TAIL_P))) * s
    body_mean = math.exp(mu + s**2 / 2)
    tail = (mean - (1 - _TAIL_P) * body_mean) / _TAIL_P
    return LengthDist("mixture", mu, s, tail)


#: ``stage -> (prompt distribution, output distribution)`` fitted to :data:`TRACE_STATS`.
LENGTHS: dict[str, tuple[LengthDist, LengthDist]] = {
    s: (fit_length(*inp), fit_length(*out)) for s, (_, inp, out) in TRACE_STATS.items()
}


# ----------------------------------------------------------------- queries
def _calls(stage: str, count: int, rng: np.random.Generator) -> tuple[Call, ...]:
    pin, pout = LENGTHS[stage]
    prompts, outputs = pin.sample(rng, count), pout.sample(rng, count)
    return tuple(Call(stage, int(p), int(o)) for p, o in zip(prompts, outputs))


def sample_query(query_id: int, tenant: int, arrival: float, rng: np.random.Generator) -> Query:
    """One query with the call counts and lengths of the module docstring."""
    n_ek = int(rng.random() < 0.8)
    n_gc = 1 + int(rng.poisson(1.0))
    n_rev = int(rng.binomial(4, 0.85))
    n_ev = 1 + int(rng.poisson(4.0))
    stages: list[tuple[Call, ...]] = [_calls("Information Retriever", 1, rng)]
    if n_ek:
        stages.append(_calls("extract_keywords", 1, rng))
    stages += [_calls("Information Retriever", 1, rng) for _ in range(3)]
    stages.append(_calls("generate_candidate", n_gc, rng))
    stages += [_calls("revise", 1, rng) for _ in range(n_rev)]
    stages.append(_calls("unit_tester", 1, rng))
    stages.append(_calls("generate_unit_test", 1, rng))
    stages.append(_calls("unit_tester", 1, rng))
    stages.append(_calls("evaluate", n_ev, rng))
    stages.append(_calls("unit_tester", 1, rng))
    return Query(query_id, tenant, float(arrival), tuple(stages))


def standard_query(query_id: int = 0, tenant: int = 0, arrival: float = 0.0) -> Query:
    """The 15-call :data:`STANDARD_WORKFLOW` at the typical lengths of the cost table
    (:data:`TYPICAL_IO`), one call per stage."""
    return Query(
        query_id, tenant, float(arrival), tuple((Call(s, *TYPICAL_IO[s]),) for s in STANDARD_WORKFLOW)
    )


def text2sql_queries(
    n: int,
    rate: float,
    *,
    tenants: int | Sequence[float] = 1,
    rng: np.random.Generator | int | None = None,
    start: float = 0.0,
) -> list[Query]:
    """``n`` queries from merged per-tenant Poisson arrivals, in arrival order (ids ``0..n-1``).

    Parameters
    ----------
    n
        Number of queries.
    rate
        Total arrival rate (queries per second).
    tenants
        Number of tenants with equal shares, or each tenant's share of ``rate`` (normalised to
        sum 1): tenant ``i`` arrives as a Poisson process of rate ``rate * share_i``; the
        merged stream is Poisson of rate ``rate``, each arrival from tenant ``i`` with
        probability ``share_i`` (drawn that way).
    rng
        Generator or seed.
    start
        Time of the first possible arrival.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not (rate > 0 and math.isfinite(rate)):
        raise ValueError(f"rate must be positive and finite, got {rate}")
    shares = np.ones(int(tenants)) if isinstance(tenants, (int, np.integer)) else np.asarray(tenants, float)
    if shares.ndim != 1 or len(shares) == 0 or (shares < 0).any() or shares.sum() <= 0:
        raise ValueError(f"tenants: expected a positive count or non-negative shares, got {tenants!r}")
    shares = shares / shares.sum()
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    times = start + np.cumsum(gen.exponential(1.0 / rate, n))
    owners = gen.choice(len(shares), size=n, p=shares)
    return [sample_query(i, int(owners[i]), float(times[i]), gen) for i in range(n)]


def stage_requests(
    query: Query,
    stage: int,
    release: float,
    deadline: float,
    first_id: int,
    *,
    max_new_tokens: int | None = None,
) -> list[Request]:
    """The calls of ``query``'s stage ``stage`` as engine requests released at ``release``.

    Request ids are ``first_id, first_id + 1, ...``; ``group`` is the query id, ``tag`` the stage
    name (the tenant is ``query.tenant``; ``client`` stays -1), ``deadline`` the stage's absolute deadline
    (:func:`schedopt.serving.cluster.queues.stage_budget`), ``max_new_tokens`` the real output
    length unless a cap is given (then ``max(cap, output)``).
    """
    calls = query.stages[stage]
    return [
        Request(
            id=first_id + k,
            arrival=float(release),
            prompt_tokens=c.prompt,
            output_tokens=c.output,
            max_new_tokens=c.output if max_new_tokens is None else max(int(max_new_tokens), c.output),
            group=query.id,
            tag=c.stage,
            deadline=float(deadline),
        )
        for k, c in enumerate(calls)
    ]
