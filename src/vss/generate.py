"""Synthetic 8x8 Voice Session Summary (Number Masking) webhook payloads, as NDJSON.

This is the engine behind ``vss generate``: a pure, deterministic generator (it only uses
``random.Random(seed)``, never the clock) of realistic session summaries shaped exactly like the
two official examples of 8x8's payload documentation. A dump covers every row of the reference
"Session statuses" table, every catalog error code (and an unknown one), webhook retries
(identical, reordered and conflicting duplicates), bare payloads without the envelope, several
sub-accounts, countries and virtual numbers, and the whole range of call quality.

Mix of sessions (first copies), approximately:

- 62 % COMPLETED / COMPLETED (about 7 % of those answered calls are short, < 10 s)
- 10 % COMPLETED / NO_ANSWER, 5 % COMPLETED / BUSY, 3 % COMPLETED / FAILED
- 4 % CANCELED / CANCELED
- 6 % COMPLETED / NULL (TTS only: one callA leg, ``lastAction`` PLAY_TTS or SAY)
- 6 % ERROR / NULL (one callA leg, mostly OUTBOUND as in the official Failure example;
  -2004 "no coverage" most of the time)
- 3.7 % COMPLETED / ERROR (callB leg in error; ``errorDetails`` at the payload level, in the
  callB leg, or both)
- 0.3 % COMPLETED_UNSUBSCRIBED

Lines: about 2 % are webhook retries of a session seen a few lines earlier (0.3 % of the lines
conflict: same ``sessionId``, different payload; the rest are byte-identical, or identical in
content with another key order, numbers written differently or another envelope description)
and about 1 % of the sessions are written as a bare payload. Whatever ``n``, from about 50
lines on, every status-table row, every catalog code, both ``errorCode`` forms, every kind of
duplicate, a bare payload and every MOS band occur at least once.
"""

from __future__ import annotations

import bisect
import calendar
import math
import random
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import orjson

from vss.records import CATALOG

__all__ = ["CATALOG", "DEFAULT_START", "generate_lines"]

DEFAULT_START: Final = datetime(2024, 3, 25, tzinfo=UTC)
"""Default start of the generated day."""


_DESCRIPTION: Final = "Summary of a completed call session"
_OTHER_DESCRIPTIONS: Final = (
    "Summary of a completed call session (redelivery)",
    "Summary of a completed session",
)
_ENVELOPE_HEAD: Final = b'{"payload":'
_ENVELOPE_TAIL: Final = (
    b',"namespace":"VOICE","eventType":"SESSION_SUMMARY","description":"'
    + _DESCRIPTION.encode()
    + b'"}\n'
)

# A code outside the catalog, seen with two different messages (the first one more often).
_UNKNOWN_CODE: Final = -3001
_UNKNOWN_MSGS: Final = ("Call rejected by destination carrier", "Carrier rejected the call")

# Session kinds: (callA status, callB status) rows of the reference table, plus 8x8's other
# session status.
_OK, _NO_ANSWER, _BUSY, _FAILED, _CANCELED, _TTS, _ERR_A, _ERR_B, _UNSUB = range(9)
_KIND_WEIGHTS: Final = (62.0, 10.0, 5.0, 3.0, 4.0, 6.0, 6.0, 3.7, 0.3)

# Error codes by kind: ERROR/NULL (callA in error) and COMPLETED/ERROR (callB in error).
_ERR_A_CODES: Final = (
    (-2004, 62.0),
    (-2003, 5.0),
    (-2005, 5.0),
    (-2009, 4.0),
    (-2006, 4.0),
    (-2007, 4.0),
    (-2001, 4.0),
    (-2002, 3.0),
    (-2008, 3.0),
    (-9999, 3.0),
    (-2010, 2.0),
    (_UNKNOWN_CODE, 1.0),
)
_ERR_B_CODES: Final = (
    (-2004, 25.0),
    (-2010, 20.0),
    (-2002, 15.0),
    (-2001, 12.0),
    (-2008, 10.0),
    (-9999, 8.0),
    (-2003, 3.0),
    (-2009, 3.0),
    (-2007, 2.0),
    (_UNKNOWN_CODE, 2.0),
)

# Country: (dial prefix, mobile leading digits, national significant number length).
_COUNTRIES: Final = {
    "SG": ("+65", ("8", "9"), 8),
    "MY": ("+60", ("11", "12", "13", "16", "17", "19"), 9),
    "ID": ("+62", ("812", "813", "821", "852", "878"), 11),
    "PH": ("+63", ("905", "917", "918", "927", "995"), 10),
    "TH": ("+66", ("6", "8", "9"), 9),
    "VN": ("+84", ("3", "7", "8", "9"), 9),
    "IN": ("+91", ("70", "81", "91", "98", "99"), 10),
    "US": ("+1", ("206", "212", "231", "312", "415", "646"), 10),
    "GB": ("+44", ("7",), 10),
    "AU": ("+61", ("4",), 9),
    "HK": ("+852", ("5", "6", "9"), 8),
}
# Callers and callees abroad, and destinations that tend to lack coverage (-2004).
_FOREIGN: Final = ("US", "GB", "AU", "IN", "SG", "MY", "HK", "ID", "PH")
_NO_COVERAGE: Final = ("VN", "IN", "PH", "ID", "US", "GB", "TH", "HK", "AU")

# Virtual numbers: (reference id, number, country).
_VIRTUAL: Final = {
    "PSTN1": ("+6568332048", "SG"),
    "PSTN2": ("+6531586702", "SG"),
    "PSTN3": ("+6569094417", "SG"),
    "PSTN4": ("+60327308841", "MY"),
    "PSTN5": ("+622150906120", "ID"),
    "PSTN6": ("+63288461230", "PH"),
    "PSTN7": ("+6621056432", "TH"),
    "PSTN8": ("+842873005588", "VN"),
    "PSTN9": ("+912267451230", "IN"),
    "PSTN10": ("+13125550147", "US"),
    "PSTN11": ("+442079460321", "GB"),
    "PSTN12": ("+61255501234", "AU"),
}

# Sub-accounts: (id, weight, virtual numbers it uses, the first ones most).
_SUBACCOUNTS: Final = (
    ("rideshare_sg", 34.0, ("PSTN1", "PSTN2", "PSTN3")),
    ("delivery_apac", 24.0, ("PSTN5", "PSTN6", "PSTN7", "PSTN8", "PSTN4")),
    ("marketplace_my", 14.0, ("PSTN4", "PSTN1")),
    ("clinic_connect", 11.0, ("PSTN9", "PSTN12", "PSTN1")),
    ("logistics_id", 9.0, ("PSTN5", "PSTN6")),
    ("8x8_test", 5.0, ("PSTN1", "PSTN10", "PSTN11")),
    ("wavecell_voice", 3.0, ("PSTN1", "PSTN2", "PSTN12")),
)

# MOS bands: excellent, good, fair, poor, bad. Per band: share of sessions, MOS range in
# hundredths [lo, hi), jitter range in ms [lo, hi], chance of no packet loss, loss range.
_BAND_WEIGHTS: Final = (45.0, 33.0, 12.0, 6.0, 4.0)
_BANDS: Final = (
    (430, 451, 1, 18, 0.75, 0.0001, 0.003),
    (400, 430, 4, 28, 0.5, 0.0005, 0.006),
    (360, 400, 6, 33, 0.3, 0.001, 0.011),
    (310, 360, 10, 40, 0.1, 0.003, 0.02),
    (150, 310, 15, 90, 0.0, 0.006, 0.08),
)

# Relative traffic per local hour (the curve follows Singapore time, UTC+8).
_HOURLY: Final = (
    0.15, 0.10, 0.08, 0.07, 0.08, 0.15, 0.35, 0.70, 1.10, 1.40, 1.50, 1.45,
    1.30, 1.35, 1.45, 1.40, 1.30, 1.20, 1.05, 0.95, 0.80, 0.60, 0.40, 0.25,
)  # fmt: skip
_LOCAL_OFFSET_H: Final = 8

# What a conflicting retry says instead of the first copy's sessionStatus.
_CONFLICT_STATUS: Final = {
    "COMPLETED": "ERROR",
    "NO_ANSWER": "FAILED",
    "BUSY": "NO_ANSWER",
    "FAILED": "ERROR",
    "CANCELED": "NO_ANSWER",
    "ERROR": "FAILED",
    "COMPLETED_UNSUBSCRIBED": "COMPLETED",
}

# Seconds from the start of the Gregorian calendar (UUID version 1 time) to the Unix epoch.
_GREGORIAN_S: Final = 12_219_292_800

# Kinds of duplicate lines.
_DUP_SAME, _DUP_REORDER, _DUP_DESC, _DUP_CONFLICT = range(4)

# A forced session: kind plus options (code, "str" code form, error place, MOS band, flags...).
_Force = tuple[int, dict[str, Any]]


def _forced_specs() -> list[_Force]:
    """Sessions every dump of a reasonable size contains, most important first."""
    specs: list[_Force] = [(kind, {}) for kind in range(9)]
    specs[_TTS] = (_TTS, {"action": "PLAY_TTS"})
    specs[_ERR_A] = (_ERR_A, {"code": -2004, "str": False, "direction": "OUTBOUND"})
    specs[_ERR_B] = (_ERR_B, {"code": -2010, "str": True, "where": "leg"})
    specs.append((_TTS, {"action": "SAY"}))
    specs.extend((_OK, {"band": band}) for band in range(5))
    specs.append((_OK, {"short": True}))
    specs.append((_OK, {"band": 2, "high_jitter": True}))
    specs.append((_OK, {"band": 2, "high_loss": True}))
    a_codes = (-2004, -2003, -2005, -2006, -2007, -2009)
    b_codes = (-2001, -2002, -2008, -2010, -9999, _UNKNOWN_CODE)
    places = ("payload", "leg", "both")
    for i, code in enumerate(a_codes):
        specs.append((_ERR_A, {"code": code, "str": i % 2 == 1}))
    for i, code in enumerate(b_codes):
        specs.append((_ERR_B, {"code": code, "str": i % 2 == 0, "where": places[i % 3]}))
    return specs


def _cumulative(weights: tuple[float, ...]) -> list[float]:
    """Cumulative weights normalized to end at 1.0."""
    total = sum(weights)
    acc = 0.0
    out: list[float] = []
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return out


def _epoch(start: datetime) -> int:
    """Whole UTC epoch seconds of ``start`` (naive means UTC)."""
    if start.tzinfo is None:
        return calendar.timegm(start.timetuple())
    return math.floor(start.timestamp())


def _minute_curve(epoch: int) -> list[float]:
    """Cumulative share of the day's sessions by the end of each minute from ``epoch``."""
    weights: list[float] = []
    first_minute = epoch // 60
    for m in range(1440):
        minute = first_minute + m
        hour = (minute // 60 + _LOCAL_OFFSET_H) % 24
        frac = (minute % 60) / 60
        weights.append(_HOURLY[hour] + (_HOURLY[(hour + 1) % 24] - _HOURLY[hour]) * frac)
    return _cumulative(tuple(weights))


def _legs(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The leg objects of a generated payload."""
    details: dict[str, dict[str, Any]] = payload["details"]
    return list(details.values())


def _plan(n: int, rng: random.Random) -> tuple[dict[int, int], int]:
    """Line positions of duplicates (position → kind) and the number of sessions."""
    if n < 50:
        dup_total = n // 40
        kinds = [_DUP_SAME] * dup_total
    else:
        conflicts = max(1, round(n * 0.003))
        reorders = max(1, round(n * 0.0025))
        descs = max(1, round(n * 0.0025))
        dup_total = max(conflicts + reorders + descs + 1, round(n * 0.02))
        same = dup_total - conflicts - reorders - descs
        kinds = (
            [_DUP_SAME] * same
            + [_DUP_REORDER] * reorders
            + [_DUP_DESC] * descs
            + [_DUP_CONFLICT] * conflicts
        )
        rng.shuffle(kinds)
    positions = sorted(rng.sample(range(1, n), dup_total)) if dup_total else []
    return dict(zip(positions, kinds, strict=True)), n - dup_total


def generate_lines(n: int, seed: int = 0, start: datetime | None = None) -> Iterator[bytes]:
    """Yield n synthetic NDJSON lines (each ending with b"\\n"), deterministic for a seed."""
    if n <= 0:
        return
    rng = random.Random(seed)
    r = rng.random
    getrandbits = rng.getrandbits
    expovariate = rng.expovariate
    lognormvariate = rng.lognormvariate
    bisect_right = bisect.bisect_right

    epoch0 = _epoch(DEFAULT_START if start is None else start)
    dups, sessions = _plan(n, rng)
    bare_count = round(sessions * 0.01) or (1 if n >= 50 else 0)
    bare = set(rng.sample(range(sessions), bare_count))
    specs = _forced_specs()[:sessions]
    forced = dict(zip(rng.sample(range(sessions), len(specs)), specs, strict=True))

    curve = _minute_curve(epoch0)
    kind_cum = _cumulative(_KIND_WEIGHTS)
    band_cum = _cumulative(_BAND_WEIGHTS)
    sub_cum = _cumulative(tuple(s[1] for s in _SUBACCOUNTS))
    sub_info = [(s[0], s[2]) for s in _SUBACCOUNTS]
    err_a_cum = _cumulative(tuple(c[1] for c in _ERR_A_CODES))
    err_a_codes = [c[0] for c in _ERR_A_CODES]
    err_b_cum = _cumulative(tuple(c[1] for c in _ERR_B_CODES))
    err_b_codes = [c[0] for c in _ERR_B_CODES]

    days: dict[int, str] = {}  # day number -> "YYYY-MM-DDT"
    stamps: dict[int, str] = {}  # epoch second -> "YYYY-MM-DDTHH:MM:SSZ" (about a day of them)

    def ts(sec: int) -> str:
        text = stamps.get(sec)
        if text is None:
            day, rest = divmod(sec, 86400)
            hours, rest = divmod(rest, 3600)
            prefix = days.get(day)
            if prefix is None:
                date = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)
                prefix = days[day] = date.strftime("%Y-%m-%dT")
            text = stamps[sec] = f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"
        return text

    # Number generators per country: (prefix + leading digits, 10 ** remaining digits).
    number_parts: dict[str, list[tuple[str, int]]] = {
        cc: [(dial + lead, 10 ** (length - len(lead))) for lead in leads]
        for cc, (dial, leads, length) in _COUNTRIES.items()
    }

    def phone(cc: str) -> str:
        parts = number_parts[cc]
        head, limit = parts[int(r() * len(parts))]
        return head + str(limit + int(r() * limit))[1:]

    # Version-1 UUIDs like 8x8's: time fields from a 100 ns tick count, clock sequence and node
    # from a pool (the format and pool make them fast; the ticks make session ids unique).
    nodes = [f"-{0x8000 | getrandbits(14):04x}-{getrandbits(48):012x}" for _ in range(256)]
    time_high: dict[int, str] = {}

    def uuid(ticks: int) -> str:
        high = ticks >> 32
        mid = time_high.get(high)
        if mid is None:
            mid = time_high[high] = f"-{high & 0xFFFF:04x}-1{(high >> 16) & 0xFFF:03x}"
        return f"{ticks & 0xFFFFFFFF:08x}{mid}{nodes[int(r() * 256)]}"

    def quality(band: int) -> dict[str, Any]:
        mos_lo, mos_hi, jit_lo, jit_hi, zero_p, loss_lo, loss_hi = _BANDS[band]
        hundredths = mos_lo + int(r() * (mos_hi - mos_lo))
        if r() < 0.6:
            hundredths -= hundredths % 10
        loss: float | int = 0
        if r() >= zero_p:
            loss = int((loss_lo + r() * (loss_hi - loss_lo)) * 10000) / 10000 or 0
        return {
            "mos": hundredths / 100,
            "packetLossRate": loss,
            "jitter": jit_lo + int(r() * (jit_hi - jit_lo + 1)),
        }

    def error_details(code: int, as_str: bool) -> dict[str, Any]:
        if code in CATALOG:
            msg = CATALOG[code]
        else:
            msg = _UNKNOWN_MSGS[0] if r() < 0.75 else _UNKNOWN_MSGS[1]
        return {"errorMsg": msg, "errorCode": str(code) if as_str else code}

    def leg(
        call_id: str,
        direction: str,
        initiated: str,
        connected: str | None,
        disconnected: str,
        duration: int,
        numbers: tuple[str, str, str, str],
        ref: str,
        status: str,
    ) -> dict[str, Any]:
        source, destination, source_cc, destination_cc = numbers
        ref_key = "sourceRefId" if direction == "OUTBOUND" else "destinationRefId"
        if connected is None:
            return {
                "callId": call_id,
                "callDirection": direction,
                "callType": "PSTN",
                "initiatedTimestamp": initiated,
                "disconnectedTimestamp": disconnected,
                "source": source,
                "destination": destination,
                "sourceFormat": "MSISDN",
                "destinationFormat": "MSISDN",
                "sourceCountryCode": source_cc,
                "destinationCountryCode": destination_cc,
                ref_key: ref,
                "callStatus": status,
                "callDuration": 0,
            }
        return {
            "callId": call_id,
            "callDirection": direction,
            "callType": "PSTN",
            "initiatedTimestamp": initiated,
            "connectedTimestamp": connected,
            "disconnectedTimestamp": disconnected,
            "source": source,
            "destination": destination,
            "sourceFormat": "MSISDN",
            "destinationFormat": "MSISDN",
            "sourceCountryCode": source_cc,
            "destinationCountryCode": destination_cc,
            ref_key: ref,
            "callStatus": status,
            "callDuration": duration,
        }

    def session(t: int, ticks: int, force: dict[str, Any] | None) -> dict[str, Any]:
        opts: dict[str, Any] = force if force is not None else {}
        kind = opts["kind"] if "kind" in opts else bisect_right(kind_cum, r())
        sub, refs = sub_info[bisect_right(sub_cum, r())]
        ref = refs[int(len(refs) * r() ** 1.6)]
        vnum, vcc = _VIRTUAL[ref]
        caller_cc = vcc if r() < 0.85 else _FOREIGN[int(r() * len(_FOREIGN))]
        callee_cc = vcc if r() < 0.92 else _FOREIGN[int(r() * len(_FOREIGN))]
        inbound = (phone(caller_cc), vnum, caller_cc, vcc)
        outbound = (vnum, phone(callee_cc), vcc, callee_cc)
        start = ts(t)
        a_id = uuid(ticks - 1)
        b_id = uuid(ticks + 1 + int(r() * 15_000_000))
        a_init = ts(t - int(r() * 4))
        last_action = "MAKE_CALL"
        err_payload: dict[str, Any] | None = None
        call_b: dict[str, Any] | None = None

        if kind == _OK:
            band = opts.get("band")
            if band is None:
                band = bisect_right(band_cum, r())
            if opts.get("short") or r() < 0.07:
                duration = 1 + int(r() * 9)
            else:
                duration = min(3600, max(10, int(lognormvariate(4.2, 0.85))))
            connected = t + 3 + min(40, int(expovariate(0.2)))
            end = connected + duration
            conn, disc = ts(connected), ts(end)
            call_b = leg(b_id, "OUTBOUND", start, conn, disc, duration, outbound, ref, "COMPLETED")
            call_a = leg(a_id, "INBOUND", a_init, conn, disc, duration, inbound, ref, "COMPLETED")
            qb = call_b["callQuality"] = quality(band)
            call_a["callQuality"] = quality(band if r() < 0.85 else bisect_right(band_cum, r()))
            if opts.get("high_jitter"):
                qb["jitter"] = 31 + int(r() * 50)
            if opts.get("high_loss"):
                qb["packetLossRate"] = int((0.011 + r() * 0.04) * 10000) / 10000
            status = "COMPLETED"
        elif kind in (_NO_ANSWER, _BUSY, _FAILED, _CANCELED):
            if kind == _NO_ANSWER:
                end = t + (30, 45, 60)[int(r() * 3)] + int(r() * 4)
                a_status, b_status = "COMPLETED", "NO_ANSWER"
            elif kind == _BUSY:
                end = t + 1 + int(r() * 6)
                a_status, b_status = "COMPLETED", "BUSY"
            elif kind == _FAILED:
                end = t + int(r() * 5)
                a_status, b_status = "COMPLETED", "FAILED"
            else:
                end = t + 1 + int(r() * 20)
                a_status, b_status = "CANCELED", "CANCELED"
            disc = ts(end)
            call_b = leg(b_id, "OUTBOUND", start, None, disc, 0, outbound, ref, b_status)
            call_a = leg(a_id, "INBOUND", a_init, None, disc, 0, inbound, ref, a_status)
            status = b_status
        elif kind == _ERR_B:
            code = opts["code"] if "code" in opts else err_b_codes[bisect_right(err_b_cum, r())]
            as_str = opts["str"] if "str" in opts else r() < 0.15
            where = opts.get("where")
            if where is None:
                x = r()
                where = "payload" if x < 0.55 else "leg" if x < 0.85 else "both"
            end = t + int(r() * 3)
            disc = ts(end)
            call_b = leg(b_id, "OUTBOUND", start, None, disc, 0, outbound, ref, "ERROR")
            call_a = leg(a_id, "INBOUND", a_init, None, disc, 0, inbound, ref, "COMPLETED")
            if where != "payload":
                call_b["errorDetails"] = error_details(code, as_str)
            if where != "leg":
                err_payload = error_details(code, as_str)
            status = "ERROR"
        elif kind == _ERR_A:
            code = opts["code"] if "code" in opts else err_a_codes[bisect_right(err_a_cum, r())]
            as_str = opts["str"] if "str" in opts else r() < 0.15
            direction = opts.get("direction")
            if direction is None:
                direction = "OUTBOUND" if code == -2004 or r() < 0.65 else "INBOUND"
            if code == -2004:
                last_action = "PLAY_TTS" if r() < 0.5 else "MAKE_CALL"
                if r() < 0.6:
                    callee_cc = _NO_COVERAGE[int(r() * len(_NO_COVERAGE))]
                    outbound = (vnum, phone(callee_cc), vcc, callee_cc)
            elif code in (-2005, -2006):
                last_action = "PLAY_TTS" if r() < 0.7 else "SAY"
            else:
                x = r()
                last_action = "MAKE_CALL" if x < 0.6 else "PLAY_TTS" if x < 0.85 else "SAY"
            end = t + (1 if r() < 0.2 else 0)
            numbers = outbound if direction == "OUTBOUND" else inbound
            call_a = leg(a_id, direction, start, None, ts(end), 0, numbers, ref, "ERROR")
            err_payload = error_details(code, as_str)
            status = "ERROR"
        else:  # _TTS or _UNSUB: one answered callA leg that heard a prompt
            if kind == _TTS:
                last_action = opts.get("action") or ("PLAY_TTS" if r() < 0.5 else "SAY")
                direction = "INBOUND" if r() < 0.75 else "OUTBOUND"
                status = "COMPLETED"
            else:
                last_action, direction, status = "SAY", "OUTBOUND", "COMPLETED_UNSUBSCRIBED"
            if direction == "INBOUND":
                connected = t + int(r() * 3)
                numbers = inbound
            else:
                connected = t + 3 + min(30, int(expovariate(0.25)))
                numbers = outbound
            duration = 4 + int(r() * 36)
            end = connected + duration
            call_a = leg(
                a_id, direction, start, ts(connected), ts(end), duration, numbers, ref, "COMPLETED"
            )
            call_a["callQuality"] = quality(bisect_right(band_cum, r()))

        payload: dict[str, Any] = {
            "sessionId": uuid(ticks),
            "subAccountId": sub,
            "sessionStatus": status,
            "startTime": start,
            "endTime": ts(end),
            "lastAction": last_action,
            "callCount": 1 if call_b is None else 2,
        }
        if err_payload is not None:
            payload["errorDetails"] = err_payload
        if call_b is None:
            payload["details"] = {"callA": call_a}
        else:
            payload["details"] = {"callB": call_b, "callA": call_a}
        return payload

    def duplicate(kind: int, line: bytes, is_bare: bool) -> bytes:
        if kind == _DUP_SAME:
            return line
        parsed: dict[str, Any] = orjson.loads(line)
        payload: dict[str, Any] = parsed if is_bare else parsed["payload"]
        if kind == _DUP_CONFLICT:
            details: dict[str, dict[str, Any]] = payload["details"]
            call_b = details.get("callB")
            if call_b is not None and "connectedTimestamp" in call_b and r() < 0.7:
                delta = 1 + int(r() * 5)
                for one in _legs(payload):
                    if "connectedTimestamp" in one:
                        one["callDuration"] += delta
            else:
                payload["sessionStatus"] = _CONFLICT_STATUS[payload["sessionStatus"]]
            if is_bare:
                return orjson.dumps(payload, option=orjson.OPT_APPEND_NEWLINE)
            return _ENVELOPE_HEAD + orjson.dumps(payload) + _ENVELOPE_TAIL
        if kind == _DUP_DESC:
            description = _OTHER_DESCRIPTIONS[int(r() * len(_OTHER_DESCRIPTIONS))]
            envelope = {
                "payload": payload,
                "namespace": "VOICE",
                "eventType": "SESSION_SUMMARY",
                "description": description,
            }
            return orjson.dumps(envelope, option=orjson.OPT_APPEND_NEWLINE)
        # Same content, other key order; sometimes numbers written as floats (13 → 13.0).
        if r() < 0.5:
            for one in _legs(payload):
                one["callDuration"] = float(one["callDuration"])
                q = one.get("callQuality")
                if q is not None:
                    q["packetLossRate"] = float(q["packetLossRate"])
        reordered = dict(reversed(list(payload.items())))
        if is_bare:
            return orjson.dumps(reordered, option=orjson.OPT_APPEND_NEWLINE)
        envelope = {
            "eventType": "SESSION_SUMMARY",
            "namespace": "VOICE",
            "description": _DESCRIPTION,
            "payload": reordered,
        }
        return orjson.dumps(envelope, option=orjson.OPT_APPEND_NEWLINE)

    recent: deque[tuple[bytes, bool]] = deque(maxlen=512)
    dumps = orjson.dumps
    append_newline = orjson.OPT_APPEND_NEWLINE
    forced_get: Callable[[int], _Force | None] = forced.get
    index = 0  # session index
    for line_no in range(n):
        dup_kind = dups.get(line_no)
        if dup_kind is not None:
            back = min(int(expovariate(1 / 40)), len(recent) - 1)
            line, is_bare = recent[-1 - back]
            yield duplicate(dup_kind, line, is_bare)
            continue
        u = (index + r()) / sessions
        minute = bisect_right(curve, u)
        if minute >= 1440:
            minute = 1439
        below = curve[minute - 1] if minute else 0.0
        width = curve[minute] - below
        second = int((u - below) / width * 60) if width > 0 else 0
        t = epoch0 + max(0, minute * 60 + min(59, second) + int((r() - 0.5) * 8))
        spec = forced_get(index)
        ticks = (t + _GREGORIAN_S) * 10_000_000 + index * 7919 % 10_000_000
        payload = session(t, ticks, None if spec is None else {"kind": spec[0], **spec[1]})
        is_bare = index in bare
        if is_bare:
            line = dumps(payload, option=append_newline)
        else:
            line = _ENVELOPE_HEAD + dumps(payload) + _ENVELOPE_TAIL
        recent.append((line, is_bare))
        index += 1
        yield line
