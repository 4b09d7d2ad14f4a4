"""R-ConstraintBench-style evaluation of LLMs on RCPSP feasibility.

Pipeline: :func:`generate_instance` (feasible by construction, confirmed by
CP-SAT) -> :func:`build_messages` -> a model (:class:`ChatClient` for any
OpenAI-compatible endpoint, or a built-in :class:`OfflineModel`) ->
:func:`parse_answer` -> :func:`verify_parsed` (``schedopt.check``) ->
:func:`summarize` / :func:`write_report`. The CLI is ``schedopt llmeval``;
see ``docs/llmeval.md``.

Only :mod:`.client` touches the network (httpx, imported lazily).
"""

from .client import ChatClient, Completion, EndpointUnreachable, MissingAPIKey, ModelError
from .generator import VARIANTS, GeneratorConfig, generate_instance, generate_suite, layered_dag
from .models import OFFLINE_MODELS, NotApplicable, OfflineModel
from .parse import PARSE_ERRORS, ParseResult, TaskIndex, parse_answer
from .prompts import SYSTEM_PROMPT, build_messages, user_prompt
from .report import degradation_threshold, summarize, wauc, wilson_interval, write_report
from .runner import make_model, run
from .store import ResultsStore, request_key
from .verify import VIOLATION_TYPES, Verdict, verify_answer, verify_parsed, verify_starts

__all__ = [
    "OFFLINE_MODELS",
    "PARSE_ERRORS",
    "SYSTEM_PROMPT",
    "VARIANTS",
    "VIOLATION_TYPES",
    "ChatClient",
    "Completion",
    "EndpointUnreachable",
    "GeneratorConfig",
    "MissingAPIKey",
    "ModelError",
    "NotApplicable",
    "OfflineModel",
    "ParseResult",
    "ResultsStore",
    "TaskIndex",
    "Verdict",
    "build_messages",
    "degradation_threshold",
    "generate_instance",
    "generate_suite",
    "layered_dag",
    "make_model",
    "parse_answer",
    "request_key",
    "run",
    "summarize",
    "user_prompt",
    "verify_answer",
    "verify_parsed",
    "verify_starts",
    "wauc",
    "wilson_interval",
    "write_report",
]
