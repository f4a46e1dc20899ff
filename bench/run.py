"""`make bench`: vss against baselines timed in the same run, as medians and ratios.

Makes 1M generated sessions once (cached outside the repository, in $VSS_BENCH_DIR or
~/.cache/vss-bench), then times, with a warm page cache: an orjson parse-only loop (the
baseline), jq when installed, and the vss commands of issue #6, in rounds of every command
in turn. Peak memory is the sum of the resident sizes of the process tree, sampled every
20 ms in one more run of each command, which is not timed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import vss as vss_package

PARSE_ONLY = r"""
import sys, orjson
loads = orjson.loads
tail = b""
with open(sys.argv[1], "rb") as f:
    while chunk := f.read(1 << 20):
        lines = (tail + chunk).split(b"\n")
        tail = lines.pop()
        for line in lines:
            if line:
                loads(line)
if tail:
    loads(tail)
"""
JQ_STATUS = "reduce inputs as $l ({}; .[$l.payload.sessionStatus // $l.sessionStatus] += 1)"
JQ_FULL = (
    "reduce inputs as $l ({s: {}, e: {}, m: 0, n: 0}; "
    "($l.payload // $l) as $p | .s[$p.sessionStatus] += 1 "
    "| reduce ([$p.errorDetails.errorCode, ($p.details[]?.errorDetails.errorCode)]"
    " | map(select(. != null)) | unique[]) as $c (.; .e[$c | tostring] += 1) "
    "| reduce ($p.details[]?.callQuality.mos // empty) as $m (.; .m += $m | .n += 1))"
    " | .mean_mos = (if .n > 0 then .m / .n else null end)"
)


def tree_memory_kb(pid: int) -> tuple[int, int]:
    """Memory of a process and all its descendants, in KiB: the sum of their resident
    sizes (RSS, which counts a page shared by forked workers once per process) and of
    their proportional sizes (PSS, which splits a shared page among its sharers: the
    memory the tree really holds)."""
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        stack.extend(int(child) for child in children)
    return rss, pss


def timed(
    command: list[str] | str, shell: bool = False, sampled: bool = False
) -> tuple[float, int, int, bytes]:
    """Wall time, peak tree RSS and PSS (KiB, when `sampled`) and stdout of one run.

    Stdout goes to a temporary file, not a pipe: a pipe read between memory samples would
    hold up a command that writes much (`filter` writes ~60 MB here). Memory is sampled in
    runs of its own: reading every process's page tables every 20 ms takes CPU from a
    command that keeps both cores busy (`filter --code` over 2 processes: 4.81 s sampled, 4.43 s
    not, medians of 3).
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, shell=shell, stdout=out, stderr=subprocess.DEVNULL)
        peak_rss = peak_pss = 0
        while sampled and process.poll() is None:
            rss, pss = tree_memory_kb(process.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.02)
        process.wait()
        elapsed = time.perf_counter() - start
        out.seek(0)
        output = out.read()
    if process.returncode not in (0, 1):
        raise SystemExit(f"benchmark command failed ({process.returncode}): {command}")
    return elapsed, peak_rss, peak_pss, output


def per_round(times: list[float], baselines: list[float]) -> str:
    """The ratios of a command's times to the baseline's of the same rounds: their least,
    median and greatest. The machine's speed drifts from one minute to the next, and a
    command timed right after the baseline shares its state more than the medians do."""
    ratios = sorted(t / b for t, b in zip(times, baselines, strict=True))
    return f"{ratios[0]:.2f} / {statistics.median(ratios):.2f} / {ratios[-1]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="sessions to generate")
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--no-jq", action="store_true", help="skip the jq baselines")
    parser.add_argument(
        "--only", metavar="TEXT", help="only the commands whose label holds TEXT (and the baseline)"
    )
    args = parser.parse_args()
    cache = Path(os.environ.get("VSS_BENCH_DIR", Path.home() / ".cache" / "vss-bench"))
    cache.mkdir(parents=True, exist_ok=True)
    data = cache / f"generated-{args.n}-seed1.jsonl"
    python = sys.executable
    vss = [python, "-m", "vss"]
    if not data.exists():
        print(f"generating {args.n:,} sessions into {data} ...", flush=True)
        with open(data.with_suffix(".tmp"), "wb") as out:
            subprocess.run(
                [*vss, "generate", "-n", str(args.n), "--seed", "1"], stdout=out, check=True
            )
        data.with_suffix(".tmp").rename(data)
    # vss's modules as bytecode, as they are after a first run (unless the environment
    # sets PYTHONDONTWRITEBYTECODE, which would leave every timed run compiling them)
    package = str(Path(vss_package.__file__).parent)
    subprocess.run([python, "-m", "compileall", "-q", package], check=True)
    with open(data, "rb") as handle:  # warm the page cache; a session id for `show`
        while handle.read(1 << 24):
            pass
    last = data.read_bytes()[-2000:].split(b"\n")[-2]
    session_id = last.split(b'"sessionId":"', 1)[1].split(b'"', 1)[0].decode()
    cases: list[tuple[str, list[str] | str, bool]] = [
        ("orjson parse-only loop (baseline)", [python, "-c", PARSE_ONLY, str(data)], False),
        ("vss stats --jobs 1", [*vss, "stats", "-f", "json", "--jobs", "1", str(data)], False),
        ("vss stats --jobs 2", [*vss, "stats", "-f", "json", "--jobs", "2", str(data)], False),
        (
            "vss errors --code -2004",
            [*vss, "errors", "--code", "-2004", "-f", "json", str(data)],
            False,
        ),
        ("vss filter --code -2004", [*vss, "filter", "--code", "-2004", str(data)], False),
        ("vss show ID", [*vss, "show", session_id, "-f", "json", str(data)], False),
    ]
    if shutil.which("jq") and not args.no_jq:
        cases.append(("jq status breakdown", f"jq -n '{JQ_STATUS}' {data}", True))
        cases.append(("jq status + codes + mean MOS", f"jq -n '{JQ_FULL}' {data}", True))
    if args.only:
        cases = cases[:1] + [case for case in cases[1:] if args.only in case[0]]
    # rounds of every command in turn: a load that comes and goes on a shared machine
    # then weighs on the baseline as on the others, and the ratios hold better
    times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    rss_peaks: dict[str, int] = dict.fromkeys(times, 0)
    pss_peaks: dict[str, int] = dict.fromkeys(times, 0)
    outputs: dict[str, bytes] = {}
    for round_number in range(1, args.runs + 1):
        for label, command, shell in cases:
            elapsed, _, _, outputs[label] = timed(command, shell)
            times[label].append(elapsed)
            print(f"  round {round_number}, {label}: {elapsed:.2f} s", flush=True)
    for label, command, shell in cases:  # memory, in runs that are not timed
        _, rss_peaks[label], pss_peaks[label], _ = timed(command, shell, sampled=True)
        print(f"  memory, {label}: {pss_peaks[label] / 1024:.0f} MB", flush=True)
    results = [
        (label, statistics.median(times[label]), rss_peaks[label], pss_peaks[label])
        for label, _, _ in cases
    ]
    if outputs.get("vss stats --jobs 1") != outputs.get("vss stats --jobs 2"):
        raise SystemExit("vss stats --jobs 1 and --jobs 2 differ")
    base = results[0][1]
    size = data.stat().st_size
    print(
        f"\n{args.n:,} sessions, {size / 1e9:.2f} GB, {os.cpu_count()} CPUs, median of {args.runs}"
    )
    print(
        "| command | median s | x parse-only | per round: min / median / max |"
        " peak PSS MB | peak RSS sum MB |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    baselines = times[results[0][0]]
    for label, median, rss, pss in results:
        memory = f"{pss / 1024:.0f} | {rss / 1024:.0f}"
        print(
            f"| {label} | {median:.2f} | {median / base:.2f} | "
            f"{per_round(times[label], baselines)} | {memory} |"
        )
    medians = {label: median for label, median, _, _ in results}
    jq = medians.get("jq status breakdown")
    if jq:
        ratio = jq / medians["vss stats --jobs 2"]
        print(f"\nvss stats --jobs 2 is {ratio:.1f} x faster than the jq status-only breakdown")


if __name__ == "__main__":
    main()
