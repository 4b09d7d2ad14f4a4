"""LLM request traces: arrival times and prompt/output token counts read from CSV files.

:func:`read_trace` recognises three layouts from the header row:

``azure``
    The Azure LLM inference traces of Patel et al., "Splitwise: Efficient generative LLM inference
    using phase splitting", ISCA 2024 (Azure/AzurePublicDataset
    ``data/AzureLLMInferenceTrace_{conv,code}.csv``, CC-BY-4.0):
    ``TIMESTAMP,ContextTokens,GeneratedTokens`` with wall-clock timestamps such as
    ``2023-11-16 18:15:46.6805900`` (seven fractional digits; any ISO 8601 date-time is read, and a
    numeric ``TIMESTAMP`` column is taken as seconds).
``stats``
    The processed length statistics of Sarathi-Serve / Vidur (microsoft/sarathi-serve and microsoft/vidur
    ``data/processed_traces/*_stats_llama2_tokenizer*.csv``): ``num_prefill_tokens,num_decode_tokens`` plus
    any other columns (``num_total_tokens``, ``pd_ratio``); an optional ``arrived_at`` column (seconds), as
    in Vidur's request-trace files, supplies arrival times.
``generic``
    ``arrival,prompt_tokens,output_tokens`` with arrival times in seconds; ``arrival`` may be left out.

Named traces (:data:`TRACES`) are looked up in ``schedopt.data.data_dir() / "llm_traces"`` (the files
listed in that folder's ``SOURCE.md``):

``azure-conv``
    ``AzureLLMInferenceTrace_conv.csv``, 19,366 requests over 58 minutes; Azure/AzurePublicDataset @ b469a113,
    CC-BY-4.0; Patel et al., ISCA 2024.
``azure-code``
    ``AzureLLMInferenceTrace_code.csv``, 8,819 requests; same source.
``sharegpt``
    ``sharegpt_8k_filtered_stats_llama2_tokenizer.csv``, 30,731 rows without timestamps;
    microsoft/sarathi-serve @ 72339db5 (branch niyama_asplos2026), Apache-2.0; ShareGPT conversations,
    Llama-2 tokenizer, <= 8k tokens.
``arxiv``
    ``arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv``, 28,257 rows without timestamps;
    microsoft/vidur @ 7d475133, MIT; arXiv summarization, Llama-2 tokenizer, <= 4k tokens.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParseError

__all__ = ["TRACES", "read_trace", "trace_path"]

#: Named traces -> file name inside ``data_dir() / "llm_traces"``.
TRACES: dict[str, str] = {
    "azure-conv": "AzureLLMInferenceTrace_conv.csv",
    "azure-code": "AzureLLMInferenceTrace_code.csv",
    "sharegpt": "sharegpt_8k_filtered_stats_llama2_tokenizer.csv",
    "arxiv": "arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv",
}

#: Recognised layouts: name -> (required arrival column or None, prompt column, output column, description);
#: layouts whose arrival column is optional name it in ``_OPTIONAL_ARRIVAL``.
_FORMATS: dict[str, tuple[str | None, str, str, str]] = {
    "azure": ("TIMESTAMP", "ContextTokens", "GeneratedTokens", "Azure LLM inference trace"),
    "stats": (None, "num_prefill_tokens", "num_decode_tokens", "Sarathi-Serve/Vidur length statistics"),
    "generic": (None, "prompt_tokens", "output_tokens", "generic"),
}
_OPTIONAL_ARRIVAL = {"stats": "arrived_at", "generic": "arrival"}

_COLUMNS = ["arrival", "prompt_tokens", "output_tokens"]

#: Largest token count a trace row may give (far beyond any model's context window).
MAX_TOKENS = 2**31 - 1


def trace_path(name: str) -> Path:
    """The file of the named trace ``name`` (a key of :data:`TRACES`).

    Raises
    ------
    ValueError
        ``name`` is not a known trace (the message lists them).
    FileNotFoundError
        The data directory lacks the file; the message says where it was looked for and how to provide it.
    """
    from ..data import ENV_VAR, data_dir

    if name not in TRACES:
        raise ValueError(f"unknown trace {name!r}; known traces: {', '.join(TRACES)}")
    path = data_dir() / "llm_traces" / TRACES[name]
    if not path.is_file():
        raise FileNotFoundError(
            f"trace {name!r} not found: {path} does not exist; set {ENV_VAR} to a data directory whose "
            f"llm_traces/ folder holds {TRACES[name]} (see the SOURCE.md shipped with the shared data)"
        )
    return path


def _sniff(columns: list[str], path: str) -> tuple[str, dict[str, str]]:
    """The layout of a header and a map from our roles to the file's column names (case-insensitive)."""
    lower = {c.lower(): c for c in columns}
    best, best_missing = None, None
    for fmt, (arr, prompt, out, _) in _FORMATS.items():
        required = [prompt, out] + ([arr] if arr is not None else [])
        missing = [c for c in required if c.lower() not in lower]
        if not missing:
            roles = {"prompt_tokens": lower[prompt.lower()], "output_tokens": lower[out.lower()]}
            arrival = arr if arr is not None else _OPTIONAL_ARRIVAL[fmt]
            if arrival.lower() in lower:
                roles["arrival"] = lower[arrival.lower()]
            return fmt, roles
        if best_missing is None or len(missing) < len(best_missing):
            best, best_missing = fmt, missing
    expected = "; ".join(
        f"{desc}: {', '.join(c for c in (arr, prompt, out) if c is not None)}"
        + (f" (optional {_OPTIONAL_ARRIVAL[fmt]})" if fmt in _OPTIONAL_ARRIVAL else "")
        for fmt, (arr, prompt, out, desc) in _FORMATS.items()
    )
    found = ", ".join(repr(c) for c in columns) or "none"
    closest = _FORMATS[best][3] if best is not None else ""
    raise ParseError(
        f"unrecognised trace header: missing column(s) {', '.join(map(repr, best_missing or []))} "
        f"of the closest layout ({closest}); found columns: {found}; expected one of: {expected}",
        path,
        1,
    )


def _line(df: pd.DataFrame, pos: int) -> int:
    """File line (1-based, header = 1) of the row at position ``pos`` (blank lines are kept as rows)."""
    return int(df.index[pos]) + 2


def _show(value: object) -> str:
    """A cell as written (pandas turns integer columns with blank lines into floats: ``-2.0`` -> ``'-2'``)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return repr(str(value).strip())


def _lengths(df: pd.DataFrame, column: str, path: str) -> np.ndarray:
    """Column ``column`` as int64 token counts ``>= 1``, or a ParseError at the first bad row."""
    raw = df[column]
    if pd.api.types.is_integer_dtype(raw.dtype):
        values = raw.to_numpy(dtype=np.int64)
        bad = (values < 1) | (values > MAX_TOKENS)
    else:
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(num) | (num < 1) | (num != np.floor(num)) | (num > MAX_TOKENS)
        values = None if bad.any() else num.astype(np.int64)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = raw.iloc[pos]
        what = "missing value" if pd.isna(value) else f"{_show(value)} is not a positive integer"
        raise ParseError(
            f"column {column!r}: {what} (token counts must be integers from 1 to {MAX_TOKENS:,})",
            path,
            _line(df, pos),
        )
    return values


def _arrivals(df: pd.DataFrame, column: str, fmt: str, path: str) -> np.ndarray:
    """Arrival times in seconds re-based to the first row, or a ParseError at the first bad row."""
    raw = df[column]
    if fmt == "azure" and not pd.api.types.is_numeric_dtype(raw.dtype):
        stamps = pd.to_datetime(raw, format="ISO8601", errors="coerce")
        bad = stamps.isna().to_numpy()
        if not bad.any():
            ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
            seconds = (ns - ns[0]) / 1e9
        kind = "timestamp (expected like 2023-11-16 18:15:46.6805900)"
    else:
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(num)
        if not bad.any():
            seconds = num - num[0]
        kind = "arrival time in seconds"
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = raw.iloc[pos]
        what = "missing value" if pd.isna(value) else f"{_show(value)} is not a valid {kind}"
        raise ParseError(f"column {column!r}: {what}", path, _line(df, pos))
    back = np.flatnonzero(np.diff(seconds) < 0)
    if back.size:
        pos = int(back[0]) + 1
        raise ParseError(
            f"column {column!r}: arrival goes backwards: {str(raw.iloc[pos]).strip()!r} is earlier than "
            f"{str(raw.iloc[pos - 1]).strip()!r} on line {_line(df, pos - 1)} "
            "(rows must be sorted by arrival)",
            path,
            _line(df, pos),
        )
    return seconds.astype(np.float64)


def read_trace(path: str | Path) -> pd.DataFrame:
    """Read a request trace.

    Parameters
    ----------
    path
        A CSV file in one of the layouts of this module's docstring (recognised from its header),
        or the name of a trace in :data:`TRACES` (``"azure-conv"``, ...) when no such file exists.

    Returns
    -------
    pandas.DataFrame
        One row per request, in file order, with columns ``arrival`` (float64 seconds, re-based so that
        the first request arrives at 0.0; ``NaN`` for every row when the file has no timestamps),
        ``prompt_tokens`` and ``output_tokens`` (int64, ``>= 1``). ``df.attrs`` holds ``"path"`` and
        ``"format"`` (``"azure"``, ``"stats"`` or ``"generic"``).

    Raises
    ------
    schedopt.errors.ParseError
        Naming the file, the line (1-based, header = line 1) and the column: an unrecognised header
        (the message lists the columns found and the ones expected), a row with too many fields, a
        missing, non-integer, zero or negative token count, an unparsable timestamp, a timestamp earlier
        than the previous row's, or a file without data rows.
    FileNotFoundError
        The file (or the named trace's file) does not exist.
    """
    p = Path(path)
    if not p.exists() and str(path) in TRACES:
        p = trace_path(str(path))
    where = str(p)
    if not p.is_file():
        raise FileNotFoundError(f"trace file {where} not found (named traces: {', '.join(TRACES)})")
    try:
        df = pd.read_csv(p, skip_blank_lines=False, index_col=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise ParseError("empty file: expected a header row", where, 1) from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise ParseError(
                f"expected {m.group(1)} comma-separated fields (as in the header), found {m.group(3)}",
                where,
                int(m.group(2)),
            ) from None
        raise ParseError(f"not a readable CSV file: {exc}", where) from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"not a text CSV file ({exc.reason})", where) from None
    df.columns = [str(c).strip() for c in df.columns]
    fmt, roles = _sniff(list(df.columns), where)
    df = df[df.notna().any(axis=1)]  # blank lines (their index keeps the line numbers right)
    if len(df) == 0:
        raise ParseError("no data rows after the header", where, 1)
    prompt = _lengths(df, roles["prompt_tokens"], where)
    output = _lengths(df, roles["output_tokens"], where)
    arrival = _arrivals(df, roles["arrival"], fmt, where) if "arrival" in roles else np.full(len(df), np.nan)
    out = pd.DataFrame({"arrival": arrival, "prompt_tokens": prompt, "output_tokens": output})
    out.attrs["path"] = where
    out.attrs["format"] = fmt
    return out
