"""`--redact` (SPEC §8): no full phone number in any output of any command, in any format.

The dump's phone numbers are all known: the `source`/`destination` of every leg (some without
`+`), and `+` numbers inside other text (errorMsg, subAccountId, lastAction, a sessionId, a
virtual number's refId, the envelope's description, the file name). A leak is any run of 5 or
more digits of one of them in stdout or stderr; the masked form keeps `+`, the first 2 and the
last 4 digits, so at most 4 digits in a row survive.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from vss.cli import app

# source / destination of legs
CALLER = "+12314377870"
VIRTUAL = "+6568332048"
CALLEE = "+6591178965"
NO_PLUS_SOURCE = "6597320417"
NO_PLUS_DESTINATION = "628521793203"
UK = "+447700900123"
MY = "+60193857264"
CALLEE_C = "+6586042791"
# inside other text
IN_SUBACCOUNT = "+6588123409"
IN_LAST_ACTION = "+6587654321"
IN_ERROR_MSG = "+6593812674"
SHORTEST = "+6512907"  # 7 digits: one is masked
LONGEST = "+861390246813579"  # 15 digits
IN_SESSION_ID = "+6581739205"
IN_DESCRIPTION = "+6591234567"
IN_REF_ID = "+6590471326"
IN_FILE_NAME = "+6583920475"
NUMBERS = (
    CALLER,
    VIRTUAL,
    CALLEE,
    NO_PLUS_SOURCE,
    NO_PLUS_DESTINATION,
    UK,
    MY,
    CALLEE_C,
    IN_SUBACCOUNT,
    IN_LAST_ACTION,
    IN_ERROR_MSG,
    SHORTEST,
    LONGEST,
    IN_SESSION_ID,
    IN_DESCRIPTION,
    IN_REF_ID,
    IN_FILE_NAME,
)
NOT_PHONE_NUMBERS = ("+907531", "1024")  # 6 digits after `+`: left alone
FILE_NAME = f"calls-{IN_FILE_NAME}.jsonl"
RETRY_ID = f"retry-{IN_SESSION_ID}"
FORMATS = ("table", "json", "csv", "ndjson", "markdown")
COMMANDS: dict[str, list[str]] = {
    "stats": ["stats"],
    "stats-by-subaccount": ["stats", "--by", "subaccount"],
    "stats-by-last-action": ["stats", "--by", "last-action"],
    "stats-by-virtual-number": ["stats", "--by", "virtual-number"],
    "errors": ["errors"],
    "errors-code": ["errors", "--code", "-3001"],
    "errors-code-2004": ["errors", "--code=-2004"],
    "trend": ["trend"],
    "sessions": ["sessions"],
    "list": ["list", "--sort", "destination"],
    "show-a": ["show", "sess-a"],
    "show-b": ["show", "sess-b"],
    "show-retry": ["show", RETRY_ID],
    "check": ["check"],
}

runner = CliRunner()


def run(*args: str | Path, catch: bool = False) -> Any:
    """`vss ARGS` in-process; the result has .exit_code, .stdout, .stderr."""
    return runner.invoke(app, [str(a) for a in args], prog_name="vss", catch_exceptions=catch)


# ---------------------------------------------------------------------------------------------
# Masking, as §8 states it


def mask_digits(digits: str) -> str:
    return digits[:2] + "*" * (len(digits) - 6) + digits[-4:]


def mask_number(value: str) -> str:
    """A leg's `source`/`destination` (digits, `+` optional)."""
    if value.startswith("+"):
        return "+" + mask_digits(value[1:])
    return mask_digits(value)


def mask_text(text: str) -> str:
    """Any `+` followed by 7-15 digits in other text."""
    return re.sub(r"\+([0-9]{7,15})(?![0-9])", lambda m: "+" + mask_digits(m[1]), text)


def mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


def mask_line(value: dict[str, Any]) -> dict[str, Any]:
    """A parsed input line as `filter --redact` should write it."""
    masked = mask_value(value)
    payload = masked.get("payload", masked)
    details = value.get("payload", value).get("details")
    if not isinstance(details, dict):
        return masked
    for key, leg in details.items():
        for field in ("source", "destination"):
            number = leg.get(field) if isinstance(leg, dict) else None
            if isinstance(number, str) and re.fullmatch(r"\+?[0-9]{7,}", number):
                payload["details"][key][field] = mask_number(number)
    return masked


def test_masking_helpers_follow_the_spec_example() -> None:
    assert mask_number("+6591178965") == "+65****8965"
    assert mask_number("6597320417") == "65****0417"
    assert mask_text(f"to {SHORTEST}, {LONGEST}.") == "to +65*2907, +86*********3579."
    assert mask_text("+907531 stays") == "+907531 stays"


# ---------------------------------------------------------------------------------------------
# Leak detection

DIGITS = {number: re.sub(r"[^0-9]", "", number) for number in NUMBERS}


def leaked(text: str, numbers: tuple[str, ...] = NUMBERS) -> list[str]:
    """The numbers of which 5 or more digits in a row appear in `text`."""
    runs = re.findall(r"[0-9]{5,}", text)
    found = []
    for number in numbers:
        digits = re.sub(r"[^0-9]", "", number)
        windows = {digits[i : i + 5] for i in range(len(digits) - 4)}
        if any(window in run for run in runs for window in windows):
            found.append(number)
    return found


def test_the_numbers_do_not_collide_with_each_other_or_other_digits() -> None:
    """No 5-digit window is shared, so a leak names the right number and nothing else trips."""
    windows: dict[str, str] = {}
    for number, digits in DIGITS.items():
        for i in range(len(digits) - 4):
            assert windows.setdefault(digits[i : i + 5], number) == number
    for other in (*NOT_PHONE_NUMBERS, "2024-03-25T06:01:30Z", "0.3333333333333333", "66.7 %"):
        assert leaked(other) == []
    assert leaked(f"x{CALLEE}y") == [CALLEE]
    assert leaked(mask_number(CALLEE)) == []


# ---------------------------------------------------------------------------------------------
# The dump


def _leg(direction: str, status: str, source: str, destination: str, **extra: Any) -> Any:
    connected = status == "COMPLETED" and extra.pop("connected", True)
    leg: dict[str, Any] = {
        "callId": "leg-" + direction.lower(),
        "callDirection": direction,
        "callType": "PSTN",
        "initiatedTimestamp": "2024-03-25T06:01:30Z",
    }
    if connected:
        leg["connectedTimestamp"] = "2024-03-25T06:01:37Z"
    leg.update(
        {
            "disconnectedTimestamp": "2024-03-25T06:01:50Z",
            "source": source,
            "destination": destination,
            "sourceFormat": "MSISDN",
            "destinationFormat": "MSISDN",
            "sourceCountryCode": "SG",
            "destinationCountryCode": "SG",
            "callStatus": status,
            "callDuration": 13 if connected else 0,
        }
    )
    if connected:
        leg["callQuality"] = {"mos": 4.5, "packetLossRate": 0, "jitter": 19}
    leg.update(extra)
    return leg


def _lines() -> list[dict[str, Any]]:
    sess_a = {
        "sessionId": "sess-a",
        "subAccountId": f"shop {IN_SUBACCOUNT}",
        "sessionStatus": "COMPLETED",
        "startTime": "2024-03-25T06:01:30Z",
        "endTime": "2024-03-25T06:01:50Z",
        "lastAction": "MAKE_CALL",
        "callCount": 3,
        "details": {
            "callA": _leg("INBOUND", "COMPLETED", CALLER, VIRTUAL, destinationRefId=IN_REF_ID),
            "callB": _leg("OUTBOUND", "COMPLETED", VIRTUAL, CALLEE, sourceRefId=IN_REF_ID),
            "callC": _leg("OUTBOUND", "COMPLETED", VIRTUAL, CALLEE_C, connected=False),
        },
    }
    sess_b = {
        "sessionId": "sess-b",
        "subAccountId": "clinic",
        "sessionStatus": "ERROR",
        "startTime": "2024-03-25T06:01:30Z",
        "endTime": "2024-03-25T06:01:50Z",
        "lastAction": f"PLAY_TTS {IN_LAST_ACTION}",
        "callCount": 1,
        "errorDetails": {
            "errorMsg": f"Call to {IN_ERROR_MSG} rejected ({SHORTEST}, {LONGEST}, +907531)",
            "errorCode": -3001,
        },
        "details": {
            "callA": _leg("OUTBOUND", "ERROR", NO_PLUS_SOURCE, NO_PLUS_DESTINATION),
        },
    }
    retry = {
        "sessionId": RETRY_ID,
        "subAccountId": "clinic",
        "sessionStatus": "ERROR",
        "startTime": "2024-03-25T08:00:00Z",
        "endTime": "2024-03-25T08:00:01Z",
        "lastAction": "MAKE_CALL",
        "callCount": 5,  # a check problem, so that check's examples name this session
        "details": {
            "callA": _leg("INBOUND", "COMPLETED", UK, VIRTUAL, connected=False),
            "callB": _leg(
                "OUTBOUND",
                "ERROR",
                VIRTUAL,
                MY,
                errorDetails={"errorMsg": f"No coverage to {MY}", "errorCode": -2004},
            ),
        },
    }
    envelope = {
        "payload": sess_a,
        "namespace": "VOICE",
        "eventType": "SESSION_SUMMARY",
        "description": f"Summary for {IN_DESCRIPTION}",
    }
    return [envelope, sess_b, retry, {**sess_b, "callCount": 1024}]  # the last one: a retry


@pytest.fixture
def dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dump in the working directory, named with a phone number, with a malformed line."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")  # no wrapping or truncation of cells
    lines = [orjson.dumps(value) for value in _lines()]
    lines.insert(2, b'{"sessionId": "broken", ')  # a warning naming FILE_NAME:3
    path = Path(FILE_NAME)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def both_streams(result: Any) -> str:
    return str(result.stdout) + "\n" + str(result.stderr)


# ---------------------------------------------------------------------------------------------
# Every command, every format


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_number_survives_redact(dump: Path, command: str, fmt: str) -> None:
    result = run(*COMMANDS[command], "-f", fmt, "--redact", dump)
    assert result.exit_code in (0, 1), result.stderr
    assert result.stdout.strip()
    assert leaked(both_streams(result)) == []


@pytest.mark.parametrize("args", [["filter"], ["filter", "--count"], ["filter", "--code", "-3001"]])
def test_no_number_survives_redact_in_filter(dump: Path, args: list[str]) -> None:
    result = run(*args, "--redact", dump)
    assert result.exit_code == 0, result.stderr
    assert leaked(both_streams(result)) == []


def test_without_redact_every_number_shows_somewhere(dump: Path) -> None:
    """The dump is a real test: unredacted, the commands show every one of its numbers."""
    shown: set[str] = set()
    for args in COMMANDS.values():
        for fmt in FORMATS:
            shown.update(leaked(both_streams(run(*args, "-f", fmt, dump, catch=True))))
    shown.update(leaked(both_streams(run("filter", dump))))
    assert sorted(shown) == sorted(NUMBERS)


@pytest.mark.parametrize(
    ("command", "numbers"),
    [
        ("sessions", (CALLER, CALLEE, NO_PLUS_SOURCE, IN_SUBACCOUNT, IN_SESSION_ID)),
        ("errors-code", (IN_ERROR_MSG, SHORTEST, LONGEST, IN_LAST_ACTION, NO_PLUS_DESTINATION)),
        ("show-a", (CALLER, VIRTUAL, CALLEE, CALLEE_C)),
        ("show-retry", (UK, MY, IN_SESSION_ID)),
        ("stats-by-virtual-number", (IN_REF_ID,)),
    ],
)
def test_without_redact_the_command_shows_the_numbers(
    dump: Path, command: str, numbers: tuple[str, ...]
) -> None:
    result = run(*COMMANDS[command], "-f", "json", dump)
    assert set(numbers) <= set(leaked(result.stdout))


# ---------------------------------------------------------------------------------------------
# The masked form


def test_masked_form_in_sessions_json(dump: Path) -> None:
    rows = orjson.loads(run("sessions", "-f", "json", "--redact", dump).stdout)
    by_id = {row["sessionId"]: row for row in rows}
    assert set(by_id) == {"sess-a", "sess-b", mask_text(RETRY_ID)}
    assert by_id["sess-a"]["source"] == "+12*****7870" == mask_number(CALLER)
    assert by_id["sess-a"]["destination"] == "+65****8965" == mask_number(CALLEE)
    assert by_id["sess-a"]["subAccountId"] == "shop +65****3409"
    assert by_id["sess-b"]["source"] == mask_number(NO_PLUS_SOURCE) == "65****0417"
    assert by_id["sess-b"]["destination"] == mask_number(NO_PLUS_DESTINATION)


def test_masked_form_in_error_messages(dump: Path) -> None:
    rows = orjson.loads(run("errors", "--code", "-3001", "-f", "json", "--redact", dump).stdout)
    (row,) = rows
    assert row["message"] == "Call to +65****2674 rejected (+65*2907, +86*********3579, +907531)"
    assert row["lastAction"] == "PLAY_TTS +65****4321"
    assert (row["source"], row["destination"]) == ("65****0417", "62******3203")


def test_other_fields_are_untouched(dump: Path) -> None:
    plain = orjson.loads(run("stats", "-f", "json", dump).stdout)
    masked = orjson.loads(run("stats", "-f", "json", "--redact", dump).stdout)
    assert masked["input"]["files"] == [mask_text(FILE_NAME)]
    assert masked["errors"]["-3001"]["message"] == mask_text(plain["errors"]["-3001"]["message"])
    assert masked == mask_value(plain)


# ---------------------------------------------------------------------------------------------
# filter: valid JSON, only the numbers masked, all else byte for byte


def test_filter_lines_are_valid_json_with_only_numbers_masked(dump: Path) -> None:
    result = run("filter", "--redact", dump)
    assert result.exit_code == 0
    got = result.stdout_bytes.splitlines()
    originals = _lines()[:3]  # first copies
    assert len(got) == len(originals)
    for line, original in zip(got, originals, strict=True):
        assert orjson.loads(line) == mask_line(original)
        raw = orjson.dumps(original).decode()
        for number in sorted(NUMBERS, key=len, reverse=True):
            raw = raw.replace(number, mask_number(number))
        assert line.decode() == raw  # everything else byte for byte


def test_filter_without_redact_is_byte_for_byte(dump: Path) -> None:
    result = run("filter", dump)
    assert result.stdout_bytes.splitlines() == [orjson.dumps(v) for v in _lines()[:3]]


# ---------------------------------------------------------------------------------------------
# stderr: warnings, errors, file names


def test_warning_names_the_file_masked(dump: Path) -> None:
    result = run("stats", "--redact", dump)
    assert f"{mask_text(FILE_NAME)}:3" in result.stderr
    assert leaked(result.stderr) == []
    unredacted = run("stats", dump)
    assert f"{FILE_NAME}:3" in unredacted.stderr  # the test can fail


def test_strict_error_names_the_file_masked(dump: Path) -> None:
    result = run("check", "--strict", "--redact", dump)
    assert result.exit_code == 3
    assert mask_text(FILE_NAME) in result.stderr
    assert leaked(both_streams(result)) == []


def test_missing_file_error_is_masked(dump: Path) -> None:
    missing = "day-+6579135246.jsonl"
    result = run("stats", "-f", "json", "--redact", dump, missing)
    assert result.exit_code == 3
    assert mask_text(missing) in result.stderr
    assert leaked(both_streams(result), (*NUMBERS, "+6579135246")) == []


def test_session_not_found_message_is_masked(dump: Path) -> None:
    result = run("show", "x-+6579135246", "--redact", dump)
    assert result.exit_code == 1
    assert result.stderr.strip()
    assert leaked(both_streams(result), (*NUMBERS, "+6579135246")) == []


def test_breach_lines_hold_no_numbers(dump: Path) -> None:
    result = run("stats", "--redact", dump, "--fail-if", "kpi.error_rate > 0")
    assert result.exit_code == 1
    assert leaked(both_streams(result)) == []


# ---------------------------------------------------------------------------------------------
# generate


def test_generate_takes_redact() -> None:
    """§8/§11: --redact on every command; `generate` prints phone numbers too."""
    plain = run("generate", "-n", "40", "--seed", "3")
    result = run("generate", "-n", "40", "--seed", "3", "--redact")
    assert result.exit_code == 0, result.stderr or result.stdout
    assert not re.search(r"\+[0-9]{5,}", result.stdout)
    for line, original in zip(
        result.stdout_bytes.splitlines(), plain.stdout_bytes.splitlines(), strict=True
    ):
        assert orjson.loads(line) == mask_line(orjson.loads(original))
