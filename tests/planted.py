"""Dumps with planted inconsistencies, and an independent reading of `vss check` (SPEC §7).

Written from the spec and the reference's "Session statuses" table alone, without looking at
`src/vss`. `problems_of(payload)` is the reference reading of every §7 problem kind;
`planted_dump(seed, n)` builds a realistic, otherwise clean dump into which a random number of
each kind is planted (some sessions get several), plus traps that must not count: later copies
of a clean session that have a problem (the first copy wins), a clean later copy of a planted
session, and lines that are not sessions (malformed, invalid, other events) carrying problems.

Readings where §7 is terse (the implementation documents the same ones):

- `status_mismatch` / `undocumented_combination` are judged only when `sessionStatus` is one of
  the six Number Masking statuses; the pair is (callA's status, or NULL without a callA leg;
  callB's status, or NULL without a callB leg); statuses are normalized as in §2 (so the table's
  `NO ANSWER` is `NO_ANSWER`). A leg with a missing status has the status `(missing)`, which is
  in no row of the table.
- `call_count_mismatch` only when `callCount` is a JSON number (by value: `2.0` is 2).
- `duration_mismatch`: "never connected" = no `connectedTimestamp` that is a timestamp (§2).
  Only legs whose `callDuration` is a metric (§2) are judged.
- `implausible_quality`: legs' `callQuality` (`mos`, `packetLossRate`, `jitter`) and legs'
  `callDuration`, all read as §2 metrics (a numeric string counts); the bounds 1, 5, 0 and 1 are
  plausible.
- `unknown_status`: a missing or non-string status is `(missing)`, outside every list.
- A session counts at most once per kind.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from oracle import (
    CANONICAL_STATUSES,
    CATALOG,
    classify,
    error_entries,
    legs_of,
    norm_code,
    norm_metric,
    norm_status,
    parse_timestamp,
    quality_of,
    split_lines,
)

Payload = dict[str, Any]

KINDS = (
    "status_mismatch",
    "undocumented_combination",
    "call_count_mismatch",
    "end_before_start",
    "connected_before_initiated",
    "duration_mismatch",
    "error_without_details",
    "unknown_code",
    "unknown_status",
    "implausible_quality",
)
SIX = CANONICAL_STATUSES  # COMPLETED, NO_ANSWER, BUSY, CANCELED, FAILED, ERROR
OTHER_DOCUMENTED = ("COMPLETED_UNSUBSCRIBED", "COMPLETED_UNSUB_ERROR", "UNSUBSCRIBED_CONTACT")

# The reference's "Session statuses" table, as printed there (CallA, CallB, Status).
_REFERENCE_TABLE = """\
COMPLETED|COMPLETED|COMPLETED
COMPLETED|NO ANSWER|NO ANSWER
COMPLETED|BUSY|BUSY
COMPLETED|FAILED|FAILED
CANCELED|CANCELED|CANCELED
COMPLETED|NULL|COMPLETED
ERROR|NULL|ERROR
COMPLETED|ERROR|ERROR"""
STATUS_TABLE: dict[tuple[str, str], str] = {
    (norm_status(a), norm_status(b)): norm_status(s)
    for a, b, s in (row.split("|") for row in _REFERENCE_TABLE.splitlines())
}
NULL = "NULL"


# ---------------------------------------------------------------------------------------------
# The reference reading of `vss check`


def _leg_key(payload: Payload, key: str) -> dict[str, Any] | None:
    details = payload.get("details")
    if not isinstance(details, dict):
        return None
    leg = details.get(key)
    return leg if isinstance(leg, dict) else None


def session_codes(payload: Payload) -> set[int | str]:
    """The distinct normalized error codes of a session (payload and every leg)."""
    entries = error_entries(payload.get("errorDetails"))
    for _key, leg in legs_of(payload):
        entries += error_entries(leg.get("errorDetails"))
    return {code for e in entries if (code := norm_code(e.get("errorCode"))) is not None}


def status_pair(payload: Payload) -> tuple[str, str]:
    """(callA status or NULL, callB status or NULL), normalized."""
    pair = []
    for key in ("callA", "callB"):
        leg = _leg_key(payload, key)
        pair.append(NULL if leg is None else norm_status(leg.get("callStatus")))
    return pair[0], pair[1]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def problems_of(payload: Payload) -> set[str]:
    """The §7 problem kinds of one session payload."""
    found: set[str] = set()
    status = norm_status(payload.get("sessionStatus"))
    legs = legs_of(payload)

    if status in SIX:
        pair = status_pair(payload)
        if pair not in STATUS_TABLE:
            found.add("undocumented_combination")
        elif STATUS_TABLE[pair] != status:
            found.add("status_mismatch")

    count = payload.get("callCount")
    if _is_number(count) and count != len(legs):
        found.add("call_count_mismatch")

    start = parse_timestamp(payload.get("startTime"))
    end = parse_timestamp(payload.get("endTime"))
    if start is not None and end is not None and end < start:
        found.add("end_before_start")

    codes = session_codes(payload)
    if status == "ERROR" and not codes:
        found.add("error_without_details")
    if any(not (isinstance(code, int) and code in CATALOG) for code in codes):
        found.add("unknown_code")
    if status not in SIX + OTHER_DOCUMENTED:
        found.add("unknown_status")

    for _key, leg in legs:
        initiated = parse_timestamp(leg.get("initiatedTimestamp"))
        connected = parse_timestamp(leg.get("connectedTimestamp"))
        disconnected = parse_timestamp(leg.get("disconnectedTimestamp"))
        duration = norm_metric(leg.get("callDuration"))
        if initiated is not None and connected is not None and connected < initiated:
            found.add("connected_before_initiated")
        if duration is not None:
            if connected is not None and disconnected is not None:
                if abs(duration - (disconnected - connected).total_seconds()) > 2:
                    found.add("duration_mismatch")
            elif connected is None and duration > 0:
                found.add("duration_mismatch")
        if norm_status(leg.get("callStatus")) not in SIX:
            found.add("unknown_status")
        quality = quality_of(leg)
        mos = norm_metric(quality.get("mos"))
        loss = norm_metric(quality.get("packetLossRate"))
        jitter = norm_metric(quality.get("jitter"))
        if (
            (mos is not None and not 1 <= mos <= 5)
            or (loss is not None and not 0 <= loss <= 1)
            or (jitter is not None and jitter < 0)
            or (duration is not None and duration < 0)
        ):
            found.add("implausible_quality")
    return found


def first_copies(inputs: Iterable[bytes]) -> list[Payload]:
    """The unique valid session payloads of raw inputs, first copy wins (§2)."""
    seen: set[str] = set()
    payloads = []
    for data in inputs:
        for line in split_lines(data):
            kind, payload = classify(line)
            if kind == "session" and payload["sessionId"] not in seen:
                seen.add(payload["sessionId"])
                payloads.append(payload)
    return payloads


def check_sessions(
    data: bytes | Iterable[bytes], keep: Callable[[Payload], bool] | None = None
) -> tuple[int, dict[str, set[str]]]:
    """(matched sessions, {kind: sessionIds}) of raw input(s); `keep` filters after dedupe."""
    inputs = [data] if isinstance(data, bytes) else list(data)
    payloads = [p for p in first_copies(inputs) if keep is None or keep(p)]
    ids: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for payload in payloads:
        for kind in problems_of(payload):
            ids[kind].add(payload["sessionId"])
    return len(payloads), ids


def retries_with_other_problems(data: bytes) -> int:
    """How many later copies of a sessionId have other problems than its first copy."""
    first: dict[str, set[str]] = {}
    differing = 0
    for line in split_lines(data):
        kind, payload = classify(line)
        if kind != "session":
            continue
        problems = problems_of(payload)
        if payload["sessionId"] in first:
            differing += problems != first[payload["sessionId"]]
        else:
            first[payload["sessionId"]] = problems
    return differing


def expected_counts(
    data: bytes | Iterable[bytes], keep: Callable[[Payload], bool] | None = None
) -> dict[str, int]:
    """{kind: number of sessions} for every kind, as `vss check` should report them."""
    _n, ids = check_sessions(data, keep)
    return {kind: len(ids[kind]) for kind in KINDS}


# ---------------------------------------------------------------------------------------------
# Clean, realistic sessions

BASE = datetime(2024, 3, 25, tzinfo=UTC)
SUBACCOUNTS = ("rideshare_sg", "delivery_apac", "8x8_test", "clinic_my")
COUNTRIES = {"SG": ("+65", 8), "MY": ("+60", 9), "ID": ("+62", 10), "PH": ("+63", 10)}
SCENARIOS = {
    "completed": 40,
    "no_answer": 12,
    "busy": 7,
    "failed": 6,
    "canceled": 6,
    "tts_only": 6,
    "error_a": 7,
    "error_b": 6,
    "with_c": 3,
    "unsubscribed": 3,
}
ERROR_A_CODES = (-2004, -2004, -2003, -2008, -2005, -2006, -2007, -2009, -9999)
ERROR_B_CODES = (-2001, -2002, -2010)


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def stamp(moment: datetime, style: str = "plain") -> str:
    """A timestamp string: `plain` (whole seconds, Z), `fraction` (milliseconds) or `offset`."""
    moment = moment.astimezone(UTC)
    if style == "fraction":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if style == "offset":
        local = moment.astimezone(timezone(timedelta(hours=8)))
        return local.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _spelled(rng: random.Random, status: str) -> str:
    """A status as 8x8 might spell it: mostly canonical, sometimes lower case or spaced."""
    r = rng.random()
    if r < 0.85:
        return status
    if r < 0.93:
        return status.replace("_", " ").title()  # "No Answer"
    return f" {status.lower()} "


def _number(rng: random.Random, country: str) -> str:
    prefix, digits = COUNTRIES[country]
    first = rng.choice("689") if country == "SG" else rng.choice("123456789")
    return prefix + first + "".join(rng.choice("0123456789") for _ in range(digits - 1))


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _quality(rng: random.Random) -> dict[str, Any]:
    quality: dict[str, Any] = {
        "mos": round(rng.uniform(3.0, 4.6), 2),
        "packetLossRate": round(rng.uniform(0, 0.03), 4),
        "jitter": rng.randint(0, 60),
    }
    r = rng.random()
    if r < 0.03:
        quality["mos"] = rng.choice([1, 1.0, 5, 5.0])  # the bounds are plausible
    elif r < 0.06:
        quality["packetLossRate"] = rng.choice([0, 1, 1.0])
    elif r < 0.09:
        quality["mos"] = str(quality["mos"])  # a numeric string is a metric (§2)
    elif r < 0.11:
        quality["jitter"] = rng.choice(["n/a", None])  # not a metric: left out
    return quality


class _Clock:
    """Timestamps of one session, in one spelling style (mostly plain)."""

    def __init__(self, rng: random.Random) -> None:
        r = rng.random()
        self.style = "plain" if r < 0.8 else ("fraction" if r < 0.9 else "offset")
        self.start = BASE + timedelta(seconds=rng.randrange(0, 86_000))
        if self.style == "fraction":
            self.start += timedelta(milliseconds=rng.randrange(1000))

    def at(self, seconds: float) -> datetime:
        # whole milliseconds, so that every spelling is exact
        return self.start + timedelta(milliseconds=round(seconds * 1000))

    def text(self, moment: datetime) -> str:
        return stamp(moment, self.style)


def _leg(
    rng: random.Random,
    clock: _Clock,
    direction: str,
    status: str,
    initiated: float,
    connected: float | None,
    disconnected: float,
    source: str,
    destination: str,
) -> dict[str, Any]:
    leg: dict[str, Any] = {
        "callId": _uuid(rng),
        "callDirection": direction,
        "callType": "PSTN",
        "initiatedTimestamp": clock.text(clock.at(initiated)),
    }
    if connected is not None:
        leg["connectedTimestamp"] = clock.text(clock.at(connected))
    leg["disconnectedTimestamp"] = clock.text(clock.at(disconnected))
    leg.update(
        {
            "source": source,
            "destination": destination,
            "sourceFormat": "MSISDN",
            "destinationFormat": "MSISDN",
            "sourceCountryCode": "SG",
            "destinationCountryCode": "SG",
        }
    )
    if direction == "INBOUND":
        leg["destinationRefId"] = "PSTN1"
    else:
        leg["sourceRefId"] = "PSTN1"
    leg["callStatus"] = _spelled(rng, status)
    if connected is None:
        leg["callDuration"] = 0
    else:
        exact = (clock.at(disconnected) - clock.at(connected)).total_seconds()
        r = rng.random()
        if r < 0.06 and exact.is_integer() and exact >= 2:
            leg["callDuration"] = int(exact) + rng.choice([-2, 2])  # the bound: no mismatch
        elif r < 0.15:
            leg["callDuration"] = round(exact) + rng.choice([-1, 1])
        elif r < 0.2:
            leg["callDuration"] = str(round(exact))  # a numeric string
        else:
            leg["callDuration"] = round(exact)
        if rng.random() < 0.95:
            leg["callQuality"] = _quality(rng)
    return leg


def _error(rng: random.Random, code: int) -> dict[str, Any]:
    spelled: Any = rng.choice([code, code, code, str(code), f" {code} ", float(code)])
    return {"errorMsg": CATALOG[code], "errorCode": spelled}


def clean_session(rng: random.Random, session_id: str) -> Payload:
    """A realistic session consistent with every §7 rule."""
    scenario = rng.choices(list(SCENARIOS), weights=list(SCENARIOS.values()))[0]
    clock = _Clock(rng)
    customer = _number(rng, rng.choice(list(COUNTRIES)))
    virtual = _number(rng, "SG")
    callee = _number(rng, rng.choice(list(COUNTRIES)))
    if chance(rng, 0.1):
        customer = customer.lstrip("+")  # some systems drop the '+'
    b_init = rng.uniform(0, 3)
    legs: dict[str, Any] = {}
    payload: Payload = {
        "sessionId": session_id,
        "subAccountId": rng.choice(SUBACCOUNTS),
        "sessionStatus": None,
        "startTime": clock.text(clock.start),
        "endTime": None,
        "lastAction": "MAKE_CALL",
        "callCount": None,
    }
    session_status = {
        "completed": "COMPLETED",
        "no_answer": "NO_ANSWER",
        "busy": "BUSY",
        "failed": "FAILED",
        "canceled": "CANCELED",
        "tts_only": "COMPLETED",
        "error_a": "ERROR",
        "error_b": "ERROR",
        "with_c": "COMPLETED",
        "unsubscribed": rng.choice(OTHER_DOCUMENTED),
    }[scenario]
    if scenario in ("completed", "with_c", "unsubscribed"):
        connect = b_init + rng.uniform(2, 30)
        end = connect + rng.uniform(1, 600)
        legs["callA"] = _leg(rng, clock, "INBOUND", "COMPLETED", 0, connect, end, customer, virtual)
        legs["callB"] = _leg(
            rng, clock, "OUTBOUND", "COMPLETED", b_init, connect, end, virtual, callee
        )
        if scenario == "with_c":
            c_init = end - rng.uniform(5, min(60, end - connect))
            c_connect = min(c_init + rng.uniform(1, 3), end)
            third = _number(rng, "SG")
            legs["callC"] = _leg(
                rng, clock, "OUTBOUND", "COMPLETED", c_init, c_connect, end, virtual, third
            )
    elif scenario in ("no_answer", "busy", "failed", "error_b"):
        end = b_init + rng.uniform(1, 60)
        b_status = "ERROR" if scenario == "error_b" else session_status
        legs["callA"] = _leg(rng, clock, "INBOUND", "COMPLETED", 0, None, end, customer, virtual)
        legs["callB"] = _leg(rng, clock, "OUTBOUND", b_status, b_init, None, end, virtual, callee)
        if scenario == "error_b":
            error = _error(rng, rng.choice(ERROR_B_CODES))
            if chance(rng, 0.5):
                legs["callB"]["errorDetails"] = error  # a code only in a leg is enough
            else:
                payload["errorDetails"] = error
    elif scenario == "canceled":
        end = b_init + rng.uniform(0.5, 20)
        legs["callA"] = _leg(rng, clock, "INBOUND", "CANCELED", 0, None, end, customer, virtual)
        legs["callB"] = _leg(rng, clock, "OUTBOUND", "CANCELED", b_init, None, end, virtual, callee)
    elif scenario == "tts_only":
        connect = rng.uniform(0.5, 3)
        end = connect + rng.uniform(3, 40)
        legs["callA"] = _leg(rng, clock, "INBOUND", "COMPLETED", 0, connect, end, customer, virtual)
        payload["lastAction"] = rng.choice(["SAY", "PLAY_TTS"])
        if chance(rng, 0.2):
            legs["callB"] = None  # "callB": null means no callB
    else:  # error_a
        end = rng.choice([0, 0, 0.5, 1])
        legs["callA"] = _leg(rng, clock, "OUTBOUND", "ERROR", 0, None, end, virtual, callee)
        payload["errorDetails"] = _error(rng, rng.choice(ERROR_A_CODES))
        payload["lastAction"] = "PLAY_TTS"
    if session_status != "ERROR" and chance(rng, 0.03):
        payload["errorDetails"] = _error(rng, -9999)  # a catalog code on a non-ERROR session
    payload["sessionStatus"] = _spelled(rng, session_status)
    end_moment = clock.at(end)
    if chance(rng, 0.05):
        end_moment = clock.start  # same instant: not before
    payload["endTime"] = clock.text(end_moment)
    if clock.style == "plain" and chance(rng, 0.05):
        # startTime at +01:00 sorts after endTime as text, but is an hour earlier
        local = clock.start.astimezone(timezone(timedelta(hours=1)))
        payload["startTime"] = local.strftime("%Y-%m-%dT%H:%M:%S+01:00")
    n_legs = sum(1 for leg in legs.values() if isinstance(leg, dict))
    payload["callCount"] = float(n_legs) if chance(rng, 0.05) else n_legs
    payload["details"] = dict(reversed(legs.items())) if chance(rng, 0.7) else legs
    return payload


# ---------------------------------------------------------------------------------------------
# Planting


def _legs(payload: Payload) -> dict[str, dict[str, Any]]:
    return dict(legs_of(payload))


def _connected_legs(payload: Payload) -> list[dict[str, Any]]:
    return [
        leg
        for leg in _legs(payload).values()
        if parse_timestamp(leg.get("connectedTimestamp")) is not None
        and parse_timestamp(leg.get("disconnectedTimestamp")) is not None
    ]


def _restamp(leg_or_payload: dict[str, Any], key: str, moment: datetime) -> None:
    old = leg_or_payload.get(key)
    style = "fraction" if isinstance(old, str) and "." in old else "plain"
    if moment.microsecond % 1000 or (style == "plain" and moment.microsecond):
        style = "fraction"
    leg_or_payload[key] = stamp(moment, style)


def _documented(payload: Payload) -> bool:
    return norm_status(payload.get("sessionStatus")) in SIX and status_pair(payload) in STATUS_TABLE


def plant_status_mismatch(rng: random.Random, payload: Payload) -> bool:
    if not _documented(payload):
        return False
    right = STATUS_TABLE[status_pair(payload)]
    wrong = [s for s in SIX if s != right and (s != "ERROR" or session_codes(payload))]
    payload["sessionStatus"] = _spelled(rng, rng.choice(wrong))
    return True


def plant_undocumented(rng: random.Random, payload: Payload) -> bool:
    if not _documented(payload):
        return False
    legs = _legs(payload)
    a_status, b_status = status_pair(payload)
    options = ["a_status"]
    if "callB" in legs:
        options.append("drop_a")
        if a_status == "COMPLETED" and b_status != "COMPLETED":
            options.append("b_canceled")
    choice = rng.choice(options)
    if choice == "a_status":
        legs["callA"]["callStatus"] = _spelled(rng, rng.choice(["NO_ANSWER", "BUSY", "FAILED"]))
    elif choice == "b_canceled":
        legs["callB"]["callStatus"] = "CANCELED"
    else:
        del payload["details"]["callA"]  # a callB without a callA: (NULL, X)
        payload["callCount"] = len(legs_of(payload))
    return True


def plant_call_count(rng: random.Random, payload: Payload) -> bool:
    n = len(legs_of(payload))
    wrong = [c for c in (0, n - 1, n + 1, n + 2) if c >= 0 and c != n]
    payload["callCount"] = rng.choice(wrong)
    if chance(rng, 0.2):
        payload["callCount"] = float(payload["callCount"])
    return True


def plant_end_before_start(rng: random.Random, payload: Payload) -> bool:
    start = parse_timestamp(payload.get("startTime"))
    if start is None:
        return False
    r = rng.random()
    if r < 0.3:
        # spelled at +09:00 it sorts after startTime as text, yet it is earlier
        end = start - timedelta(seconds=rng.randint(1, 3000))
        payload["endTime"] = end.astimezone(timezone(timedelta(hours=9))).strftime(
            "%Y-%m-%dT%H:%M:%S+09:00"
        )
    elif r < 0.45:
        _restamp(payload, "endTime", start - timedelta(milliseconds=500))
    else:
        _restamp(payload, "endTime", start - timedelta(seconds=rng.randint(1, 600)))
    return True


def plant_connected_before_initiated(rng: random.Random, payload: Payload) -> bool:
    legs = _connected_legs(payload)
    if not legs:
        return False
    leg = rng.choice(legs)
    connected = parse_timestamp(leg["connectedTimestamp"])
    assert connected is not None
    later = rng.choice([timedelta(milliseconds=250), timedelta(seconds=rng.randint(1, 20))])
    _restamp(leg, "initiatedTimestamp", connected + later)
    return True


def plant_duration_mismatch(rng: random.Random, payload: Payload) -> bool:
    legs = list(_legs(payload).values())
    if not legs:
        return False
    leg = rng.choice(legs)
    connected = parse_timestamp(leg.get("connectedTimestamp"))
    disconnected = parse_timestamp(leg.get("disconnectedTimestamp"))
    if connected is None:
        leg["callDuration"] = rng.choice([1, 5, 30, 0.5, "12"])
        return True
    if disconnected is None:
        return False
    exact = (disconnected - connected).total_seconds()
    deltas = [2.5, 3, 10, 120] + ([-3, -2.5] if exact >= 3 else [])
    leg["callDuration"] = exact + rng.choice(deltas)
    if float(leg["callDuration"]).is_integer():
        leg["callDuration"] = int(leg["callDuration"])
    return True


def plant_error_without_details(rng: random.Random, payload: Payload) -> bool:
    if norm_status(payload.get("sessionStatus")) != "ERROR":
        return False
    holders = [payload, *_legs(payload).values()]
    for holder in holders:
        if "errorDetails" not in holder:
            continue
        r = rng.random()
        if r < 0.5:
            del holder["errorDetails"]
        elif r < 0.7:
            holder["errorDetails"]["errorCode"] = None  # null: no code (§2)
        elif r < 0.85:
            holder["errorDetails"]["errorCode"] = True  # a boolean: no code
        else:
            del holder["errorDetails"]["errorCode"]
    return True


def plant_unknown_code(rng: random.Random, payload: Payload) -> bool:
    code: Any = rng.choice([-3001, -2011, -2000, 404, "E_TIMEOUT", "-3001", -1])
    holders = [payload, *_legs(payload).values()]
    with_codes = [h for h in holders if isinstance(h.get("errorDetails"), dict)]
    if with_codes and chance(rng, 0.5):
        rng.choice(with_codes)["errorDetails"]["errorCode"] = code
    else:
        holder = rng.choice(holders)
        holder["errorDetails"] = {"errorMsg": "Something else went wrong", "errorCode": code}
    return True


def plant_unknown_status(rng: random.Random, payload: Payload) -> bool:
    legs = list(_legs(payload).values())
    r = rng.random()
    if r < 0.5 or not legs:
        payload["sessionStatus"] = rng.choice(["HANGUP", "TIMEOUT", "ringing", "NO_ANSWERED"])
    elif r < 0.85:
        rng.choice(legs)["callStatus"] = rng.choice(
            ["RINGING", "COMPLETED_UNSUBSCRIBED", "Unknown", "ANSWERED"]
        )  # documented for a session, not for a leg
    else:
        leg = rng.choice(legs)
        if chance(rng, 0.5):
            del leg["callStatus"]
        else:
            leg["callStatus"] = 3
    return True


def plant_implausible_quality(rng: random.Random, payload: Payload) -> bool:
    legs = list(_legs(payload).values())
    if not legs:
        return False
    leg = rng.choice(legs)
    r = rng.random()
    if r < 0.2 and parse_timestamp(leg.get("connectedTimestamp")) is None:
        leg["callDuration"] = -rng.choice([1, 3, 60])  # negative; never connected: no mismatch
        return True
    quality = leg.setdefault("callQuality", {"mos": 4.1, "packetLossRate": 0.001, "jitter": 12})
    field, value = rng.choice(
        [
            ("mos", 5.5),
            ("mos", 0.8),
            ("mos", 45),
            ("mos", "7.2"),
            ("packetLossRate", 2.5),  # percent instead of a fraction
            ("packetLossRate", 12),
            ("packetLossRate", -0.01),
            ("jitter", -4),
            ("jitter", "-1"),
        ]
    )
    quality[field] = value
    return True


# In this order: a later plant never undoes an earlier one (each touches other fields).
PLANTERS: dict[str, tuple[str, Callable[[random.Random, Payload], bool]]] = {
    "status_mismatch": ("status", plant_status_mismatch),
    "undocumented_combination": ("status", plant_undocumented),
    "unknown_status": ("status", plant_unknown_status),
    "call_count_mismatch": ("count", plant_call_count),
    "end_before_start": ("end", plant_end_before_start),
    "connected_before_initiated": ("initiated", plant_connected_before_initiated),
    "duration_mismatch": ("duration", plant_duration_mismatch),
    "error_without_details": ("codes", plant_error_without_details),
    "unknown_code": ("codes", plant_unknown_code),
    "implausible_quality": ("quality", plant_implausible_quality),
}


def _with_a_problem(rng: random.Random, payload: Payload) -> Payload:
    """A copy of a payload with some problem (for later copies and non-session lines)."""
    bad = copy.deepcopy(payload)
    for _ in range(20):
        _group, planter = PLANTERS[rng.choice(KINDS)]
        if planter(rng, bad) and problems_of(bad):
            return bad
    bad["callCount"] = 99
    return bad


def _envelope(payload: Any, event_type: Any = "SESSION_SUMMARY") -> dict[str, Any]:
    return {
        "payload": payload,
        "namespace": "VOICE",
        "eventType": event_type,
        "description": "Summary of a completed call session",
    }


def _line(rng: random.Random, value: Any) -> bytes:
    separators = (",", ":") if chance(rng, 0.8) else (", ", ": ")
    return json.dumps(value, separators=separators).encode()


def _noise(rng: random.Random, session_id: str) -> list[bytes]:
    """Now and then a line that is not a session (blank, malformed, invalid, other event), often
    carrying problems that must not count."""
    lines = []
    if chance(rng, 0.03):
        bad = _with_a_problem(rng, clean_session(rng, session_id))
        r = rng.random()
        if r < 0.3:
            lines.append(_line(rng, _envelope(bad, rng.choice(["CALL_STATUS", None, 7]))))
        elif r < 0.5:
            bad.pop("sessionId")
            lines.append(_line(rng, _envelope(bad)))
        elif r < 0.7:
            lines.append(_line(rng, {**bad, "sessionId": 12345}))
        else:
            whole = _line(rng, _envelope(bad))
            lines.append(whole[: rng.randrange(10, len(whole) - 2)])  # truncated: malformed
    if chance(rng, 0.01):
        lines.append(rng.choice([b"", b"  ", b"{", b"not json", b"[1, 2]"]))
    return lines


def clean_dump(seed: int, n: int) -> bytes:
    """`n` clean sessions, identical retries and non-session lines with problems: nothing to
    report."""
    rng = random.Random(seed)
    lines: list[bytes] = []
    sent: list[Payload] = []
    for i in range(n):
        payload = clean_session(rng, f"{_uuid(rng)[:24]}{seed:04x}{i:08x}")
        sent.append(payload)
        lines.append(_line(rng, _envelope(payload) if chance(rng, 0.6) else payload))
        if chance(rng, 0.05):
            lines.append(_line(rng, _envelope(rng.choice(sent))))  # an identical retry
        lines.extend(_noise(rng, f"not-a-session-{seed}-{i}"))
    return b"".join(line + b"\n" for line in lines)


def planted_dump(seed: int, n: int) -> tuple[bytes, dict[str, int]]:
    """`n` sessions, some with planted problems; the expected sessions per kind (first copies)."""
    rng = random.Random(seed)
    ids = [f"{_uuid(rng)[:24]}{seed:04x}{i:08x}" for i in range(n)]
    sessions = [clean_session(rng, session_id) for session_id in ids]
    originals = [copy.deepcopy(p) for p in sessions]
    intended: list[set[str]] = [set() for _ in sessions]
    groups: list[set[str]] = [set() for _ in sessions]
    for kind, (group, planter) in PLANTERS.items():  # later plants never undo earlier ones
        target = rng.randint(1, max(2, n // 15))
        order = list(range(n))
        rng.shuffle(order)
        planted_before = [i for i in order if intended[i]]
        if planted_before and chance(rng, 0.6):  # some sessions get several kinds
            order = planted_before[: max(1, target // 3)] + order
        done = 0
        for i in order:
            if done == target:
                break
            if group in groups[i] or kind in intended[i]:
                continue
            trial = copy.deepcopy(sessions[i])
            if not planter(rng, trial) or not intended[i] | {kind} <= problems_of(trial):
                continue
            sessions[i] = trial
            intended[i].add(kind)
            groups[i].add(group)
            done += 1
    for i, kinds in enumerate(intended):
        found = problems_of(sessions[i])
        assert kinds <= found, (ids[i], kinds, found, sessions[i])
        assert kinds or not found, (ids[i], found, sessions[i])  # clean sessions are clean

    slots: list[list[bytes]] = [[] for _ in sessions]  # lines written after session i
    for i, payload in enumerate(sessions):
        slots[i].append(_line(rng, _envelope(payload) if chance(rng, 0.6) else payload))
        if chance(rng, 0.08):
            # a retry whose copy differs: a problem on a clean session, clean on a planted one
            dup = copy.deepcopy(originals[i]) if intended[i] else _with_a_problem(rng, payload)
            slots[rng.randrange(i, n)].append(_line(rng, _envelope(dup)))
        elif chance(rng, 0.04):
            slots[rng.randrange(i, n)].append(_line(rng, payload))  # an identical retry
        slots[i].extend(_noise(rng, f"not-a-session-{seed}-{i}"))
    data = b"".join(line + b"\n" for slot in slots for line in slot)
    counts = expected_counts(data)
    planted = {kind: sum(kind in kinds for kinds in intended) for kind in KINDS}
    assert all(counts[kind] >= planted[kind] for kind in KINDS), (counts, planted)
    return data, counts
