"""Kubernetes resource quantities (``resource.Quantity``) parsed into integers.

The grammar is the one of ``k8s.io/apimachinery/pkg/api/resource``::

    <quantity>     ::= <sign>? <number> <suffix>
    <number>       ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>       ::= <binarySI> | <decimalSI> | <decimalExponent>
    <binarySI>     ::= Ki | Mi | Gi | Ti | Pi | Ei               (2**10 ... 2**60)
    <decimalSI>    ::= n | u | m | "" | k | M | G | T | P | E     (1e-9 ... 1e18)
    <decimalExponent> ::= e <sign>? <digits> | E <sign>? <digits>

so ``"500m"`` is half a unit, ``"1Gi"`` is 2**30, ``"1e3"`` and ``"1k"`` are 1000,
``"129M"`` is 129e6 and ``"1E"`` is 1e18 (``E`` alone is the exa suffix, ``E3`` an exponent).
Values are computed exactly (:class:`fractions.Fraction`) and then rounded **up** (away
from zero), as Kubernetes does when it reads a quantity at a scale: CPU is counted in
millicores (``MilliValue``: ``"0.1"`` -> 100, ``"100n"`` -> 1), every other resource in
whole units (``Value``: memory in bytes, ``"1.5Gi"`` -> 1610612736, ``"100m"`` of memory ->
1 byte). JSON/YAML numbers (``cpu: 2``, ``cpu: 0.5``) are read as their decimal text.

A value that is not a quantity raises :class:`~schedopt.errors.ParseError` whose message
names the object and field, e.g. ``Pod default/web-1: spec.containers[0].resources.requests.cpu:
"12x" is not a quantity``. Deviation: exponents beyond ±40 and values of 2**63 or more are
refused as out of range (Kubernetes caps quantities at about 2**63 too).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from ...errors import ParseError

#: Multipliers of the suffixes.
SUFFIXES: dict[str, Fraction] = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}

_QUANTITY = re.compile(
    r"(?P<sign>[+-]?)(?P<number>\d+(?:\.\d*)?|\.\d+)"
    r"(?:[eE](?P<exp>[+-]?\d+)|(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?"
)

#: Largest exponent magnitude accepted (``1e40``); beyond it the value cannot fit 64 bits anyway.
MAX_EXPONENT = 40

#: Integer results at or above this magnitude are refused.
LIMIT = 1 << 63


def _fail(value: Any, where: str, path: str | Path | None, why: str = "is not a quantity") -> ParseError:
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    prefix = f"{where}: " if where else ""
    return ParseError(f"{prefix}{shown} {why}", path)


def parse_fraction(value: Any, *, where: str = "", path: str | Path | None = None) -> Fraction:
    """The exact value of a quantity.

    Parameters
    ----------
    value
        A quantity string (``"500m"``, ``"1Gi"``, ``"1e3"``), or a JSON/YAML number.
    where
        The object and field, for the error message (``"Pod default/web-1: spec..."``).
    path
        The file being read, for the error message.

    Raises
    ------
    ParseError
        ``value`` is not a quantity (or its exponent is beyond ±:data:`MAX_EXPONENT`).
    """
    if isinstance(value, bool) or value is None:
        raise _fail(value, where, path)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(value, where, path)
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise _fail(value, where, path)
    if len(text) > 100:
        raise _fail(value, where, path, "is not a quantity (longer than 100 characters)")
    m = _QUANTITY.fullmatch(text)
    if m is None:
        raise _fail(value, where, path)
    number = Fraction(m["number"] if not m["number"].endswith(".") else m["number"][:-1])
    if m["exp"] is not None:
        exp = int(m["exp"])
        if abs(exp) > MAX_EXPONENT:
            raise _fail(value, where, path, f"is out of range (exponent beyond ±{MAX_EXPONENT})")
        number *= Fraction(10) ** exp
    else:
        number *= SUFFIXES[m["suffix"] or ""]
    return -number if m["sign"] == "-" else number


def _round_up(x: Fraction) -> int:
    """Round away from zero (Kubernetes ``RoundUp``)."""
    return math.ceil(x) if x >= 0 else -math.ceil(-x)


def parse_quantity(value: Any, *, scale: int = 1, where: str = "", path: str | Path | None = None) -> int:
    """A quantity times ``scale``, rounded up (away from zero) to an integer.

    ``scale=1000`` gives millis (Kubernetes ``MilliValue``), ``scale=1`` units (``Value``).

    Raises
    ------
    ParseError
        Not a quantity, or the result is ``2**63`` or more in magnitude.
    """
    out = _round_up(parse_fraction(value, where=where, path=path) * scale)
    if abs(out) >= LIMIT:
        raise _fail(value, where, path, "is out of range (2**63 or more)")
    return out


def resource_amount(resource: str, value: Any, *, where: str = "", path: str | Path | None = None) -> int:
    """The integer amount of ``resource`` schedopt uses: CPU in millicores, everything else in units.

    >>> resource_amount("cpu", "500m"), resource_amount("cpu", "0.1"), resource_amount("memory", "1Gi")
    (500, 100, 1073741824)
    """
    return parse_quantity(value, scale=1000 if resource == "cpu" else 1, where=where, path=path)


__all__ = ["LIMIT", "MAX_EXPONENT", "SUFFIXES", "parse_fraction", "parse_quantity", "resource_amount"]
