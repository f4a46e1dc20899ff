"""parse_line: the classification order of SPEC §2 and the field tolerance rules."""

from __future__ import annotations

import orjson
import pytest

from vss import values
from vss.parse import (
    BLANK,
    INVALID,
    MALFORMED,
    OTHER_EVENT,
    Rejection,
    error_code,
    metric,
    parse_line,
    status_name,
)
from vss.records import MISSING, Session
from vss.timestamps import format_timestamp, timestamp


def line(obj: object) -> bytes:
    return orjson.dumps(obj)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"", BLANK),
        (b" \t\r", BLANK),
        (b"{", MALFORMED),
        (b'{"sessionId": NaN}', MALFORMED),
        (b'{"sessionId": "a", "x": 1e400}', MALFORMED),
        (b'{"sessionId": "\xff"}', MALFORMED),
        (b'{"sessionId": "\\ud800"}', MALFORMED),
        (b'{"sessionId": "a\x00"}', MALFORMED),
        (b"[" * 1100 + b"]" * 1100, MALFORMED),
        (b"[1, 2]", INVALID),
        (b'"text"', INVALID),
        (b"42", INVALID),
        (b"null", INVALID),
        (b'{"payload": null}', INVALID),
        (b'{"payload": {"sessionId": 5}}', INVALID),
        (b'{"eventType": "SESSION_SUMMARY"}', INVALID),
        (b'{"eventType": "CALL_STATUS", "payload": {"sessionId": "a"}}', OTHER_EVENT),
        (b'{"eventType": null, "payload": {"sessionId": "a"}}', OTHER_EVENT),
        (b'{"noSession": true}', INVALID),
    ],
)
def test_rejections(raw: bytes, kind: str) -> None:
    result = parse_line(raw)
    assert isinstance(result, Rejection)
    assert result.kind == kind
    assert result.reason.isascii() and result.reason.isprintable()


def test_long_line_is_malformed_without_parsing() -> None:
    result = parse_line(b'{"sessionId": "' + b"a" * 100 + b'"}', max_line_bytes=50)
    assert isinstance(result, Rejection) and result.kind == MALFORMED


def test_envelope_and_bare_payload() -> None:
    payload = {"sessionId": "s1", "sessionStatus": "completed "}
    for raw in (line({"payload": payload, "eventType": "SESSION_SUMMARY"}), line(payload)):
        session = parse_line(raw + b"\r")
        assert isinstance(session, Session)
        assert session.session_id == "s1"
        assert session.status == "COMPLETED"


def test_legs_and_errors() -> None:
    payload = {
        "sessionId": "s",
        "errorDetails": {"errorCode": "-2004", "errorMsg": "m"},
        "details": {
            "callA": {"callStatus": "no answer", "errorDetails": [{"errorCode": -2004.0}, 3]},
            "callB": None,
            "callC": {"callQuality": {"mos": " 4.5 ", "jitter": "n/a", "packetLossRate": True}},
            "junk": [1],
        },
    }
    session = parse_line(line(payload))
    assert isinstance(session, Session)
    assert list(session.legs) == ["callA", "callC"]
    assert session.legs["callA"].status == "NO_ANSWER"
    assert session.legs["callC"].status == MISSING
    assert session.legs["callC"].mos == 4.5
    assert session.legs["callC"].jitter is None
    assert session.legs["callC"].packet_loss is None
    assert [(e.where, e.code) for e in session.errors] == [("payload", -2004), ("callA", -2004)]
    assert session.codes() == [-2004]


def test_details_not_an_object_gives_no_legs() -> None:
    session = parse_line(line({"sessionId": "s", "details": [{"callStatus": "COMPLETED"}]}))
    assert isinstance(session, Session) and session.legs == {}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (-2004, -2004),
        (-2004.0, -2004),
        ("-2004", -2004),
        (" -2004 ", -2004),
        ("abc", "abc"),
        ("-20.5", "-20.5"),
        (1.5, "1.5"),
        (2**64, str(2**64)),
        (float(2**70), "1.1805916207174113e+21"),
        ("9" * 5000, "9" * 5000),
        ("٣", "٣"),  # a non-ASCII digit is not a numeric code
        (None, None),
        (True, None),
        ({}, None),
        ([], None),
    ],
)
def test_error_code(value: object, code: object) -> None:
    assert error_code(value) == code
    assert type(error_code(value)) is type(code)  # a second time: a string from the cache


def test_long_texts_are_not_kept_in_the_caches() -> None:
    """A status or an error code is read the same whatever its length, but only short
    texts are cached: 4,096 values of a megabyte each would stay in memory."""
    status, code = " no answer" + " " * 100, " -2004" + " " * 100
    assert status_name(status) == status_name(status) == "NO_ANSWER"
    assert error_code(code) == error_code(code) == code
    assert status not in values.status_cache and code not in values._code_texts
    assert status_name(" no answer ") == "NO_ANSWER" and " no answer " in values.status_cache
    assert error_code(" -2004 ") == -2004 and " -2004 " in values._code_texts


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("NO ANSWER", "NO_ANSWER"),
        ("  busy ", "BUSY"),
        ("no  answer", "NO__ANSWER"),
        ("", ""),
        (None, MISSING),
        (3, MISSING),
    ],
)
def test_status_name(value: object, name: str) -> None:
    assert status_name(value) == name


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (4, 4),
        (4.5, 4.5),
        ("4.5", 4.5),
        (" 13 ", 13),
        ("\u00a04.5", None),
        ("+1", None),
        ("NaN", None),
        ("n/a", None),
        (False, None),
        (None, None),
    ],
)
def test_metric(value: object, number: object) -> None:
    assert metric(value) == number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2024-03-25T06:01:30Z", "2024-03-25T06:01:30Z"),
        ("2024-03-25T06:01:30.250Z", "2024-03-25T06:01:30.25Z"),
        ("2024-03-25T14:01:30+08:00", "2024-03-25T06:01:30Z"),
        ("2024-03-25T06:01:30", "2024-03-25T06:01:30Z"),
    ],
)
def test_timestamps(value: str, text: str) -> None:
    micros = timestamp(value)
    assert micros is not None
    assert format_timestamp(micros) == text


@pytest.mark.parametrize(
    "value", ["2024-03-25", "2024-13-25T06:01:30Z", "2024-03-25T25:00:00Z", "yesterday", 1711346490]
)
def test_not_timestamps(value: object) -> None:
    assert timestamp(value) is None
