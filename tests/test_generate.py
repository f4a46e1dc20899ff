"""Tests for vss.generate, the deterministic synthetic Session Summary generator."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import orjson
import pytest

from vss.generate import CATALOG, DEFAULT_START, generate_lines

Payload = dict[str, Any]

ENVELOPE_KEYS = {"payload", "namespace", "eventType", "description"}
PAYLOAD_KEYS = {
    "sessionId",
    "subAccountId",
    "sessionStatus",
    "startTime",
    "endTime",
    "lastAction",
    "callCount",
    "errorDetails",
    "details",
}
LEG_KEYS = {
    "callId",
    "callDirection",
    "callType",
    "initiatedTimestamp",
    "connectedTimestamp",
    "disconnectedTimestamp",
    "source",
    "destination",
    "sourceFormat",
    "destinationFormat",
    "sourceCountryCode",
    "destinationCountryCode",
    "sourceRefId",
    "destinationRefId",
    "callStatus",
    "callDuration",
    "callQuality",
    "errorDetails",
}
STATUS_TABLE = {
    ("COMPLETED", "COMPLETED", "COMPLETED"),
    ("COMPLETED", "NO_ANSWER", "NO_ANSWER"),
    ("COMPLETED", "BUSY", "BUSY"),
    ("COMPLETED", "FAILED", "FAILED"),
    ("CANCELED", "CANCELED", "CANCELED"),
    ("COMPLETED", "NULL", "COMPLETED"),
    ("ERROR", "NULL", "ERROR"),
    ("COMPLETED", "ERROR", "ERROR"),
}
DIAL = {
    "SG": "+65",
    "MY": "+60",
    "ID": "+62",
    "PH": "+63",
    "TH": "+66",
    "VN": "+84",
    "IN": "+91",
    "US": "+1",
    "GB": "+44",
    "AU": "+61",
    "HK": "+852",
}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass
class Dump:
    """A generated dump, parsed: first copies, duplicates and counters."""

    lines: list[bytes]
    sessions: dict[str, Payload] = field(default_factory=dict)
    first_lines: dict[str, bytes] = field(default_factory=dict)
    bare: int = 0
    identical: int = 0
    same_content: int = 0
    conflicts: int = 0
    descriptions: Counter[str] = field(default_factory=Counter)


def parse(lines: list[bytes]) -> Dump:
    """Parse generated lines the way vss reads them (first copy of a sessionId wins)."""
    dump = Dump(lines)
    for line in lines:
        obj = orjson.loads(line)
        assert isinstance(obj, dict)
        if "payload" in obj:
            assert set(obj) == ENVELOPE_KEYS
            assert obj["namespace"] == "VOICE"
            assert obj["eventType"] == "SESSION_SUMMARY"
            dump.descriptions[obj["description"]] += 1
            payload = obj["payload"]
        else:
            payload = obj
        sid = payload["sessionId"]
        if sid in dump.sessions:
            if line == dump.first_lines[sid]:
                dump.identical += 1
            elif payload == dump.sessions[sid]:
                dump.same_content += 1
            else:
                dump.conflicts += 1
            continue
        dump.sessions[sid] = payload
        dump.first_lines[sid] = line
        dump.bare += "payload" not in obj
    return dump


def legs(payload: Payload) -> dict[str, Payload]:
    """The legs of a payload."""
    details: dict[str, Payload] = payload["details"]
    return details


def error_places(payload: Payload) -> list[tuple[str, Payload]]:
    """(place, errorDetails) pairs of a session: the payload level and every leg."""
    found = [("payload", payload["errorDetails"])] if "errorDetails" in payload else []
    found += [
        (key, leg["errorDetails"]) for key, leg in legs(payload).items() if "errorDetails" in leg
    ]
    return found


def row(payload: Payload) -> tuple[str, str, str]:
    """(callA status, callB status or NULL, session status) of a session."""
    call_b = legs(payload).get("callB")
    return (
        legs(payload)["callA"]["callStatus"],
        "NULL" if call_b is None else call_b["callStatus"],
        payload["sessionStatus"],
    )


def epoch(text: str) -> int:
    """Epoch seconds of a generated timestamp."""
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def mos_band(mos: float) -> str:
    """The SPEC §3 MOS band of a value."""
    if mos >= 4.3:
        return "excellent"
    if mos >= 4.0:
        return "good"
    if mos >= 3.6:
        return "fair"
    if mos >= 3.1:
        return "poor"
    return "bad"


@pytest.fixture(scope="module")
def dump200() -> Dump:
    return parse(list(generate_lines(200, seed=11)))


@pytest.fixture(scope="module")
def dump2000() -> Dump:
    return parse(list(generate_lines(2000, seed=0)))


@pytest.fixture(scope="module")
def dump20000() -> Dump:
    return parse(list(generate_lines(20000, seed=5)))


@pytest.fixture(params=["dump200", "dump2000"])
def small(request: pytest.FixtureRequest) -> Dump:
    dump: Dump = request.getfixturevalue(request.param)
    return dump


# --- determinism and line format ------------------------------------------------------------


def test_same_seed_same_bytes() -> None:
    assert list(generate_lines(500, seed=42)) == list(generate_lines(500, seed=42))


def test_different_seed_different_bytes() -> None:
    assert list(generate_lines(500, seed=1)) != list(generate_lines(500, seed=2))


def test_default_seed_is_zero() -> None:
    assert list(generate_lines(50)) == list(generate_lines(50, seed=0))


@pytest.mark.parametrize("n", [0, 1, 2, 39, 40, 49, 50, 200, 1234])
def test_exactly_n_lines_each_ending_with_newline(n: int) -> None:
    lines = list(generate_lines(n, seed=n))
    assert len(lines) == n
    for line in lines:
        assert line.endswith(b"\n")
        assert line.count(b"\n") == 1


def test_negative_n_gives_nothing() -> None:
    assert list(generate_lines(-5)) == []


def test_every_line_parses(dump2000: Dump) -> None:
    for line in dump2000.lines:
        assert isinstance(orjson.loads(line), dict)


def test_shapes_match_the_reference(dump2000: Dump) -> None:
    for payload in dump2000.sessions.values():
        assert set(payload) <= PAYLOAD_KEYS
        assert PAYLOAD_KEYS - {"errorDetails"} <= set(payload)
        assert UUID.match(payload["sessionId"])
        assert TIMESTAMP.match(payload["startTime"])
        assert TIMESTAMP.match(payload["endTime"])
        assert payload["lastAction"] in {"MAKE_CALL", "PLAY_TTS", "SAY"}
        assert payload["callCount"] == len(legs(payload))
        assert set(legs(payload)) in ({"callA"}, {"callA", "callB"})
        for leg in legs(payload).values():
            assert set(leg) <= LEG_KEYS
            assert UUID.match(leg["callId"])
            assert leg["callType"] == "PSTN"
            assert leg["sourceFormat"] == leg["destinationFormat"] == "MSISDN"
            assert leg["callDirection"] in {"INBOUND", "OUTBOUND"}
            ref_key = "sourceRefId" if leg["callDirection"] == "OUTBOUND" else "destinationRefId"
            assert re.fullmatch(r"PSTN([1-9]|1[0-2])", leg[ref_key])
            assert isinstance(leg["callDuration"], int)
            for key in ("initiatedTimestamp", "connectedTimestamp", "disconnectedTimestamp"):
                if key in leg:
                    assert TIMESTAMP.match(leg[key])
            quality = leg.get("callQuality")
            if quality is not None:
                assert set(quality) == {"mos", "packetLossRate", "jitter"}
                assert 1.0 <= quality["mos"] <= 5.0
                assert round(quality["mos"], 2) == quality["mos"]
                assert 0 <= quality["packetLossRate"] < 1
                assert isinstance(quality["jitter"], int)
                assert quality["jitter"] >= 0


def test_envelope_is_the_official_one(dump2000: Dump) -> None:
    common = dump2000.descriptions.most_common(1)[0][0]
    assert common == "Summary of a completed call session"


# --- consistency ----------------------------------------------------------------------------


def test_timestamps_are_consistent(dump2000: Dump) -> None:
    for payload in dump2000.sessions.values():
        assert epoch(payload["endTime"]) >= epoch(payload["startTime"])
        for leg in legs(payload).values():
            initiated = epoch(leg["initiatedTimestamp"])
            disconnected = epoch(leg["disconnectedTimestamp"])
            assert disconnected >= initiated
            if "connectedTimestamp" in leg:
                connected = epoch(leg["connectedTimestamp"])
                assert 0 <= connected - initiated <= 60
                assert leg["callDuration"] == disconnected - connected
                assert "callQuality" in leg
            else:
                assert leg["callDuration"] == 0
                assert "callQuality" not in leg


def test_numbers_match_their_country(dump2000: Dump) -> None:
    for payload in dump2000.sessions.values():
        for leg in legs(payload).values():
            for number, country in (
                (leg["source"], leg["sourceCountryCode"]),
                (leg["destination"], leg["destinationCountryCode"]),
            ):
                assert re.fullmatch(r"\+\d{8,15}", number)
                assert number.startswith(DIAL[country]), (number, country)


def test_bridged_legs_share_the_virtual_number(dump2000: Dump) -> None:
    for payload in dump2000.sessions.values():
        call_b = legs(payload).get("callB")
        if call_b is not None:
            call_a = legs(payload)["callA"]
            assert call_a["callDirection"] == "INBOUND"
            assert call_b["callDirection"] == "OUTBOUND"
            assert call_a["destinationRefId"] == call_b["sourceRefId"]
            assert call_a["destination"] == call_b["source"]


def test_time_spread_over_a_day_with_quiet_nights(dump20000: Dump) -> None:
    start = int(DEFAULT_START.timestamp())
    hours: Counter[int] = Counter()
    for payload in dump20000.sessions.values():
        offset = epoch(payload["startTime"]) - start
        assert -60 <= offset < 86400 + 60
        hours[offset // 3600] += 1
    assert len(hours) >= 24
    # Default curve follows Singapore time: 02:00-04:00 SGT (18-20 UTC) vs 10:00-12:00 SGT.
    assert hours[18] + hours[19] < (hours[2] + hours[3]) / 4


def test_start_times_roughly_increase(dump20000: Dump) -> None:
    starts = [epoch(p["startTime"]) for p in dump20000.sessions.values()]
    assert all(b - a >= -10 for a, b in pairwise(starts))
    assert starts[len(starts) // 2] - starts[0] > 3600


def test_custom_start() -> None:
    start = datetime(2025, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    dump = parse(list(generate_lines(300, seed=3, start=start)))
    begin = int(start.timestamp())
    for payload in dump.sessions.values():
        assert begin - 60 <= epoch(payload["startTime"]) < begin + 86400 + 60
    naive = parse(list(generate_lines(300, seed=3, start=datetime(2025, 1, 1, 0, 0))))
    assert [p["startTime"] for p in naive.sessions.values()] == [
        p["startTime"] for p in dump.sessions.values()
    ]


def test_session_ids_are_unique_per_session(dump20000: Dump) -> None:
    duplicates = dump20000.identical + dump20000.same_content + dump20000.conflicts
    assert len(dump20000.sessions) == len(dump20000.lines) - duplicates


# --- coverage -------------------------------------------------------------------------------


def test_every_status_table_row(small: Dump) -> None:
    rows = {row(p) for p in small.sessions.values()}
    assert rows >= STATUS_TABLE
    assert "COMPLETED_UNSUBSCRIBED" in {p["sessionStatus"] for p in small.sessions.values()}


def test_status_proportions(dump20000: Dump) -> None:
    counts = Counter(p["sessionStatus"] for p in dump20000.sessions.values())
    total = sum(counts.values())
    assert 0.55 < counts["COMPLETED"] / total < 0.8
    assert counts.most_common(1)[0][0] == "COMPLETED"
    assert 0 < counts["COMPLETED_UNSUBSCRIBED"] / total < 0.01
    assert 0.05 < counts["ERROR"] / total < 0.15


def test_every_catalog_code_with_its_message(small: Dump) -> None:
    seen: Counter[int] = Counter()
    for payload in small.sessions.values():
        for _, details in error_places(payload):
            code = int(details["errorCode"])
            seen[code] += 1
            if code in CATALOG:
                assert details["errorMsg"] == CATALOG[code]
            else:
                assert details["errorMsg"]
    assert set(CATALOG) <= set(seen)
    assert set(seen) - set(CATALOG), "no unknown code"


def test_no_coverage_is_the_most_frequent_code(dump2000: Dump) -> None:
    seen: Counter[int] = Counter()
    for payload in dump2000.sessions.values():
        seen.update({int(d["errorCode"]) for _, d in error_places(payload)})
    assert seen.most_common(1)[0][0] == -2004


def test_error_code_int_and_string_forms(small: Dump) -> None:
    forms = {type(d["errorCode"]) for p in small.sessions.values() for _, d in error_places(p)}
    assert forms == {int, str}
    for payload in small.sessions.values():
        for _, details in error_places(payload):
            if isinstance(details["errorCode"], str):
                assert re.fullmatch(r"-\d+", details["errorCode"])


def test_error_details_at_payload_and_leg_level(small: Dump) -> None:
    places = {place for p in small.sessions.values() for place, _ in error_places(p)}
    assert {"payload", "callB"} <= places
    for payload in small.sessions.values():
        if payload["sessionStatus"] == "ERROR":
            assert error_places(payload)


def test_tts_only_sessions(small: Dump) -> None:
    tts = [p for p in small.sessions.values() if row(p) == ("COMPLETED", "NULL", "COMPLETED")]
    assert tts
    for payload in tts:
        assert payload["callCount"] == 1
        assert "callB" not in legs(payload)
        assert payload["lastAction"] in {"PLAY_TTS", "SAY"}
    assert {p["lastAction"] for p in tts} == {"PLAY_TTS", "SAY"}


def test_outbound_one_leg_error_sessions(small: Dump) -> None:
    found = [
        p
        for p in small.sessions.values()
        if row(p) == ("ERROR", "NULL", "ERROR") and legs(p)["callA"]["callDirection"] == "OUTBOUND"
    ]
    assert found
    for payload in found:
        call_a = legs(payload)["callA"]
        assert payload["callCount"] == 1
        assert call_a["callDuration"] == 0
        assert "connectedTimestamp" not in call_a
        assert "callQuality" not in call_a
        assert "sourceRefId" in call_a
        assert "errorDetails" in payload
    assert -2004 in {int(p["errorDetails"]["errorCode"]) for p in found}


def test_several_subaccounts_countries_and_virtual_numbers(dump2000: Dump) -> None:
    subaccounts = Counter(p["subAccountId"] for p in dump2000.sessions.values())
    assert 5 <= len(subaccounts) <= 8
    counts = sorted(subaccounts.values())
    assert counts[-1] > 3 * counts[0], "sub-accounts should be unevenly used"
    countries = set()
    refs = set()
    for payload in dump2000.sessions.values():
        main = legs(payload).get("callB") or legs(payload)["callA"]
        countries.add(main["destinationCountryCode"])
        for leg in legs(payload).values():
            refs.add(leg.get("sourceRefId") or leg.get("destinationRefId"))
    assert {"SG", "MY", "ID", "PH", "TH", "VN", "IN", "US", "GB", "AU"} <= countries
    assert len(refs) >= 10


def test_all_mos_bands_and_quality_flags(dump2000: Dump) -> None:
    bands: Counter[str] = Counter()
    high_jitter = high_loss = 0
    for payload in dump2000.sessions.values():
        for leg in legs(payload).values():
            quality = leg.get("callQuality")
            if quality is None:
                continue
            bands[mos_band(quality["mos"])] += 1
            high_jitter += quality["jitter"] > 30
            high_loss += quality["packetLossRate"] > 0.01
    assert set(bands) == {"excellent", "good", "fair", "poor", "bad"}
    total = sum(bands.values())
    assert (bands["excellent"] + bands["good"]) / total > 0.6
    assert 0 < high_jitter / total < 0.2
    assert 0 < high_loss / total < 0.2


def test_all_mos_bands_even_in_small_dumps(dump200: Dump) -> None:
    bands = {
        mos_band(leg["callQuality"]["mos"])
        for p in dump200.sessions.values()
        for leg in legs(p).values()
        if "callQuality" in leg
    }
    assert bands == {"excellent", "good", "fair", "poor", "bad"}


def test_short_calls_among_answered(small: Dump) -> None:
    durations = [
        legs(p)["callB"]["callDuration"]
        for p in small.sessions.values()
        if row(p) == ("COMPLETED", "COMPLETED", "COMPLETED")
    ]
    assert any(d < 10 for d in durations)
    assert sum(d < 10 for d in durations) < len(durations) / 4


# --- duplicates and bare payloads ---------------------------------------------------------------


def test_duplicates_of_every_kind(small: Dump) -> None:
    assert small.identical >= 1
    assert small.same_content >= 1
    assert small.conflicts >= 1
    assert len(small.descriptions) >= 2, "a retry with another envelope description"


def test_duplicate_proportions(dump20000: Dump) -> None:
    n = len(dump20000.lines)
    duplicates = dump20000.identical + dump20000.same_content + dump20000.conflicts
    assert 0.015 <= duplicates / n <= 0.025
    assert 0.002 <= dump20000.conflicts / n <= 0.004
    assert dump20000.identical > dump20000.same_content


def test_duplicates_come_after_their_first_copy(dump2000: Dump) -> None:
    position: dict[str, int] = {}
    for i, line in enumerate(dump2000.lines):
        obj = orjson.loads(line)
        sid = obj.get("payload", obj)["sessionId"]
        if sid in position:
            assert i > position[sid]
        else:
            position[sid] = i


def test_bare_payloads(small: Dump) -> None:
    assert small.bare >= 1


def test_bare_payload_share(dump20000: Dump) -> None:
    assert 0.005 <= dump20000.bare / len(dump20000.lines) <= 0.015


# --- speed sanity ---------------------------------------------------------------------------


def test_twenty_thousand_lines() -> None:
    count = sum(1 for _ in generate_lines(20000, seed=9))
    assert count == 20000
