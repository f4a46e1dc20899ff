r"""Independent reference implementation of `vss stats --format json` (SPEC §2-§4), for tests.

Written from the spec alone, without looking at `src/vss`, and kept deliberately simple: whole
input in memory, stdlib `json`, plain lists and `sorted()`. It is slow and that is fine; its only
job is to be obviously right so the real implementation can be compared against it.

Choices where the spec is silent (the implementation must agree, or the spec must say otherwise;
the messy generator avoids the ones marked "not exercised"):

- `input.lines` counts every line, blank ones included; a final `\n` does not start a line. Each
  input's own leading BOM is stripped; a BOM anywhere else makes that line malformed.
- Blank means only spaces, tabs and CR (rule 1 literally): a line holding a form feed is
  malformed.
- Malformed: not strict UTF-8, not exactly one JSON value, NaN/Infinity, a number that overflows a
  double (`1e400`), nesting deeper than 1024 (1024 is fine, 1025 is not), or an escape that leaves
  a lone surrogate (`"\ud800"`). Integers beyond 64 bits stay Python ints here (orjson reads
  those beyond the u64 range as floats): not exercised.
- `eventType` must be exactly the string `SESSION_SUMMARY`; `null` or `session_summary` is other.
- A bare payload is the whole object: an `eventType: "SESSION_SUMMARY"` key inside it is part of
  what a duplicate is compared on (not exercised).
- Conflicts compare JSON values with JSON types: `true` differs from `1` and `"13"` from `13`,
  while `13` equals `13.0` and `4.5` equals `4.50`; key order does not matter.
- Status names: `str.strip()`, `str.upper()`, then each `" "` becomes `"_"`: `"NO  ANSWER"` gives
  `NO__ANSWER`, an inner tab is kept, and `""` (or only spaces) is the key `""`, not `(missing)`
  (not exercised).
- `errorCode`: an integral number, or a string matching `^\s*-?[0-9]+\s*$` (ASCII digits), is an
  int; a non-integral number (`1.5`) is kept as its JSON text `"1.5"`, and so is an integer
  outside the signed 64-bit range; other strings stay as they are.
  Codes are keyed by `str(code)`.
- Messages of codes outside the catalog: each `errorDetails` object of a matched session (payload
  and legs; a code repeated within one session votes again) with a string `errorMsg` is one vote.
- Metrics: numbers as they are; a string is stripped of JSON whitespace (space, tab, CR, LF, not
  NBSP) and must then match the JSON number grammar (so no `NaN`, `+1`, `01`, `0x10`); it becomes an
  int without a fraction or exponent (`"13"` → 13), else a float. Values that are infinite as a
  double are dropped.
- Timestamps: `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]`, upper-case `T` and `Z`, a real calendar
  date-time (no leap second, no hour 24); no offset means UTC. Date-only strings, numbers, week
  dates, `+0800`, `+08`, a missing seconds field, a comma fraction and anything else are missing
  (only date-only and impossible dates are exercised). Fractions beyond microseconds are truncated.
- Output timestamps: UTC, `YYYY-MM-DDTHH:MM:SS`, then `.` and the microseconds with trailing
  zeros stripped when they are not zero (`06:01:30.5Z`, `06:01:30.123Z`), then `Z`.
- `answer_s` is computed exactly from the two instants (`timedelta.total_seconds()`), so `7.123`
  and not `7.1229999` from subtracting float epoch seconds.
- ACD averages the answered sessions whose callB `callDuration` is a valid metric; answered
  sessions without one count in `answered` but not in ACD or in short calls.
- Min/max/percentiles give the first value seen in input order among those equal to the selected
  one (`13` and `13.0` are one counter key). Means use `math.fsum`.
- Order (the comparison ignores it): statuses outside the canonical six by count desc, then name;
  error codes by count desc, then ints ascending before strings ascending.
"""

from __future__ import annotations

import json
import math
import re
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

SCHEMA = "vss.stats/1"
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 1024
BOM = b"\xef\xbb\xbf"

CATALOG = {
    -2001: "An internal error has occurred",
    -2002: "An internal connectivity error has occurred",
    -2003: "The call flow provided is invalid",
    -2004: "No coverage available for requested area",
    -2005: "Unable to synthesize text to speech",
    -2006: "Unable to download file for playback",
    -2007: "The validity period of the call flow request has expired",
    -2008: "The provided source MSISDN or caller ID is not whitelisted",
    -2009: "The scenario parameters provided is invalid",
    -2010: "The trunk capacity has been exceeded",
    -9999: "An unknown error has occurred",
}
CANONICAL_STATUSES = ("COMPLETED", "NO_ANSWER", "BUSY", "CANCELED", "FAILED", "ERROR")
MISSING_STATUS = "(missing)"
PERCENTILES = (50, 90, 95, 99)

_INT_CODE_RE = re.compile(r"\s*-?[0-9]+\s*", re.ASCII)
_JSON_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", re.ASCII)
_TIMESTAMP_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?",
    re.ASCII,
)


# ---------------------------------------------------------------------------------------------
# Parsing and classification (§2)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number overflows a double")
    return value


def _depth(text: str) -> int:
    """Deepest array/object nesting of a JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _has_lone_surrogate(value: Any) -> bool:
    """Whether any string (key or value) in a parsed JSON value holds a lone surrogate."""
    stack = [value]  # iterative: values may nest 1024 deep
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")  # strict: fails exactly on surrogates
            except UnicodeEncodeError:
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


def parse_json_line(line: bytes) -> Any:
    """Parse one line as a JSON value; raise ValueError when it is malformed."""
    if len(line) > MAX_LINE_BYTES:
        raise ValueError("line too long")
    text = line.decode("utf-8")  # strict: invalid UTF-8 (encoded surrogates too) is malformed
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise ValueError("nesting too deep")
    old_limit = sys.getrecursionlimit()
    if text.count("[") + text.count("{") > 500:
        sys.setrecursionlimit(max(old_limit, MAX_DEPTH + 2000))  # stdlib json: 1 frame a level
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float)
    finally:
        sys.setrecursionlimit(old_limit)
    if "\\u" in text and _has_lone_surrogate(value):  # strict UTF-8 text has none of its own
        raise ValueError("lone surrogate")
    return value


def classify(line: bytes) -> tuple[str, Any]:
    """Classify one line (§2 rules 1-5): (counter name, None) or ("session", payload)."""
    if line.strip(b" \t\r") == b"":
        return "blank", None
    try:
        value = parse_json_line(line)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return "malformed", None
    if not isinstance(value, dict):
        return "invalid", None
    if "eventType" in value and value["eventType"] != "SESSION_SUMMARY":
        return "other_events", None
    payload = value.get("payload", value)  # a `payload` key, even null, is the payload
    if not isinstance(payload, dict) or not isinstance(payload.get("sessionId"), str):
        return "invalid", None
    return "session", payload


def split_lines(data: bytes) -> list[bytes]:
    """Split one input into lines: on b"\\n" only, BOM stripped, no line after a final newline."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def json_equal(a: Any, b: Any) -> bool:
    """Equality of parsed JSON values: key order ignored, numbers by value, else strict."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


# ---------------------------------------------------------------------------------------------
# Field tolerance (§2)


def norm_status(value: Any) -> str:
    """`sessionStatus`/`callStatus` → trimmed, upper-case, spaces as `_`; else `(missing)`."""
    if not isinstance(value, str):
        return MISSING_STATUS
    return value.strip().upper().replace(" ", "_")


def norm_code(value: Any) -> int | str | None:
    """`errorCode` → int, a verbatim string code, or None (no code)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, float):
        if value.is_integer() and -(2**63) <= value < 2**63:
            return int(value)
        return repr(value)  # kept as its JSON text (implementation's documented choice)
    if isinstance(value, str):
        if _INT_CODE_RE.fullmatch(value):
            try:
                number = int(value.strip())
            except ValueError:  # past Python's 4300-digit int conversion limit
                return value
            return number if -(2**63) <= number < 2**63 else value
        return value
    return None


def norm_metric(value: Any) -> int | float | None:
    """A metric (`mos`, `jitter`, `packetLossRate`, `callDuration`) → number, or None (left out)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip(" \t\r\n")
        if not _JSON_NUMBER_RE.fullmatch(text):
            return None
        try:
            value = float(text) if any(char in text for char in ".eE") else int(text)
        except ValueError:  # past Python's 4300-digit int conversion limit
            return None
    if not isinstance(value, int | float):
        return None
    try:
        return None if math.isinf(float(value)) else value  # as a double it must be finite
    except OverflowError:  # an int beyond the range of a double
        return None


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO-8601 date-time string → aware UTC datetime; anything else → None (missing)."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP_RE.fullmatch(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = UTC
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        try:
            tz = timezone(sign * delta)
        except ValueError:
            return None
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz
        )
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def format_timestamp(moment: datetime | None) -> str | None:
    """UTC with `Z`; microseconds shown (trailing zeros stripped) only when not zero."""
    if moment is None:
        return None
    m = moment.astimezone(UTC)
    text = f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
    if m.microsecond:
        text += "." + f"{m.microsecond:06d}".rstrip("0")
    return text + "Z"


def legs_of(payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The legs of a payload: object-valued entries of an object `details`."""
    details = payload.get("details")
    if not isinstance(details, dict):
        return []
    return [(key, leg) for key, leg in details.items() if isinstance(leg, dict)]


def error_entries(value: Any) -> list[dict[str, Any]]:
    """`errorDetails` as an object, or a list of objects; anything else holds no error."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def quality_of(leg: dict[str, Any]) -> dict[str, Any]:
    quality = leg.get("callQuality")
    return quality if isinstance(quality, dict) else {}


# ---------------------------------------------------------------------------------------------
# Statistics (§3, §4)


def nearest_rank(p: int, n: int) -> int:
    """1-based nearest rank ⌈p/100 · n⌉, in exact integer arithmetic."""
    return max(1, -(-p * n // 100))


def dist(values: list[Any]) -> dict[str, Any]:
    """The §3 `dist` object of a list of numbers."""
    n = len(values)
    if n == 0:
        return {key: (0 if key == "count" else None) for key in _DIST_KEYS}
    first_seen: dict[Any, Any] = {}
    for value in values:
        first_seen.setdefault(value, value)  # 13 and 13.0 share one key: the first one stays
    ordered = sorted(values)

    def at(rank: int) -> Any:
        return first_seen[ordered[rank - 1]]

    result: dict[str, Any] = {"count": n, "mean": math.fsum(values) / n, "min": at(1)}
    for p in PERCENTILES:
        result[f"p{p}"] = at(nearest_rank(p, n))
    result["max"] = at(n)
    return result


_DIST_KEYS = ("count", "mean", "min", "p50", "p90", "p95", "p99", "max")


def ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def mos_band(mos: float) -> str:
    if mos >= 4.3:
        return "excellent"
    if mos >= 4.0:
        return "good"
    if mos >= 3.6:
        return "fair"
    if mos >= 3.1:
        return "poor"
    return "bad"


def ordered_statuses(counts: dict[str, int]) -> list[str]:
    """Canonical statuses first (those that occur), then the others by count desc, then name."""
    canonical = [s for s in CANONICAL_STATUSES if counts.get(s)]
    others = sorted(
        (s for s in counts if s not in CANONICAL_STATUSES), key=lambda s: (-counts[s], s)
    )
    return canonical + others


def _code_sort_key(item: tuple[int | str, int]) -> tuple[int, int, int, str]:
    code, count = item
    if isinstance(code, int):
        return (-count, 0, code, "")
    return (-count, 1, 0, code)


class _Quality:
    """MOS/jitter/packet-loss values and flags of a set of legs."""

    def __init__(self) -> None:
        self.mos: list[Any] = []
        self.jitter: list[Any] = []
        self.plr: list[Any] = []
        self.flags = {"high_jitter": 0, "high_packet_loss": 0, "low_mos": 0}

    def add(self, leg: dict[str, Any]) -> None:
        quality = quality_of(leg)
        mos = norm_metric(quality.get("mos"))
        jitter = norm_metric(quality.get("jitter"))
        plr = norm_metric(quality.get("packetLossRate"))
        if mos is not None:
            self.mos.append(mos)
            if mos < 3.5:
                self.flags["low_mos"] += 1
        if jitter is not None:
            self.jitter.append(jitter)
            if jitter > 30:
                self.flags["high_jitter"] += 1
        if plr is not None:
            self.plr.append(plr)
            if plr > 0.01:
                self.flags["high_packet_loss"] += 1


def _leg_stats(legs: list[dict[str, Any]]) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    durations: list[Any] = []
    answers: list[float] = []
    quality = _Quality()
    for leg in legs:
        status = norm_status(leg.get("callStatus"))
        statuses[status] = statuses.get(status, 0) + 1
        duration = norm_metric(leg.get("callDuration"))
        if duration is not None:
            durations.append(duration)
        initiated = parse_timestamp(leg.get("initiatedTimestamp"))
        connected = parse_timestamp(leg.get("connectedTimestamp"))
        if initiated is not None and connected is not None:
            answers.append((connected - initiated).total_seconds())
        quality.add(leg)
    return {
        "count": len(legs),
        "status": {s: {"count": statuses[s]} for s in ordered_statuses(statuses)},
        "duration_s": dist(durations),
        "answer_s": dist(answers),
        "mos": dist(quality.mos),
        "jitter": dist(quality.jitter),
        "packet_loss_rate": dist(quality.plr),
        "flags": quality.flags,
    }


def summarize(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """Every section of vss.stats/1 but `input`, over the matched session payloads."""
    n = len(payloads)

    starts = [t for p in payloads if (t := parse_timestamp(p.get("startTime"))) is not None]
    ends = [t for p in payloads if (t := parse_timestamp(p.get("endTime"))) is not None]
    period = {
        "first_start": format_timestamp(min(starts)) if starts else None,
        "last_end": format_timestamp(max(ends)) if ends else None,
    }

    statuses: dict[str, int] = {}
    for p in payloads:
        status = norm_status(p.get("sessionStatus"))
        statuses[status] = statuses.get(status, 0) + 1
    status = {
        s: {"count": statuses[s], "share": statuses[s] / n} for s in ordered_statuses(statuses)
    }

    attempted = answered = ner_legs = short_calls = 0
    answered_durations: list[Any] = []
    for p in payloads:
        details = p.get("details")
        call_b = details.get("callB") if isinstance(details, dict) else None
        if not isinstance(call_b, dict):
            continue
        attempted += 1
        b_status = norm_status(call_b.get("callStatus"))
        if b_status in ("COMPLETED", "BUSY", "NO_ANSWER"):
            ner_legs += 1
        if b_status == "COMPLETED":
            answered += 1
            duration = norm_metric(call_b.get("callDuration"))
            if duration is not None:
                answered_durations.append(duration)
                if duration < 10:
                    short_calls += 1
    error_sessions = statuses.get("ERROR", 0)
    kpi = {
        "attempted": attempted,
        "answered": answered,
        "asr": ratio(answered, attempted),
        "ner": ratio(ner_legs, attempted),
        "acd_s": (
            math.fsum(answered_durations) / len(answered_durations) if answered_durations else None
        ),
        "short_calls": short_calls,
        "short_call_rate": ratio(short_calls, answered),
        "error_sessions": error_sessions,
        "error_rate": ratio(error_sessions, n),
        "success_rate": ratio(statuses.get("COMPLETED", 0), n),
    }

    code_sessions: dict[int | str, int] = {}
    code_messages: dict[int | str, dict[str, int]] = {}
    for p in payloads:
        entries = error_entries(p.get("errorDetails"))
        for _key, leg in legs_of(p):
            entries += error_entries(leg.get("errorDetails"))
        codes: set[int | str] = set()
        for entry in entries:
            code = norm_code(entry.get("errorCode"))
            if code is None:
                continue
            codes.add(code)
            message = entry.get("errorMsg")
            if isinstance(message, str):
                votes = code_messages.setdefault(code, {})
                votes[message] = votes.get(message, 0) + 1
        for code in codes:
            code_sessions[code] = code_sessions.get(code, 0) + 1
    total = sum(code_sessions.values())
    errors = {}
    for code, count in sorted(code_sessions.items(), key=_code_sort_key):
        if isinstance(code, int) and code in CATALOG:
            message = CATALOG[code]
        elif code_messages.get(code):
            message = min(code_messages[code].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        else:
            message = "unknown error"
        errors[str(code)] = {
            "code": code,
            "message": message,
            "count": count,
            "share": count / total,
        }

    all_quality = _Quality()
    bands = {"excellent": 0, "good": 0, "fair": 0, "poor": 0, "bad": 0}
    legs_by_key: dict[str, list[dict[str, Any]]] = {}
    for p in payloads:
        for key, leg in legs_of(p):
            legs_by_key.setdefault(key, []).append(leg)
            all_quality.add(leg)
    for mos in all_quality.mos:
        bands[mos_band(mos)] += 1
    quality = {
        "mos": dist(all_quality.mos),
        "jitter": dist(all_quality.jitter),
        "packet_loss_rate": dist(all_quality.plr),
        "mos_bands": bands,
        "flags": all_quality.flags,
    }
    legs = {key: _leg_stats(legs) for key, legs in legs_by_key.items()}

    return {
        "period": period,
        "status": status,
        "kpi": kpi,
        "errors": errors,
        "quality": quality,
        "legs": legs,
    }


def oracle_stats(data: bytes, files: list[str], dedupe: bool = True) -> dict[str, Any]:
    """The full vss.stats/1 object for the raw (uncompressed) bytes of one input, no filters."""
    return oracle_stats_inputs([data], files, dedupe=dedupe)


def oracle_stats_inputs(
    inputs: list[bytes], files: list[str], dedupe: bool = True
) -> dict[str, Any]:
    """The same for several inputs in argument order (each with its own BOM and last line)."""
    counters = dict.fromkeys(
        ("lines", "blank", "malformed", "invalid", "other_events", "duplicates", "conflicts"), 0
    )
    first_copies: dict[str, dict[str, Any]] = {}
    payloads: list[dict[str, Any]] = []
    for line in (line for data in inputs for line in split_lines(data)):
        counters["lines"] += 1
        kind, payload = classify(line)
        if kind != "session":
            counters[kind] += 1
            continue
        session_id = payload["sessionId"]
        if dedupe and session_id in first_copies:
            counters["duplicates"] += 1
            if not json_equal(first_copies[session_id], payload):
                counters["conflicts"] += 1
            continue
        first_copies[session_id] = payload
        payloads.append(payload)
    input_section = {"files": list(files), **counters}
    input_section["sessions"] = len(payloads)
    input_section["matched"] = len(payloads)
    return {"schema": SCHEMA, "input": input_section, **summarize(payloads)}


# ---------------------------------------------------------------------------------------------
# Comparing two stats objects


_RANKED_KEYS = frozenset({"min", "max", "p50", "p90", "p95", "p99"})


def compare(
    actual: Any,
    expected: Any,
    path: str = "$",
    *,
    strict_types: bool = False,
    rel: float = 1e-9,
    abs_tol: float = 1e-12,
) -> list[str]:
    """Differences between two JSON values, one readable line each (empty when they agree).

    Dict key order is ignored. Numbers are compared with `math.isclose`; int vs float is a
    difference for min/max/percentiles, or everywhere with `strict_types`. Booleans, strings
    and None are never numbers.
    """
    if isinstance(expected, dict) and isinstance(actual, dict):
        diffs = []
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing:
            diffs.append(f"{path}: missing keys {missing}")
        if extra:
            diffs.append(f"{path}: unexpected keys {extra}")
        for key in expected:
            if key in actual:
                diffs += compare(
                    actual[key],
                    expected[key],
                    f"{path}.{key}",
                    strict_types=strict_types,
                    rel=rel,
                    abs_tol=abs_tol,
                )
        return diffs
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: {actual!r} != expected {expected!r}"]
        diffs = []
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            diffs += compare(
                a, e, f"{path}[{i}]", strict_types=strict_types, rel=rel, abs_tol=abs_tol
            )
        return diffs
    if _is_number(expected) and _is_number(actual):
        if not math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_tol):
            return [f"{path}: {actual!r} != expected {expected!r}"]
        leaf = path.rsplit(".", 1)[-1]
        if type(actual) is not type(expected) and (strict_types or leaf in _RANKED_KEYS):
            return [
                f"{path}: type {type(actual).__name__} ({actual!r}) "
                f"!= expected {type(expected).__name__} ({expected!r})"
            ]
        return []
    if type(actual) is type(expected) and actual == expected:
        return []
    return [f"{path}: {actual!r} != expected {expected!r}"]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
