"""Write the hostile-input corpus (SPEC §2, §8, §9) into `tests/corpus/`, the same bytes every run.

Run `python tests/make_corpus.py [DIR]`, or import it: `build()` returns `{name: bytes}`,
`write(directory)` writes them, and `TAGS[name]` says, line by line, what every line of a plain
file is by SPEC §2 (`S` session, `D` duplicate, `C` conflicting duplicate, `B` blank,
`M` malformed, `I` invalid, `O` other event), so the expected counters follow from the data.

Compressed files are encoded here, not by a library, so their bytes do not depend on the zlib,
liblzma or zstd version: gzip with fixed-Huffman deflate blocks (literals only, mtime 0), xz with
LZMA2 uncompressed chunks, zstd with raw blocks. Only bzip2 comes from libbz2, whose output has
not changed since 1.0.
"""

from __future__ import annotations

import bz2
import json
import struct
import sys
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
BOM = b"\xef\xbb\xbf"
CANARY = "CANARY"  # put in rejected lines: a warning that echoes its line would show it

# Strings that other people control, meant to drive a terminal or a spreadsheet.
ESC_RED = "\x1b[31mRED\x1b[0m"
ESC_TITLE = "\x1b]0;pwned\x07"
ESC_CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\u009b31mC1"
BIDI = "\u202egnp.exe"
ISOLATE = "\u2066iso\u2069"
DEL_BS = "del\x7f\x08\x08x"
EVIL_SUB = f"EVILSUB{ESC_RED}{ESC_TITLE}{C1_CSI}{BIDI}{DEL_BS}\x00\r\x0b\x0c{ISOLATE}"
EVIL_MSG = f"EVILMSG{ESC_CLEAR}{C1_CSI}\u202dLRO\u202aLRE\u202bRLE\u202cPDF\u2067\u2068"
EVIL_CODE = "E\x1b[5m1"
MARKUP_CODE = "[/]"
FORMULA_CODE = "=1+1"

Tagged = list[tuple[str, bytes]]


# ---- building blocks -------------------------------------------------------------------------


def dumps(value: Any, *, ascii_only: bool = True) -> bytes:
    """Compact JSON; `ascii_only=False` keeps DEL, C1 and bidi characters as raw UTF-8."""
    return json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":")).encode()


def leg(
    direction: str,
    source: str,
    destination: str,
    status: str = "COMPLETED",
    duration: Any = 13,
    **extra: Any,
) -> dict[str, Any]:
    """One call leg, shaped like the reference payload."""
    body: dict[str, Any] = {
        "callDirection": direction,
        "initiatedTimestamp": "2024-03-25T06:01:30Z",
        "connectedTimestamp": "2024-03-25T06:01:37Z",
        "disconnectedTimestamp": "2024-03-25T06:01:50Z",
        "source": source,
        "destination": destination,
        "sourceCountryCode": "SG",
        "destinationCountryCode": "SG",
        "callStatus": status,
        "callDuration": duration,
    }
    body.update(extra)
    return body


def payload(sid: str, status: str = "COMPLETED", **extra: Any) -> dict[str, Any]:
    """A small but complete session summary payload."""
    body: dict[str, Any] = {
        "sessionId": sid,
        "subAccountId": "acme_sg",
        "sessionStatus": status,
        "startTime": "2024-03-25T06:01:30Z",
        "endTime": "2024-03-25T06:01:50Z",
        "lastAction": "MAKE_CALL",
        "callCount": 2,
        "details": {
            "callA": leg("INBOUND", "+12314377870", "+6568332048"),
            "callB": leg(
                "OUTBOUND",
                "+6568332048",
                "+6591178965",
                callQuality={"mos": 4.5, "packetLossRate": 0, "jitter": 19},
            ),
        },
    }
    body.update(extra)
    return body


def error_payload(
    sid: str, code: Any, message: Any = None, *, leg_code: Any = None, **extra: Any
) -> dict[str, Any]:
    """A failed session: an errorDetails at the payload level (and on callA if `leg_code`)."""
    details: dict[str, Any] = {} if code is None else {"errorCode": code}
    if message is not None:
        details["errorMsg"] = message
    call_a = leg("OUTBOUND", "+6568332048", "+6591178965", "ERROR", 0)
    del call_a["connectedTimestamp"]
    if leg_code is not None:
        call_a["errorDetails"] = leg_code
    body: dict[str, Any] = {
        "sessionId": sid,
        "subAccountId": "acme_sg",
        "sessionStatus": "ERROR",
        "startTime": "2023-07-13T09:54:38Z",
        "endTime": "2023-07-13T09:54:38Z",
        "lastAction": "PLAY_TTS",
        "callCount": 1,
        "errorDetails": details,
        "details": {"callA": call_a},
    }
    if code is None:
        del body["errorDetails"]
    body.update(extra)
    return body


def envelope(body: Any, description: str = "Summary of a completed call session") -> dict[str, Any]:
    """The webhook envelope around a payload."""
    return {
        "payload": body,
        "namespace": "VOICE",
        "eventType": "SESSION_SUMMARY",
        "description": description,
    }


def join(tagged: Tagged, *, final_newline: bool = True, eol: bytes = b"\n") -> bytes:
    """The file: the lines joined by `eol` (which the tags ignore)."""
    data = eol.join(line for _, line in tagged)
    return data + eol if final_newline and tagged else data


def padded(prefix: str, size: int) -> bytes:
    """A bare session line of exactly `size` bytes: `{"sessionId":"<prefix>","pad":"xxx"}`."""
    head = dumps({"sessionId": prefix, "pad": ""})
    fill = size - len(head)
    if fill < 0:
        raise ValueError(f"{prefix!r} does not fit in {size} bytes")
    return dumps({"sessionId": prefix, "pad": "x" * fill})


# ---- plain files, line by line -----------------------------------------------------------------


def blank_lines() -> Tagged:
    return [
        ("B", b""),
        ("B", b"   "),
        ("B", b"\t\t"),
        ("B", b"\r"),
        ("B", b" \t \r"),
        ("S", dumps(envelope(payload("bl-1")))),
        ("B", b""),
        ("M", b"\x0c"),  # form feed: not a blank character of rule 1, and not JSON whitespace
        ("M", b"\xc2\xa0"),  # no-break space
        ("M", b"\x0b"),  # vertical tab
        ("S", dumps(payload("bl-2"))),
        ("B", b"  \t"),  # the last line, without a newline
    ]


def bom_crlf() -> Tagged:
    return [
        ("S", BOM + dumps(envelope(payload("bc-1"))) + b"\r"),
        ("B", b"\r"),
        ("S", dumps(payload("bc-2")) + b"\r"),
        ("S", b'{"sessionId":"bc-3",\r"callCount":1}\r'),  # a lone CR is JSON whitespace
        ("S", dumps(envelope(payload("bc-4"))) + b"\r"),
    ]


def half_written_last_line() -> Tagged:
    whole = dumps(envelope(payload("hw-4", subAccountId=CANARY)))
    return [
        ("S", dumps(envelope(payload("hw-1")))),
        ("S", dumps(envelope(payload("hw-2")))),
        ("S", dumps(envelope(payload("hw-3")))),
        ("M", whole[: len(whole) * 2 // 3]),  # written without its end, and without a newline
    ]


def invalid_utf8() -> Tagged:
    def line(sid: str, raw: bytes) -> bytes:
        return b'{"sessionId":"' + sid.encode() + b'","subAccountId":"' + raw + b'"}'

    return [
        ("S", line("u8-1", "café ☎ 😀".encode())),
        ("M", line("u8-2", b"\xff" + CANARY.encode())),  # never a UTF-8 byte
        ("M", line("u8-3", b"caf\xe9")),  # Latin-1
        ("M", line("u8-4", b"\xc0\xaf")),  # overlong "/"
        ("M", line("u8-5", b"\xed\xa0\x80")),  # an encoded surrogate (CESU-8)
        ("M", line("u8-6", b"\xe2\x82")),  # a sequence cut short
        ("M", line("u8-7", b"\xf5\x80\x80\x80")),  # beyond U+10FFFF
        ("M", b'{"sessionId":"u8-8",\xff"callCount":1}'),  # outside a string
        ("S", line("u8-9", b"ok")),
    ]


def lone_surrogate() -> Tagged:
    return [
        ("M", b'{"sessionId":"\\ud800"}'),
        ("M", b'{"sessionId":"ls-2","subAccountId":"\\udc00CANARY"}'),
        ("M", b'{"sessionId":"ls-3","subAccountId":"\\ud800\\u0041"}'),
        ("M", b'{"\\udfff":1,"sessionId":"ls-4"}'),
        ("M", b'{"sessionId":"ls-5","subAccountId":"\\ude00\\ud83d"}'),
        ("S", b'{"sessionId":"ls-6","subAccountId":"\\ud83d\\ude00"}'),  # a proper pair
        ("S", '{"sessionId":"ls-7","subAccountId":"😀"}'.encode()),
    ]


def nul_byte() -> Tagged:
    return [
        ("M", b'{"sessionId":"nul-1","subAccountId":"a\x00bCANARY"}'),
        ("M", b"\x00"),
        ("M", b'{"sessionId":"nul-3"}\x00'),
        ("M", b'\x00{"sessionId":"nul-4"}'),
        ("M", b'{"sessionId":"nul-5",\x00"callCount":1}'),
        ("S", b'{"sessionId":"nul-6","subAccountId":"a\\u0000b"}'),  # escaped: valid JSON
        ("S", dumps(payload("nul-7"))),
    ]


def nan_inf() -> Tagged:
    def with_mos(sid: str, mos: bytes) -> bytes:
        return (
            b'{"sessionId":"' + sid.encode() + b'","details":{"callB":{"callStatus":"COMPLETED",'
            b'"callQuality":{"mos":' + mos + b"}}}}"
        )

    return [
        ("M", with_mos("ni-1", b"NaN")),
        ("M", with_mos("ni-2", b"Infinity")),
        ("M", with_mos("ni-3", b"-Infinity")),
        ("M", with_mos("ni-4", b"1e400")),
        ("M", with_mos("ni-5", b"-1e400")),
        ("M", with_mos("ni-6", b"nan")),
        ("M", b'{"sessionId":"ni-7","callCount":1e999999}'),
        ("S", with_mos("ni-8", b"4.25")),
        ("S", with_mos("ni-9", b'"NaN"')),  # a string: the value is dropped, the session kept
        ("S", with_mos("ni-10", b'"1e400"')),
        ("S", with_mos("ni-11", b"1e-400")),  # underflows to 0.0: a number
    ]


def deep_nesting() -> Tagged:
    def session_at_depth(sid: str, depth: int) -> bytes:
        inner = depth - 1  # the session object itself is the first level
        return b'{"sessionId":"' + sid.encode() + b'","deep":' + b"[" * inner + b"]" * inner + b"}"

    return [
        ("S", session_at_depth("dn-1", 1024)),  # exactly the limit
        ("M", session_at_depth("dn-2", 1025)),  # one past it
        ("M", b"[" * 3000 + b"]" * 3000),  # too deep comes before "not an object"
        ("M", b'{"a":' * 1100 + b"1" + b"}" * 1100),
        ("M", b"[" * 2000),  # too deep and unterminated
        ("S", dumps({"sessionId": "dn-6", "brackets": "[" * 1500 + "{" * 100})),
        ("I", b"[[[[1]]]]"),
    ]


TOO_LONG_MAX = 128


def too_long_line() -> Tagged:
    """Run with `--max-line-bytes 128`: every `M` here is a valid session that is too long."""
    return [
        ("S", padded("tl-1", TOO_LONG_MAX)),  # exactly the limit
        ("M", padded("tl-2", TOO_LONG_MAX + 1)),
        ("B", b" " * 300),  # rule 1 (blank) comes before rule 2 (too long)
        ("M", padded("tl-4", 1000)),
        ("M", dumps(envelope(payload("tl-5")))),
        ("S", dumps({"sessionId": "tl-6"})),
    ]


PADDED_MAX = 64


def too_long_padded() -> Tagged:
    """Run with `--max-line-bytes 64`: long lines whose first bytes are blanks are not blank."""
    return [
        ("S", dumps({"sessionId": "tp-1"})),
        ("M", b" " * 100 + dumps({"sessionId": "tp-2"})),
        ("M", b" " * 100 + dumps({"sessionId": "tp-3"})),  # the last line, no newline
    ]


def arrays_scalars() -> Tagged:
    return [
        ("I", b"[]"),
        ("I", dumps([{"sessionId": "as-1"}])),
        ("I", b"1"),
        ("I", b"-0"),
        ("I", dumps(CANARY)),
        ("I", b"true"),
        ("I", b"false"),
        ("I", b"null"),
        ("I", dumps(json.dumps({"sessionId": "as-2"}))),  # a payload serialized twice
        ("I", b" 12.5e3 "),
        ("M", b"[1,"),
        ("M", b"tru"),
    ]


def null_payload() -> Tagged:
    return [
        ("I", b'{"payload":null}'),
        ("I", b'{"payload":null,"sessionId":"np-2"}'),  # a payload key decides, even null
        ("I", b'{"payload":{}}'),
        ("I", b'{"payload":{"sessionId":null}}'),
        ("I", b'{"payload":{"sessionId":42}}'),
        ("I", dumps({"payload": [payload("np-6")]})),
        ("I", dumps({"payload": json.dumps(payload("np-7"))})),
        ("I", b"{}"),
        ("I", b'{"sessionId":null}'),
        ("I", b'{"sessionId":["np-10"]}'),
        ("I", b'{"namespace":"VOICE","eventType":"SESSION_SUMMARY","description":"CANARY"}'),
        ("S", b'{"payload":{"sessionId":""}}'),  # an empty string is a string
        ("S", b'{"payload":{"sessionId":"np-13"},"sessionId":5}'),
        ("S", b'{"sessionId":"np-14"}'),
    ]


def other_events() -> Tagged:
    def event(kind: Any, body: Any) -> bytes:
        return dumps({"payload": body, "namespace": "VOICE", "eventType": kind})

    return [
        ("O", event("CALL_ACTION", payload("oe-1"))),
        ("O", event("session_summary", payload("oe-2"))),
        ("O", event(None, payload("oe-3"))),
        ("O", event(1, payload("oe-4"))),
        ("O", event({"type": "SESSION_SUMMARY"}, payload("oe-5"))),
        ("O", event("SESSION_SUMMARY ", payload("oe-6"))),
        ("O", event(["SESSION_SUMMARY"], payload("oe-7"))),
        ("O", b'{"eventType":"CALL_STATUS","sessionId":"oe-8"}'),  # a bare payload too
        ("O", b'{"eventType":"CALL_STATUS","payload":null}'),  # rule 4 comes before rule 5
        ("O", event("", payload("oe-10"))),
        ("S", dumps(envelope(payload("oe-1")))),  # other events do not take part in dedupe
        ("S", dumps({**envelope(payload("oe-12")), "namespace": "SMS"})),
        ("S", dumps(payload("oe-13"))),
    ]


def _reorder(value: Any) -> Any:
    """The same JSON value with every object's keys in reverse order."""
    if isinstance(value, dict):
        return {key: _reorder(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reorder(item) for item in value]
    return value


def duplicates() -> Tagged:
    p1 = payload("dup-1")
    p2 = payload("dup-2", callCount=1)
    same_by_value = dumps(
        {
            "description": "a retried delivery",
            "eventType": "SESSION_SUMMARY",
            "payload": _reorder(p1),
            "namespace": "VOICE",
        }
    )
    # The same numbers spelled differently: 13 as 13.0, 19 as 1.9e1, 4.5 as 45e-1.
    same_by_value = (
        same_by_value.replace(b'"callDuration":13', b'"callDuration":13.0')
        .replace(b'"jitter":19', b'"jitter":1.9e1')
        .replace(b'"mos":4.5', b'"mos":45e-1')
    )
    assert b"13.0" in same_by_value and b"1.9e1" in same_by_value
    status_differs = envelope({**p1, "sessionStatus": "FAILED"})
    text_not_number = dumps(envelope(p1)).replace(b'"callDuration":13', b'"callDuration":"13"', 1)
    missing_key = envelope({k: v for k, v in p1.items() if k != "subAccountId"})
    first_line = dumps(envelope(p1))
    return [
        ("S", first_line),
        ("D", first_line),  # an identical retry
        ("D", same_by_value),  # key order, envelope and number spelling do not matter
        ("D", dumps(p1)),  # a bare payload: the envelope is ignored
        ("C", dumps(status_differs)),
        ("C", text_not_number),  # "13" is not 13
        ("S", dumps(envelope(p2))),
        ("C", dumps(envelope({**p2, "extra": True}))),
        ("D", dumps(envelope(p2))),
        ("C", dumps(missing_key)),
        ("C", dumps(envelope({**p2, "callCount": True}))),  # true is not 1
        (
            "D",
            dumps({**envelope(p2), "namespace": "OTHER"}).replace(
                b'"callCount":1', b'"callCount":1.0'
            ),
        ),
    ]


def number_spelling() -> Tagged:
    """Retries whose numbers are equal by value but spelled differently: never conflicts."""
    pairs = [
        (b"0", b"-0.0"),
        (b"10000000000000000", b"1e16"),
        (b"100", b"1e2"),
        (b"1.5", b"15e-1"),
        (b"-2004", b"-2004.000"),
    ]
    line = b'{"sessionId":"ns-%d","callCount":%s}'
    return [
        (tag, line % (index, number))
        for index, pair in enumerate(pairs, 1)
        for tag, number in zip("SD", pair, strict=True)
    ]


def wrong_types() -> Tagged:
    quality_a = leg(
        "INBOUND",
        "+12314377870",
        "+6568332048",
        callQuality={"mos": "n/a", "jitter": True, "packetLossRate": None},
    )
    quality_b = leg(
        "OUTBOUND",
        "+6568332048",
        "+6591178965",
        callQuality={"mos": " 4.5 ", "jitter": "12", "packetLossRate": "0.5%"},
    )
    bare = {
        "sessionId": "wt-0",
        "sessionStatus": "COMPLETED",
        "startTime": "2024-03-25T06:01:30Z",
        "endTime": "2024-03-25T06:01:50Z",
    }
    return [
        (
            "S",
            dumps(
                envelope(
                    {
                        **bare,
                        "sessionId": "wt-1",
                        "details": {"callA": quality_a, "callB": quality_b},
                    }
                )
            ),
        ),
        (
            "S",
            dumps(
                envelope({**bare, "sessionId": "wt-2", "details": [{"callStatus": "COMPLETED"}]})
            ),
        ),
        (
            "S",
            dumps(
                envelope(
                    {
                        **bare,
                        "sessionId": "wt-3",
                        "sessionStatus": "ERROR",
                        "errorDetails": {"errorCode": {}, "errorMsg": "x"},
                    }
                )
            ),
        ),
        (
            "S",
            dumps(
                envelope(
                    {
                        **bare,
                        "sessionId": "wt-4",
                        "sessionStatus": "ERROR",
                        "errorDetails": {"errorCode": None},
                        "details": {
                            "callA": {"callStatus": "ERROR", "errorDetails": {"errorCode": True}},
                            "callB": {
                                "callStatus": "FAILED",
                                "errorDetails": {"errorCode": [-2004]},
                            },
                        },
                    }
                )
            ),
        ),
        (
            "S",
            dumps(
                envelope(
                    {
                        **bare,
                        "sessionId": "wt-5",
                        "sessionStatus": 5,
                        "startTime": 1711346490,
                        "endTime": "yesterday",
                        "details": {"callA": {"callStatus": ["COMPLETED"], "callDuration": "n/a"}},
                    }
                )
            ),
        ),
        (
            "S",
            dumps(
                envelope(
                    {
                        **bare,
                        "sessionId": "wt-6",
                        "details": {"callA": None, "callB": "busy", "callC": 5},
                    }
                )
            ),
        ),
        (
            "S",
            dumps(
                envelope(
                    {
                        **bare,
                        "sessionId": "wt-7",
                        "errorDetails": "oops",
                        "subAccountId": {"id": 1},
                        "lastAction": 7,
                        "details": {"callA": {"callStatus": "COMPLETED", "callQuality": "good"}},
                    }
                )
            ),
        ),
        (
            "S",
            dumps(envelope({**bare, "sessionId": "wt-8", "details": None, "errorDetails": None})),
        ),
        (
            "S",
            dumps(
                envelope(
                    {
                        **bare,
                        "sessionId": "wt-9",
                        "details": {"callB": {"callStatus": " completed ", "callDuration": "13"}},
                    }
                )
            ),
        ),
        (
            "S",
            dumps(
                envelope(
                    {
                        **bare,
                        "sessionId": "wt-10",
                        "sessionStatus": "ERROR",
                        "errorDetails": {"errorCode": "-2004", "errorMsg": 42},
                    }
                )
            ),
        ),
    ]


def string_codes() -> Tagged:
    return [
        ("S", dumps(envelope(error_payload("sc-1", "abc", "Alphabet soup")))),
        (
            "S",
            dumps(
                envelope(
                    error_payload(
                        "sc-2",
                        " -2004 ",
                        leg_code={"errorCode": "abc", "errorMsg": "Alphabet soup"},
                    )
                )
            ),
        ),
        ("S", dumps(envelope(error_payload("sc-3", "-2004", "whatever the sender wrote")))),
        ("S", dumps(envelope(error_payload("sc-4", -2004.0)))),
        ("S", dumps(envelope(error_payload("sc-5", "E42")))),
        ("S", dumps(envelope(error_payload("sc-6", "abc", "Another message")))),
        ("S", dumps(envelope(error_payload("sc-7", "12abc", "Digits first")))),
        ("S", dumps(envelope(error_payload("sc-8", -3001, "Custom carrier failure")))),
        ("S", dumps(envelope(error_payload("sc-9", "-3001", "Other text")))),
    ]


def _evil_leg(key_status: str) -> dict[str, Any]:
    return leg(
        "OUTBOUND",
        f"+65{ESC_RED}",
        f"+6591178965{BIDI}",
        key_status,
        0,
        destinationCountryCode=f"S{ESC_CLEAR}G",
        sourceCountryCode=C1_CSI,
        errorDetails={"errorCode": -2004, "errorMsg": EVIL_MSG},
        callQuality={"mos": 4.1, "packetLossRate": 0, "jitter": 3},
    )


def terminal_escapes() -> Tagged:
    evil = error_payload(
        f"te-1{ESC_RED}",
        EVIL_CODE,
        EVIL_MSG,
        subAccountId=EVIL_SUB,
        sessionStatus=f"ERR{ESC_RED}OR",
        lastAction=f"PLAY{C1_CSI}{BIDI}",
    )
    evil["details"]["callB"] = _evil_leg(f"COMP\u009bLETED{ESC_TITLE}")
    evil["details"][f"call{ESC_RED}X"] = {"callStatus": DEL_BS}
    second = error_payload(
        f"te-2{BIDI}",
        -2004,
        EVIL_MSG,
        subAccountId=f"{ISOLATE}{ESC_TITLE}",
        sessionStatus=C1_CSI,
    )
    return [
        ("S", dumps(envelope(evil))),  # C0 escaped by JSON (\u001b), the rest as \uXXXX
        ("S", dumps(envelope(second), ascii_only=False)),  # DEL, C1, bidi as raw UTF-8
        ("S", dumps(payload(f"te-3{DEL_BS}", subAccountId=C1_CSI + BIDI), ascii_only=False)),
        ("M", b'{"sessionId":"te-4","subAccountId":"\x1b[31mCANARY\x1b]0;x\x07'),
        ("M", b"\x1b[2J\x1b[31mCANARY\xc2\x9b\xe2\x80\xae"),
        ("I", dumps([f"{ESC_RED}{CANARY}"])),
        ("O", dumps({"eventType": f"{ESC_RED}", "payload": payload("te-7")})),
    ]


RICH_MARKUP = (
    "[/]",
    "[link=http://x]click[/link]",
    "[bold red]ALERT[/bold red]",
    "[/bold]",
    "[blink][reverse]",
    ":warning: :smile:",
    "\\[escaped]",
    "[link=http://evil.example/?q=[/]]",
)


def rich_markup() -> Tagged:
    p1 = error_payload(
        "[/]",
        MARKUP_CODE,
        RICH_MARKUP[2] + " " + RICH_MARKUP[0],
        subAccountId=RICH_MARKUP[1],
        sessionStatus="[bold red]ERROR[/]",
        lastAction=RICH_MARKUP[4],
    )
    p1["details"]["callB"] = leg(
        "OUTBOUND",
        RICH_MARKUP[3],
        RICH_MARKUP[5],
        "[/]",
        0,
        destinationCountryCode="[/]",
        errorDetails={"errorCode": -2004, "errorMsg": RICH_MARKUP[6]},
    )
    p1["details"]["[red]callZ[/red]"] = {"callStatus": RICH_MARKUP[7]}
    p2 = error_payload("[link=http://x]rm-2[/link]", -2004, subAccountId="[/]")
    p3 = payload("rm-3", subAccountId="[bold]", sessionStatus="[/]")
    return [("S", dumps(envelope(p1))), ("S", dumps(envelope(p2))), ("S", dumps(p3))]


FORMULAS = {
    "hyperlink": '=HYPERLINK("http://evil.example","click")',
    "plus": "+1",
    "dde": "+cmd|' /C calc'!A0",
    "at": "@SUM(A1:A9)",
    "minus": "-cmd",
    "tab": "\tTAB",
    "cr": "\rCR",
}


def formula_cells() -> Tagged:
    p1 = error_payload(
        "fc-1",
        FORMULA_CODE,
        FORMULAS["plus"],
        subAccountId=FORMULAS["hyperlink"],
        lastAction=FORMULAS["at"],
        leg_code={"errorCode": -2004, "errorMsg": "ignored: catalog code"},
    )
    p1["details"]["callA"]["destinationCountryCode"] = FORMULAS["minus"]
    p2 = error_payload("fc-2", "@x", FORMULAS["dde"], subAccountId=FORMULAS["tab"])
    p3 = error_payload("fc-3", -2004, subAccountId=FORMULAS["cr"], lastAction=FORMULAS["minus"])
    p4 = error_payload("fc-4", "-cmd", FORMULAS["at"], subAccountId=FORMULAS["dde"])
    p5 = payload("=fc-5")
    p5["details"]["callB"]["callQuality"]["jitter"] = -5  # a negative number stays a number
    return [(("S", dumps(envelope(p)))) for p in (p1, p2, p3, p4, p5)]


def many_warnings() -> Tagged:
    tagged: Tagged = []
    for i in range(1, 33):
        if i in (7, 19):
            tagged.append(("S", dumps({"sessionId": f"mw-{i}"})))
        elif i % 6 == 0:
            tagged.append(("I", dumps([CANARY, i])))
        else:
            tagged.append(("M", b'{"sessionId":"mw-' + str(i).encode() + b'",CANARY'))
    return tagged


def pretty_printed() -> Tagged:
    text = json.dumps(envelope(payload("pp-1")), indent=2)
    return [("M", line.encode()) for line in text.split("\n")]


def line_separators() -> Tagged:
    return [
        ("S", '{"sessionId":"lsep-1","subAccountId":"a\u2028b"}'.encode()),
        ("S", '{"sessionId":"lsep-2","subAccountId":"a\u2029b"}'.encode()),
        ("S", '{"sessionId":"lsep-3","subAccountId":"a\u0085b"}'.encode()),
        ("S", b'{"sessionId":"lsep-4",\r"callCount":1}'),
        ("S", b'{"sessionId":"lsep-5","subAccountId":"a\\u2028b\\r\\n"}'),
        ("M", b'{"sessionId":"lsep-6","subAccountId":"a\rb"}'),  # raw CR inside a string
        ("M", b'{"sessionId":"lsep-7",\x0b"callCount":1}'),
    ]


def no_trailing_newline() -> Tagged:
    return [
        ("S", dumps(envelope(payload("nt-1")))),
        ("S", dumps(envelope(payload("nt-2")))),
        ("S", dumps(envelope(payload("nt-3")))),
    ]


# ---- compression, by hand ---------------------------------------------------------------------


class _BitWriter:
    """Deflate's bit order: values least significant bit first, Huffman codes most significant."""

    def __init__(self) -> None:
        self.out = bytearray()
        self._acc = 0
        self._bits = 0

    def bits(self, value: int, count: int) -> None:
        self._acc |= value << self._bits
        self._bits += count
        while self._bits >= 8:
            self.out.append(self._acc & 0xFF)
            self._acc >>= 8
            self._bits -= 8

    def code(self, code: int, length: int) -> None:
        self.bits(int(format(code, f"0{length}b")[::-1], 2), length)

    def flush(self) -> bytes:
        if self._bits:
            self.out.append(self._acc & 0xFF)
            self._acc = self._bits = 0
        return bytes(self.out)


def _fixed_block(writer: _BitWriter, data: bytes, final: bool) -> None:
    """One deflate block with the fixed Huffman code, literals only (RFC 1951 §3.2.6)."""
    writer.bits(1 if final else 0, 1)
    writer.bits(0b01, 2)
    for byte in data:
        if byte < 144:
            writer.code(0x30 + byte, 8)
        else:
            writer.code(0x190 + byte - 144, 9)
    writer.code(0, 7)  # end of block


def deflate(data: bytes, block: int = 1024) -> bytes:
    """A raw deflate stream of `data`, in fixed-Huffman blocks of `block` bytes."""
    writer = _BitWriter()
    parts = [data[i : i + block] for i in range(0, len(data), block)] or [b""]
    for index, part in enumerate(parts):
        _fixed_block(writer, part, index == len(parts) - 1)
    return writer.flush()


def gzip_member(data: bytes, name: bytes | None = None, body: bytes | None = None) -> bytes:
    """One gzip member (RFC 1952), mtime 0; `body` replaces the deflate stream when given."""
    flags = 0x08 if name is not None else 0
    header = b"\x1f\x8b\x08" + bytes([flags]) + b"\x00\x00\x00\x00" + b"\x00\xff"
    if name is not None:
        header += name + b"\x00"
    stream = deflate(data) if body is None else body
    return header + stream + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _crc(data: bytes) -> bytes:
    return struct.pack("<I", zlib.crc32(data))


def xz_stream(data: bytes, chunk: int = 512) -> bytes:
    """One xz stream (CRC32 check), one block of LZMA2 uncompressed chunks."""
    flags = b"\x00\x01"
    header = b"\xfd7zXZ\x00" + flags + _crc(flags)
    body = b"\x00" + b"\x21\x01\x00"  # block flags; filter LZMA2, 1 property byte, 4 KiB dict
    size = 1 + len(body)
    padding = -(size + 4) % 4
    block_header = bytes([(size + padding + 4) // 4 - 1]) + body + b"\x00" * padding
    block_header += _crc(block_header)
    packed = bytearray()
    for i in range(0, len(data), chunk):
        part = data[i : i + chunk]
        packed += bytes([1 if i == 0 else 2]) + struct.pack(">H", len(part) - 1) + part
    packed += b"\x00"
    unpadded = len(block_header) + len(packed) + 4
    block = block_header + packed + b"\x00" * (-len(packed) % 4) + _crc(data)
    index = b"\x00" + _varint(1) + _varint(unpadded) + _varint(len(data))
    index += b"\x00" * (-len(index) % 4)
    index += _crc(index)
    backward = struct.pack("<I", len(index) // 4 - 1) + flags
    footer = _crc(backward) + backward + b"YZ"
    return header + block + index + footer


def zstd_frame(data: bytes, block: int = 1024) -> bytes:
    """One zstd frame (RFC 8878): single segment, 4-byte content size, raw blocks."""
    header = b"\x28\xb5\x2f\xfd" + b"\xa0" + struct.pack("<I", len(data))  # no checksum
    parts = [data[i : i + block] for i in range(0, len(data), block)] or [b""]
    blocks = b"".join(
        struct.pack("<I", (len(part) << 3) | int(i == len(parts) - 1))[:3] + part  # raw block
        for i, part in enumerate(parts)
    )
    return header + blocks


def _sessions(prefix: str, count: int, start: int = 1) -> Tagged:
    return [("S", dumps(envelope(payload(f"{prefix}-{i}")))) for i in range(start, start + count)]


TRUNCATED_GZ_COMPLETE = 5  # lines of truncated.jsonl.gz that are whole before the cut


def truncated_gz() -> bytes:
    data = join(_sessions("tgz", 8))
    line_starts = [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
    cut_at = line_starts[TRUNCATED_GZ_COMPLETE - 1] + 40  # in the middle of the next line
    member = gzip_member(data)
    # Fixed-Huffman literals below 144 take 8 bits each, after the 10-byte header and 3 bits.
    return member[: 10 + cut_at]


def multi_member() -> bytes:
    lines = _sessions("mm", 5)
    data = join(lines)
    s5 = lines[4][1]
    first = join(lines[:3])
    second = join([lines[3], lines[0]])[:-1] + b"\n" + s5[:50]  # ends inside a line
    last = s5[50:] + b"\n"
    assert first + second + last == join(lines[:4]) + lines[0][1] + b"\n" + s5 + b"\n"
    del data
    return gzip_member(first) + gzip_member(second) + gzip_member(b"") + gzip_member(last)


def corrupt_gz() -> bytes:
    good = gzip_member(join(_sessions("cgz", 3)))
    bad_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return good + bad_header + b"\x07" + b"\x5a" * 64  # a block of the reserved type 11


def corrupt_midstream_gz() -> bytes:
    data = join(_sessions("cms", 3))
    writer = _BitWriter()
    _fixed_block(writer, data, final=False)
    writer.bits(1, 1)
    writer.bits(0b11, 2)  # reserved block type: the stream is corrupt from here
    body = writer.flush() + b"\xa5" * 32
    return gzip_member(data + b"never decoded\n", body=body)


def corrupt_crc_gz() -> bytes:
    member = bytearray(gzip_member(join(_sessions("crc", 3))))
    member[-8] ^= 0xFF  # CRC32 of the data, first byte
    return bytes(member)


def truncated_bz2() -> bytes:
    first = bz2.compress(join(_sessions("tbz", 3)), 9)
    second = bz2.compress(join(_sessions("tbz", 3, start=4)), 9)
    return first + second[: len(second) // 2]


TRUNCATED_XZ_COMPLETE = 4


def truncated_xz() -> bytes:
    data = join(_sessions("txz", 6))
    line_starts = [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
    stream = xz_stream(data)
    # Stream header (12) + block header (8) + chunk control (3): data begins at byte 23.
    cut_at = 23 + line_starts[TRUNCATED_XZ_COMPLETE - 1] + 30
    if cut_at > 23 + 512:  # past the first chunk's data: allow for the next chunk's header
        cut_at += 3 * ((cut_at - 23) // 512)
    return stream[:cut_at]


# ---- the corpus ----------------------------------------------------------------------------------

PLAIN: dict[str, tuple[Callable[[], Tagged], dict[str, Any]]] = {
    "empty.jsonl": (list, {}),
    "blank-lines.jsonl": (blank_lines, {"final_newline": False}),
    "bom-crlf.jsonl": (bom_crlf, {}),
    "half-written-last-line.jsonl": (half_written_last_line, {"final_newline": False}),
    "invalid-utf8.jsonl": (invalid_utf8, {}),
    "lone-surrogate.jsonl": (lone_surrogate, {}),
    "nul-byte.jsonl": (nul_byte, {}),
    "nan-inf.jsonl": (nan_inf, {}),
    "deep-nesting.jsonl": (deep_nesting, {}),
    "too-long-line.jsonl": (too_long_line, {}),
    "too-long-padded-last-line.jsonl": (too_long_padded, {"final_newline": False}),
    "arrays-scalars.jsonl": (arrays_scalars, {}),
    "null-payload.jsonl": (null_payload, {}),
    "other-events.jsonl": (other_events, {}),
    "duplicates.jsonl": (duplicates, {}),
    "number-spelling.jsonl": (number_spelling, {}),
    "wrong-types.jsonl": (wrong_types, {}),
    "string-codes.jsonl": (string_codes, {}),
    "terminal-escapes.jsonl": (terminal_escapes, {}),
    "rich-markup.jsonl": (rich_markup, {}),
    "formula-cells.jsonl": (formula_cells, {}),
    "many-warnings.jsonl": (many_warnings, {}),
    "pretty-printed.json": (pretty_printed, {}),
    "line-separators.jsonl": (line_separators, {}),
    "no-trailing-newline.jsonl": (no_trailing_newline, {"final_newline": False}),
}

# Tags of the plain files, and of the plain text inside the good compressed files.
TAGS: dict[str, list[str]] = {name: [tag for tag, _ in make()] for name, (make, _) in PLAIN.items()}


def _compressed() -> dict[str, bytes]:
    four = _sessions("z", 4)
    return {
        "gzip.jsonl.gz": gzip_member(join(four), name=b"evil\x1b[31m.jsonl"),
        "gzip-named.jsonl": gzip_member(join(_sessions("gn", 3))),
        "multi-member.jsonl.gz": multi_member(),
        "truncated.jsonl.gz": truncated_gz(),
        "truncated-header.jsonl.gz": gzip_member(join(four))[:6],
        "truncated-trailer.jsonl.gz": gzip_member(join(four))[:-4],
        "corrupt.jsonl.gz": corrupt_gz(),
        "corrupt-midstream.jsonl.gz": corrupt_midstream_gz(),
        "corrupt-crc.jsonl.gz": corrupt_crc_gz(),
        "bzip2.jsonl.bz2": bz2.compress(join(four), 9),
        "bzip2-multi-stream.jsonl.bz2": bz2.compress(join(four[:2]), 9)
        + bz2.compress(join(four[2:]), 9),
        "truncated.jsonl.bz2": truncated_bz2(),
        "xz.jsonl.xz": xz_stream(join(four)),
        "truncated.jsonl.xz": truncated_xz(),
        "zstd.jsonl.zst": zstd_frame(join(four)),
        # Cut inside the third raw block: two whole lines before it.
        "truncated.jsonl.zst": zstd_frame(join(four))[: 9 + 2 * (3 + 1024) + 500],
    }


def build() -> dict[str, bytes]:
    """Every corpus file: name → bytes."""
    files = {name: join(make(), **options) for name, (make, options) in PLAIN.items()}
    files.update(_compressed())
    return dict(sorted(files.items()))


def write(directory: Path = CORPUS_DIR) -> list[Path]:
    """Write the corpus into `directory` (files not in it are removed); the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    files = build()
    for stale in directory.iterdir():
        if stale.is_file() and stale.name not in files:
            stale.unlink()
    written = []
    for name, data in files.items():
        path = directory / name
        path.write_bytes(data)
        written.append(path)
    return written


def counts_from_tags(tags: Iterable[str]) -> dict[str, int]:
    """The `input` counters that a file with these line tags must produce (no --no-dedupe)."""
    tags = list(tags)
    kinds = {"B": "blank", "M": "malformed", "I": "invalid", "O": "other_events"}
    counts = dict.fromkeys(
        (
            "lines",
            "blank",
            "malformed",
            "invalid",
            "other_events",
            "duplicates",
            "conflicts",
            "sessions",
        ),
        0,
    )
    counts["lines"] = len(tags)
    for tag in tags:
        if tag in kinds:
            counts[kinds[tag]] += 1
        elif tag in "DC":
            counts["duplicates"] += 1
            counts["conflicts"] += tag == "C"
        else:
            counts["sessions"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command line: write the corpus (into the directory given, else tests/corpus)."""
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else CORPUS_DIR
    for path in write(directory):
        print(f"{path.stat().st_size:>7}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
