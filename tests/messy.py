"""Random messy Session Summary dumps (NDJSON bytes) that exercise every tolerance rule of SPEC §2.

`messy_dump(seed, n)` is deterministic for a seed. The generator does not keep its own tally: the
oracle (`tests/oracle.py`) computes the expected figures from the bytes, so the generator only has
to be messy, not right.

It avoids the few corners where the spec leaves the *type* of a figure open: a metric never
appears both as an integral float (`13.0`) and as an int (`13`) in first copies, so min/max/
percentile types are well defined; integral floats only appear in duplicate copies (`13` vs
`13.0` is not a conflict). It also avoids integers beyond 64 bits, escaped lone surrogates and
non-ASCII digits, where JSON parsers legitimately differ.
"""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

_EPOCH = datetime(2024, 3, 1, tzinfo=UTC)
_UNKNOWN_CODE_MESSAGES: dict[Any, str | None] = {
    -3001: "Custom carrier failure",
    "abc": "Alphabet soup",
    "E42": None,  # never carries a message → "unknown error"
    -4242: "Regional gateway rejected the call",
}
_CATALOG_CODES = (-2001, -2002, -2003, -2004, -2005, -2006, -2007, -2008, -2009, -2010, -9999)
_DECIMAL_RE = re.compile(r"(?<=[:\[,])(-?[0-9]+\.[0-9]+)(?=[,}\]])")


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _timestamp(rng: random.Random, moment: datetime) -> Any:
    """One timestamp in one of many spellings, or (rarely) something that is not a timestamp."""
    r = rng.random()
    if r < 0.03:
        return rng.choice(
            [
                None,
                "",
                "n/a",
                1711346490,
                moment.strftime("%Y-%m-%d"),  # a date, not a date-time
                "2024-02-30T10:00:00Z",  # no such day
                "yesterday",
            ]
        )
    if r < 0.55:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if r < 0.70:  # fractional seconds (milliseconds, so differences stay exact)
        millis = moment.microsecond // 1000
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"
    if r < 0.85:  # an offset
        offset = rng.choice([timedelta(hours=8), timedelta(hours=-5, minutes=-30), timedelta(0)])
        local = moment.astimezone(timezone(offset))
        text = local.strftime("%Y-%m-%dT%H:%M:%S")
        if local.microsecond and _chance(rng, 0.5):
            text += f".{local.microsecond // 1000:03d}"
        sign = "-" if offset < timedelta(0) else "+"
        minutes = abs(int(offset.total_seconds())) // 60
        return text + f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    if r < 0.95:  # no offset: UTC
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".000Z"


def _number_or_string(rng: random.Random, value: Any, p_string: float = 0.08) -> Any:
    """The value itself, or (sometimes) the same number written in a string."""
    if _chance(rng, p_string):
        text = json.dumps(value)
        return rng.choice([text, f" {text} ", text])
    return value


def _bad_metric(rng: random.Random) -> Any:
    return rng.choice(["n/a", "", None, True, False, "4,5", "NaN", {"v": 1}, [4.1], "1e400"])


def _moment(rng: random.Random) -> datetime:
    seconds = rng.randrange(0, 30 * 86400)
    millis = rng.choice([0, 0, 0, rng.randrange(1, 1000)])
    return _EPOCH + timedelta(seconds=seconds, milliseconds=millis)


def _status(rng: random.Random, status: str) -> Any:
    """A status as 8x8 sends it, or in one of the spellings the spec tolerates."""
    r = rng.random()
    if r < 0.85:
        return status
    if r < 0.90:
        return status.lower().replace("_", " ")  # "no answer"
    if r < 0.94:
        return f" {status.title().replace('_', ' ')} "  # " No Answer "
    return rng.choice([None, 42, True, "COMPLETED_UNSUBSCRIBED", "UNSUBSCRIBED_CONTACT"])


def _quality(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.05:
        return rng.choice([None, "n/a", [], {}])
    mos = round(min(4.9, max(1.0, rng.gauss(4.1, 0.5))), rng.choice([1, 2]))
    if mos == int(mos):
        mos += 0.05  # keep integral floats out of first copies (see module docstring)
    jitter: Any = rng.choice([rng.randrange(0, 25), rng.randrange(0, 80), rng.randrange(0, 5)])
    if _chance(rng, 0.1):
        jitter += 0.5
    plr: Any = rng.choice([0, 0, 0, 0, round(rng.uniform(0.0001, 0.03), 4), 0.004])
    if _chance(rng, 0.03):
        plr = 2.5  # a percentage where a fraction belongs
    if plr != 0 and plr == int(plr):
        plr += 0.25
    quality: dict[str, Any] = {
        "mos": _number_or_string(rng, mos),
        "packetLossRate": _number_or_string(rng, plr),
        "jitter": _number_or_string(rng, jitter),
    }
    for key in list(quality):
        r = rng.random()
        if r < 0.04:
            quality[key] = _bad_metric(rng)
        elif r < 0.07:
            del quality[key]
    return quality


def _duration(rng: random.Random, seconds: float) -> Any:
    r = rng.random()
    if r < 0.03:
        return _bad_metric(rng)
    if r < 0.12:
        value: Any = round(seconds + 0.25, 2)  # a non-integral float duration
        if value == int(value):
            value += 0.5
        return _number_or_string(rng, value)
    return _number_or_string(rng, round(seconds))


def _error_details(rng: random.Random, catalog_code: int) -> Any:
    """An `errorDetails` value: an object, a list of objects, or something odd."""
    r = rng.random()
    if r < 0.55:
        code: Any = catalog_code
        message: Any = "some text 8x8 sent"
    elif r < 0.75:
        code = rng.choice(list(_UNKNOWN_CODE_MESSAGES))
        message = _UNKNOWN_CODE_MESSAGES[code]
    else:
        code = rng.choice([{}, True, None, [], "-2004", " -2010 ", -2004.0, "-2002"])
        message = rng.choice(["No coverage", None, "whatever"])
    if isinstance(code, int) and _chance(rng, 0.2):
        code = rng.choice([str(code), float(code), f" {code} "])
    entry: dict[str, Any] = {"errorMsg": message, "errorCode": code}
    if message is None or _chance(rng, 0.1):
        del entry["errorMsg"]
    if _chance(rng, 0.05):
        del entry["errorCode"]
    r = rng.random()
    if r < 0.12:
        return [entry, dict(entry)]  # the same code twice counts once per session
    if r < 0.18:
        return [entry, {"errorCode": rng.choice(_CATALOG_CODES)}, "junk"]
    if r < 0.21:
        return rng.choice(["oops", 17, None])
    return entry


def _leg(
    rng: random.Random, direction: str, start: datetime, status: str, connect_after: float | None
) -> dict[str, Any]:
    leg: dict[str, Any] = {
        "callId": f"{rng.getrandbits(64):016x}",
        "callDirection": direction,
        "callType": "PSTN",
        "initiatedTimestamp": _timestamp(rng, start),
        "source": f"+65{rng.randrange(10**7, 10**8)}",
        "destination": f"+65{rng.randrange(10**7, 10**8)}",
        "sourceFormat": "MSISDN",
        "destinationFormat": "MSISDN",
        "sourceCountryCode": rng.choice(["SG", "US", "PH", "ID"]),
        "destinationCountryCode": rng.choice(["SG", "SG", "MY", "PH", None, 7]),
        "callStatus": _status(rng, status),
    }
    talk = 0.0
    if connect_after is not None:
        connected = start + timedelta(seconds=connect_after)
        if _chance(rng, 0.03):  # connected before initiated: kept, negative time to answer
            connected = start - timedelta(seconds=rng.randrange(1, 5))
        talk = rng.choice([rng.uniform(1, 9), rng.uniform(10, 600), rng.uniform(0, 30)])
        leg["connectedTimestamp"] = _timestamp(rng, connected)
        leg["disconnectedTimestamp"] = _timestamp(rng, connected + timedelta(seconds=talk))
        leg["callQuality"] = _quality(rng)
    else:
        leg["disconnectedTimestamp"] = _timestamp(
            rng, start + timedelta(seconds=rng.uniform(0, 30))
        )
        if _chance(rng, 0.1):
            leg["callQuality"] = _quality(rng)
    leg["callDuration"] = _duration(rng, talk)
    if _chance(rng, 0.05):
        leg["callDuration"] = rng.choice([rng.randrange(0, 120), rng.randrange(0, 60) + 0.5])
    if _chance(rng, 0.05):
        del leg["callDuration"]
    if direction == "INBOUND":
        leg["destinationRefId"] = "PSTN1"
    else:
        leg["sourceRefId"] = "PSTN1"
    return leg


def _payload(rng: random.Random, session_id: str) -> dict[str, Any]:
    """One session summary: a plausible Number Masking scenario, then some damage."""
    scenario = rng.choices(
        [
            "completed",
            "no_answer",
            "busy",
            "failed",
            "canceled",
            "error_a",
            "error_b",
            "tts_only",
            "with_c",
        ],
        weights=[45, 12, 8, 6, 6, 8, 6, 4, 5],
    )[0]
    start = _moment(rng)
    legs: dict[str, Any] = {}
    session_status = {
        "completed": "COMPLETED",
        "no_answer": "NO_ANSWER",
        "busy": "BUSY",
        "failed": "FAILED",
        "canceled": "CANCELED",
        "error_a": "ERROR",
        "error_b": "ERROR",
        "tts_only": "COMPLETED",
        "with_c": "COMPLETED",
    }[scenario]
    b_status = {"completed": "COMPLETED", "with_c": "COMPLETED"}.get(scenario, session_status)
    a_connect = rng.uniform(0.5, 3) if scenario not in ("error_a", "canceled") else None
    a_status = (
        "ERROR" if scenario == "error_a" else "CANCELED" if scenario == "canceled" else "COMPLETED"
    )
    legs["callA"] = _leg(rng, "INBOUND", start, a_status, a_connect)
    payload: dict[str, Any] = {
        "sessionId": session_id,
        "subAccountId": rng.choice(["8x8_test", "wavecell_voice", "acme"]),
        "sessionStatus": _status(rng, session_status),
        "startTime": _timestamp(rng, start),
        "endTime": _timestamp(rng, start + timedelta(seconds=rng.uniform(1, 700))),
        "lastAction": rng.choice(["MAKE_CALL", "PLAY_TTS", "SAY"]),
    }
    if scenario not in ("error_a", "tts_only"):
        b_start = start + timedelta(seconds=rng.uniform(0, 3))
        b_connect = rng.uniform(1, 40) if b_status == "COMPLETED" else None
        legs["callB"] = _leg(rng, "OUTBOUND", b_start, b_status, b_connect)
    if scenario == "with_c":
        c_start = start + timedelta(seconds=rng.uniform(5, 60))
        legs["callC"] = _leg(rng, "OUTBOUND", c_start, rng.choice(["COMPLETED", "BUSY"]), 2.0)
    if scenario == "error_a":
        payload["errorDetails"] = _error_details(rng, rng.choice([-2004, -2004, -2003, -2008]))
    if scenario == "error_b":
        legs["callB"]["errorDetails"] = _error_details(rng, rng.choice([-2002, -2010, -2001]))
        if _chance(rng, 0.3):
            payload["errorDetails"] = _error_details(rng, -2002)
    if _chance(rng, 0.03):  # an error code on a session that is not ERROR
        payload["errorDetails"] = _error_details(rng, -9999)

    r = rng.random()
    details: Any = legs
    if r < 0.03:
        details = list(legs.values())  # details as a list: no legs
    elif r < 0.05:
        details = rng.choice([None, "n/a", 3])
    elif r < 0.08:
        details = {**legs, "callB": None}  # "callB": null means no callB
    elif r < 0.10:
        details = {**legs, "callX": "not a leg"}
    elif r < 0.11:
        details = None
    payload["callCount"] = len(legs) if _chance(rng, 0.95) else rng.choice([0, "2", None])
    if details is not None or _chance(rng, 0.5):
        payload["details"] = details
    if _chance(rng, 0.04):
        del payload[rng.choice(["startTime", "endTime", "sessionStatus", "subAccountId"])]
    return payload


def _envelope(
    rng: random.Random, payload: Any, event_type: Any = "SESSION_SUMMARY"
) -> dict[str, Any]:
    envelope = {
        "payload": payload,
        "namespace": "VOICE",
        "eventType": event_type,
        "description": rng.choice(
            [
                "Summary of a completed call session",
                "Line\u2028separator and next\u0085line",
                "carriage\rreturn [/] [bold]markup[/bold]",
            ]
        ),
    }
    if _chance(rng, 0.3):
        keys = list(envelope)
        rng.shuffle(keys)
        envelope = {k: envelope[k] for k in keys}
    return envelope


def _shuffled(rng: random.Random, value: Any) -> Any:
    """The same JSON value with every object's keys in a random order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _shuffled(rng, value[k]) for k in keys}
    if isinstance(value, list):
        return [_shuffled(rng, v) for v in value]
    return value


def _floats_for_ints(value: Any) -> Any:
    """Every integer (not booleans) written as a float: equal as JSON numbers (13 == 13.0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats_for_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats_for_ints(v) for v in value]
    return value


def _conflicting(rng: random.Random, payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of the payload that differs as a JSON value."""
    copy = json.loads(json.dumps(payload))
    r = rng.random()
    if r < 0.25:
        copy["sessionStatus"] = "FAILED" if copy.get("sessionStatus") != "FAILED" else "BUSY"
    elif r < 0.45:
        copy["endTime"] = "2030-01-01T00:00:00Z"
    elif r < 0.60:
        copy["callCount"] = str(copy.get("callCount"))  # "2" is not 2
    elif r < 0.75:
        count = copy.get("callCount")
        copy["callCount"] = (count == 1) if count in (0, 1) else True  # true is not 1
    elif r < 0.90:
        copy.pop("subAccountId", None)
        copy["extra"] = None
    else:
        copy["details"] = {}
    return copy


def _serialize(rng: random.Random, value: Any, decimals_padded: bool = False) -> bytes:
    """Compact or spaced JSON, ASCII or raw UTF-8."""
    separators = (",", ":") if _chance(rng, 0.7) else (", ", ": ")
    text = json.dumps(value, separators=separators, ensure_ascii=_chance(rng, 0.5))
    if decimals_padded and separators == (",", ":"):
        text = _DECIMAL_RE.sub(lambda m: m.group(1) + "0", text)  # 4.5 → 4.50: equal numbers
    return text.encode("utf-8")


def _malformed(rng: random.Random, good: bytes) -> bytes:
    options = [
        good[: rng.randrange(1, max(2, len(good) - 1))],  # truncated
        b"{",
        b"[",
        b"NaN",
        b'{"sessionId": "nan-1", "callQuality": {"mos": NaN}}',
        b'{"sessionId": "inf-1", "payload": {"sessionId": "x", "callDuration": 1e400}}',
        b'{"sessionId": "neg-inf", "mos": -Infinity}',
        b"\xff\xfe{garbage}",
        b'{"sessionId": "bad-utf8-\xc3\x28"}',
        b'{"sessionId": "surrogate-\xed\xa0\x80"}',
        b"[" * 1100 + b"]" * 1100,  # nesting past 1024
        b'{"sessionId": "trailing"} x',
        b'{"sessionId": "two"} {"sessionId": "values"}',
        b"{'sessionId': 'single-quotes'}",
        b'{"sessionId": "trailing-comma",}',
        b'{"sessionId": "ctl\x01char"}',
        b"\xef\xbb\xbf" + good,  # a BOM in the middle of a file is not accepted
        b"undefined",
        b"\x0c",  # form feed only: not blank (only spaces, tabs and CR are)
    ]
    return rng.choice(options)


def _invalid(rng: random.Random) -> bytes:
    options: list[Any] = [
        [1, 2, 3],
        [{"sessionId": "in-an-array"}],
        "a string",
        42,
        None,
        True,
        {},
        {"foo": "bar"},
        {"payload": None, "eventType": "SESSION_SUMMARY", "namespace": "VOICE"},
        {"payload": [{"sessionId": "x"}], "eventType": "SESSION_SUMMARY"},
        {"payload": {"sessionId": 12345}, "eventType": "SESSION_SUMMARY"},
        {"payload": {"subAccountId": "no-session-id"}},
        {"payload": "x", "sessionId": "top-level-id-does-not-count"},
        {"sessionId": None, "sessionStatus": "COMPLETED"},
        {"sessionId": ["a"]},
    ]
    return _serialize(rng, rng.choice(options))


def _other_event(rng: random.Random, payload: dict[str, Any]) -> bytes:
    r = rng.random()
    event_type = rng.choice(["CALL_STATUS", "CALL_ACTION", None, 5, "session_summary", ""])
    if r < 0.7:
        return _serialize(rng, _envelope(rng, payload, event_type))
    return _serialize(rng, {**payload, "eventType": event_type})


def messy_dump(seed: int, n: int) -> bytes:
    """About `n` lines of messy NDJSON (deterministic for `seed`)."""
    rng = random.Random(seed)
    lines: list[bytes] = []
    emitted: list[dict[str, Any]] = []  # first copies, for duplicates
    pending_ids: list[str] = []  # ids first used by other events, reused by real sessions later
    counter = 0

    def new_id() -> str:
        nonlocal counter
        counter += 1
        if pending_ids and _chance(rng, 0.3):
            return pending_ids.pop()
        return f"{seed:04d}-{counter:06d}-{rng.getrandbits(32):08x}"

    for _ in range(n):
        kind = rng.choices(
            [
                "session",
                "dup_same",
                "dup_equal",
                "dup_conflict",
                "blank",
                "malformed",
                "invalid",
                "other",
            ],
            weights=[62, 7, 6, 4, 4, 6, 5, 6],
        )[0]
        if kind.startswith("dup") and not emitted:
            kind = "session"
        if kind == "session":
            payload = _payload(rng, new_id())
            emitted.append(payload)
            as_envelope = _chance(rng, 0.55)
            line = _serialize(rng, _envelope(rng, payload) if as_envelope else payload)
        elif kind == "dup_same":
            payload = rng.choice(emitted)
            line = _serialize(rng, _envelope(rng, payload) if _chance(rng, 0.5) else payload)
        elif kind == "dup_equal":  # equal as JSON: reordered, 13 → 13.0, 4.5 → 4.50, bare/envelope
            payload = _shuffled(rng, rng.choice(emitted))
            if _chance(rng, 0.5):
                payload = _floats_for_ints(payload)
            value = _envelope(rng, payload) if _chance(rng, 0.5) else payload
            line = _serialize(rng, value, decimals_padded=_chance(rng, 0.5))
        elif kind == "dup_conflict":
            payload = _conflicting(rng, rng.choice(emitted))
            line = _serialize(rng, _envelope(rng, payload) if _chance(rng, 0.5) else payload)
        elif kind == "blank":
            line = rng.choice([b"", b" ", b"   ", b"\t", b" \t ", b"\r"])
        elif kind == "malformed":
            good = _serialize(rng, _envelope(rng, _payload(rng, new_id())))
            line = _malformed(rng, good)
        elif kind == "invalid":
            line = _invalid(rng)
        else:
            session_id = f"{seed:04d}-other-{rng.getrandbits(32):08x}"
            if _chance(rng, 0.4):
                pending_ids.append(session_id)
            line = _other_event(rng, _payload(rng, session_id))
        ending = b"\r\n" if _chance(rng, 0.15) else b"\n"
        lines.append(line + ending)

    data = b"".join(lines)
    if _chance(rng, 0.5) and data.endswith(b"\n"):
        data = data[:-2] if data.endswith(b"\r\n") else data[:-1]  # no final newline
    if _chance(rng, 0.3):
        data = b"\xef\xbb\xbf" + data
    return data
