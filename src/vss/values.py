"""SPEC §2 value rules: statuses, metrics and error codes as the data may spell them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

Number = int | float
Code = int | str
MISSING = "(missing)"


@dataclass(slots=True)
class ErrorPlace:
    """An error code where it appears: `payload` or a leg key, with its message if any."""

    where: str
    code: Code
    message: str | None


_INT_CODE = re.compile(r"\s*-?[0-9]+\s*", re.ASCII)
_CACHE_LIMIT = 4096
# only texts this short are cached: a line may be megabytes long, and 4,096 of them would stay
_CACHED_TEXT_MOST = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_MAX_CODE_TEXT = 64  # longer digit strings are not parsed as integers (int() has a limit)

# status text as found → its name; read directly by the aggregate's hot loop
status_cache: dict[str, str] = {}


def status_name(value: Any) -> str:
    """SPEC §2: trimmed, upper-cased, each inner space → `_`; not a string → (missing)."""
    if type(value) is not str:
        return MISSING
    cached = status_cache.get(value)
    if cached is not None:
        return cached
    name = value.strip().upper().replace(" ", "_")
    if len(status_cache) < _CACHE_LIMIT and len(value) <= _CACHED_TEXT_MOST:
        status_cache[value] = name
    return name


def metric(value: Any) -> Number | None:
    """SPEC §2: a JSON number, or a string holding one; anything else → None."""
    kind = type(value)
    if kind is int:
        return value  # type: ignore[no-any-return]
    if kind is str:
        try:
            value = orjson.loads(value)  # JSON whitespace around the number is allowed
        except orjson.JSONDecodeError:
            return None
        kind = type(value)
        if kind is int:
            return value  # type: ignore[no-any-return]
    if kind is float:
        # 13.0 is 13: statistics must not depend on which spelling was seen first
        if value.is_integer() and INT64_MIN <= value <= INT64_MAX:
            return int(value)
        return value  # type: ignore[no-any-return]
    return None


def error_code(value: Any) -> Code | None:
    """SPEC §2: integral numbers and numeric strings → int; other strings stay; else None.

    A non-integral number is kept as its JSON text (`"1.5"`); so is an integer outside
    the signed 64-bit range, which JSON tools cannot carry as a number.
    """
    kind = type(value)
    if kind is int:
        return value if INT64_MIN <= value <= INT64_MAX else str(value)
    if kind is float:
        if value.is_integer() and INT64_MIN <= value <= INT64_MAX:
            return int(value)
        return orjson.dumps(value).decode()
    if kind is str:
        code = _code_texts.get(value)
        if code is None:
            code = _text_code(value)
            if len(_code_texts) < _CACHE_LIMIT and len(value) <= _CACHED_TEXT_MOST:
                _code_texts[value] = code
        return code
    return None


_code_texts: dict[str, Code] = {}  # error codes as found in strings → codes (few distinct)


def _text_code(value: str) -> Code:
    """`error_code` of a string."""
    if len(value) <= _MAX_CODE_TEXT and _INT_CODE.fullmatch(value):
        number = int(value)
        if INT64_MIN <= number <= INT64_MAX:
            return number
    return str(value)


def collect_errors(details: Any, where: str, out: list[ErrorPlace]) -> None:
    """errorDetails is documented as an object; a list of objects is tolerated."""
    items = details if type(details) is list else (details,)
    for item in items:
        if type(item) is not dict:
            continue
        code = error_code(item.get("errorCode"))
        if code is None:
            continue
        message = item.get("errorMsg")
        out.append(ErrorPlace(where, code, message if type(message) is str else None))


def session_errors(payload: dict[str, Any]) -> list[ErrorPlace]:
    """Every error of a payload: its own errorDetails, then each leg's, in order."""
    errors: list[ErrorPlace] = []
    details = payload.get("errorDetails")
    if details is not None:
        collect_errors(details, "payload", errors)
    legs = payload.get("details")
    if type(legs) is dict:
        for key, raw in legs.items():
            if type(raw) is dict and raw.get("errorDetails") is not None:
                collect_errors(raw["errorDetails"], key, errors)
    return errors
