"""One input line (bytes) → a normalized `Session`, or a classified `Rejection` (SPEC §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from vss.records import MISSING, Code, ErrorPlace, Leg, Number, Session
from vss.timestamps import timestamp

BLANK = "blank"
MALFORMED = "malformed"
INVALID = "invalid"
OTHER_EVENT = "other_events"

DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
SESSION_SUMMARY = "SESSION_SUMMARY"


@dataclass(slots=True, frozen=True)
class Rejection:
    """A line that is not a session: its counter (`kind`) and a reason safe to show."""

    kind: str
    reason: str


_BLANK_CHARS = b" \t\r"
_INT_CODE = re.compile(r"\s*-?[0-9]+\s*", re.ASCII)
_status_cache: dict[str, str] = {}
_CACHE_LIMIT = 4096
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_MAX_CODE_TEXT = 64  # longer digit strings are not parsed as integers (int() has a limit)


def parse_line(line: bytes, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Session | Rejection:
    """Classify one line by the first rule of SPEC §2 that applies."""
    if not line.strip(_BLANK_CHARS):
        return Rejection(BLANK, "blank line")
    if len(line) > max_line_bytes:
        return Rejection(MALFORMED, f"line longer than --max-line-bytes ({max_line_bytes})")
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Rejection(MALFORMED, f"not valid JSON ({_short_reason(exc)})")
    return session_from_object(obj)


def session_from_object(obj: Any) -> Session | Rejection:
    """Rules 3-5 of SPEC §2 on a parsed JSON value."""
    if type(obj) is not dict:
        return Rejection(INVALID, f"not a JSON object ({_json_type(obj)})")
    if "eventType" in obj and obj["eventType"] != SESSION_SUMMARY:
        return Rejection(OTHER_EVENT, "other event type")
    if "payload" in obj:
        payload = obj["payload"]
        if type(payload) is not dict:
            return Rejection(INVALID, f"payload is not an object ({_json_type(payload)})")
        if type(payload.get("sessionId")) is not str:
            return Rejection(INVALID, "payload has no string sessionId")
    else:
        payload = obj
        if type(payload.get("sessionId")) is not str:
            return Rejection(INVALID, "no payload and no string sessionId")
    return normalize(payload)


def normalize(payload: dict[str, Any]) -> Session:
    """Build a `Session` from a payload object that has a string sessionId."""
    legs: dict[str, Leg] = {}
    errors: list[ErrorPlace] = []
    details = payload.get("errorDetails")
    if details is not None:
        _collect_errors(details, "payload", errors)
    raw_legs = payload.get("details")
    if type(raw_legs) is dict:
        for key, raw in raw_legs.items():
            if type(raw) is not dict:
                continue
            # the common types are taken as they are; anything else goes through metric()
            quality = raw.get("callQuality")
            if type(quality) is dict:
                mos = quality.get("mos")
                if type(mos) is not float or mos.is_integer():
                    mos = metric(mos)
                jitter = quality.get("jitter")
                if type(jitter) is not int:
                    jitter = metric(jitter)
                loss = quality.get("packetLossRate")
                if type(loss) is not int:
                    loss = metric(loss)
            else:
                mos = jitter = loss = None
            duration = raw.get("callDuration")
            if type(duration) is not int:
                duration = metric(duration)
            legs[key] = Leg(
                key,
                status_name(raw.get("callStatus")),
                duration,
                timestamp(raw.get("connectedTimestamp")),
                mos,
                jitter,
                loss,
                raw,
            )
            if "errorDetails" in raw:
                leg_errors = raw["errorDetails"]
                if leg_errors is not None:
                    _collect_errors(leg_errors, key, errors)
    return Session(
        payload["sessionId"],
        status_name(payload.get("sessionStatus")),
        timestamp(payload.get("startTime")),
        timestamp(payload.get("endTime")),
        legs,
        errors,
        payload,
    )


def _collect_errors(details: Any, where: str, out: list[ErrorPlace]) -> None:
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


def error_code(value: Any) -> Code | None:
    """SPEC §2: integral numbers and numeric strings → int; other strings stay; else None.

    A non-integral number is kept as its JSON text (`"1.5"`); so is an integer outside
    the signed 64-bit range, which JSON tools cannot carry as a number.
    """
    kind = type(value)
    if kind is int:
        return int(value) if _INT64_MIN <= value <= _INT64_MAX else str(value)
    if kind is float:
        if value.is_integer() and _INT64_MIN <= value <= _INT64_MAX:
            return int(value)
        return orjson.dumps(value).decode()
    if kind is str:
        if len(value) <= _MAX_CODE_TEXT and _INT_CODE.fullmatch(value):
            number = int(value)
            if _INT64_MIN <= number <= _INT64_MAX:
                return number
        return str(value)
    return None


def status_name(value: Any) -> str:
    """SPEC §2: trimmed, upper-cased, each inner space → `_`; not a string → (missing)."""
    if type(value) is not str:
        return MISSING
    cached = _status_cache.get(value)
    if cached is not None:
        return cached
    name = value.strip().upper().replace(" ", "_")
    if len(_status_cache) < _CACHE_LIMIT:
        _status_cache[value] = name
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
        if value.is_integer() and _INT64_MIN <= value <= _INT64_MAX:
            return int(value)
        return value  # type: ignore[no-any-return]
    return None


def _short_reason(exc: orjson.JSONDecodeError) -> str:
    """orjson's message without the offending text (it never echoes the line itself)."""
    return str(exc).split(":", 1)[0]


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)
