#!/usr/bin/env python3
"""Glacier Select over a large CSV archive, next to sqlite3's own CSV import and query.

Writes a CSV of --mib MiB (default 100) with three columns, `key-<n>,<0..999>,<text>`,
uploads it to glacier-mock, runs

    SELECT s._1, s._3 FROM archive s WHERE CAST(s._2 AS INT) > 500

as a select job (no tier delay: the time is the worker's, from InitiateJob's answer to
DescribeJob's Succeeded) and checks its result row count. Then the anchor: the sqlite3
command-line shell imports the same file into an in-memory table (`.import --csv`) and runs
the same query (`SELECT a, c FROM t WHERE CAST(b AS INT) > 500`), timed as one process.
Prints rows/s and MB/s of input for both, each the median of --runs runs.

Then memory and stopping, on a fresh server with a CSV of --rss-mib MiB (default 256; 0
skips this): the server's peak resident set size (VmHWM) after the upload and after a
select job whose result is small (`WHERE s._3 LIKE '%golf golf 13'`, about 0.02% of the
rows), and how long the server takes to exit on SIGTERM while a second such query runs.

Run by hand after a build (bench/README.md, "Glacier Select"):

    python3 bench/select_csv.py                      # build/release, else build/dev
    python3 bench/select_csv.py --mib 20 --runs 1 --rss-mib 32

Needs boto3 and the sqlite3 shell (Debian's `sqlite3` package).
"""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from harness import Server, wait_until  # noqa: E402

try:
    import boto3
    from botocore.config import Config
except ImportError:
    sys.exit("boto3 is missing: run `bash scripts/install-deps.sh --with-test-clients`")

MIB = 1024 * 1024
QUERY = "SELECT s._1, s._3 FROM archive s WHERE CAST(s._2 AS INT) > 500"
SMALL_RESULT_QUERY = "SELECT s._1 FROM archive s WHERE s._3 LIKE '%golf golf 13'"
SMALL_RESULT_SUFFIX = "golf golf 13"
ANCHOR_QUERY = "SELECT a, c FROM t WHERE CAST(b AS INT) > 500;"


def default_binary():
    for preset in ("release", "dev"):
        path = os.path.join(ROOT, "build", preset, "glacier-mock")
        if os.access(path, os.X_OK):
            return path
    sys.exit("no glacier-mock binary: build the release (or dev) preset first")


def write_csv(path, size):
    """Rows until `size` bytes; returns (rows, rows QUERY selects, rows SMALL_RESULT_QUERY
    selects)."""
    rng = random.Random(7)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    rows = selected = small = 0
    written = 0
    with open(path, "w") as out:
        chunk = []
        while written < size:
            value = rng.randrange(1000)
            text = f"{rng.choice(words)} {rng.choice(words)} {rows % 97}"
            line = f"key-{rows},{value},{text}\n"
            small += text.endswith(SMALL_RESULT_SUFFIX)
            chunk.append(line)
            written += len(line)
            rows += 1
            selected += value > 500
            if len(chunk) == 10000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))
    return rows, selected, small


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def glacier_client(server):
    return boto3.client("glacier", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(read_timeout=600, retries={"max_attempts": 1}))


def start_job(glacier, archive, query):
    return glacier.initiate_job(vaultName="bench", jobParameters={
        "Type": "select", "ArchiveId": archive, "Tier": "Expedited",
        "SelectParameters": {"Expression": query, "ExpressionType": "SQL"},
        "OutputLocation": {"S3": {"BucketName": "bench", "Prefix": "p"}}})["jobId"]


def run_job(glacier, archive, query):
    """Runs one select job to its end; returns (seconds, job id)."""
    started = time.monotonic()
    job = start_job(glacier, archive, query)
    description = wait_until(
        lambda: (lambda d: d if d["Completed"] else None)(
            glacier.describe_job(vaultName="bench", jobId=job)),
        timeout_s=600, interval_s=0.01, what="the select job")
    took = time.monotonic() - started
    if description["StatusCode"] != "Succeeded":
        sys.exit(f"the select job failed: {description['StatusMessage']}")
    return took, job


def result_rows(server, job):
    listing = json.load(urllib.request.urlopen(
        f"{server.endpoint}/_mock/jobs/{job}/select-output", timeout=60))
    rows = 0
    for o in listing["objects"]:
        if "/results/" in o["key"]:
            url = f"{server.endpoint}/_mock/jobs/{job}/select-output?key={o['key']}"
            rows += urllib.request.urlopen(url, timeout=60).read().count(b"\n")
    return rows


def bench_server(binary):
    os.environ["GLACIER_MOCK_BIN"] = binary
    # The harness finds the port in the info-level startup line, so the log stays at info.
    return Server(delays_ms={"Expedited": 0, "Standard": 0, "Bulk": 0})


def run_glacier(binary, data, runs, expected_rows):
    """The median time of `runs` select jobs running QUERY over `data`."""
    server = bench_server(binary).start()
    try:
        glacier = glacier_client(server)
        glacier.create_vault(vaultName="bench")
        archive = glacier.upload_archive(vaultName="bench", body=data)["archiveId"]
        times = []
        for _ in range(runs):
            took, job = run_job(glacier, archive, QUERY)
            times.append(took)
        rows = result_rows(server, job)
        if rows != expected_rows:
            sys.exit(f"the select job returned {rows} rows, expected {expected_rows}")
        return statistics.median(times)
    finally:
        server.stop()


def run_memory(binary, data, expected_rows):
    """Peak RSS around a small-result select over `data`, then the exit time on SIGTERM
    while the same query runs again. Returns a dict of the figures."""
    server = bench_server(binary).start()
    figures = {"idle_mib": peak_rss_mib(server.process.pid)}
    try:
        glacier = glacier_client(server)
        glacier.create_vault(vaultName="bench")
        archive = glacier.upload_archive(vaultName="bench", body=data)["archiveId"]
        figures["upload_mib"] = peak_rss_mib(server.process.pid)
        figures["select_s"], job = run_job(glacier, archive, SMALL_RESULT_QUERY)
        figures["select_mib"] = peak_rss_mib(server.process.pid)
        rows = result_rows(server, job)
        if rows != expected_rows:
            sys.exit(f"the small-result job returned {rows} rows, expected {expected_rows}")
        start_job(glacier, archive, SMALL_RESULT_QUERY)
        # A quarter of the query's own time: the worker is well into the archive.
        time.sleep(figures["select_s"] / 4)
        stopped = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(60)
        figures["stop_ms"] = (time.monotonic() - stopped) * 1000
        if code != 0:
            sys.exit(f"glacier-mock exited with {code} on SIGTERM during a query")
        return figures
    finally:
        server.stop()


def run_anchor(sqlite3, path, runs, expected_rows):
    script = (f"CREATE TABLE t(a, b, c);\n.import --csv {path} t\n"
              f"SELECT count(*) FROM ({ANCHOR_QUERY.rstrip(';')});\n"
              f".output /dev/null\n{ANCHOR_QUERY}\n")
    times = []
    for _ in range(runs):
        started = time.monotonic()
        result = subprocess.run([sqlite3, ":memory:"], input=script, text=True,
                                capture_output=True, timeout=600, check=True)
        times.append(time.monotonic() - started)
        if int(result.stdout.split()[0]) != expected_rows:
            sys.exit(f"sqlite3 counted {result.stdout.strip()} rows, expected {expected_rows}")
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=None, help="glacier-mock binary")
    parser.add_argument("--mib", type=int, default=100, help="CSV size in MiB")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; the median counts")
    parser.add_argument("--rss-mib", type=int, default=256,
                        help="CSV size in MiB of the memory and stop phase; 0 skips it")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin or default_binary())
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        sys.exit("the sqlite3 shell is missing: apt-get install sqlite3")

    with tempfile.TemporaryDirectory(prefix="select-bench-") as tmp:
        path = os.path.join(tmp, "archive.csv")
        rows, selected, _ = write_csv(path, args.mib * MIB)
        with open(path, "rb") as f:
            data = f.read()
        size_mb = len(data) / 1e6
        print(f"{binary}\n{len(data)} bytes, {rows} rows, {selected} selected; median of "
              f"{args.runs}")
        glacier_s = run_glacier(binary, data, args.runs, selected)
        anchor_s = run_anchor(sqlite3, path, args.runs, selected)
        del data
        print(f"glacier-mock select job : {glacier_s:6.2f} s  {rows / glacier_s / 1e6:5.2f} M "
              f"rows/s  {size_mb / glacier_s:6.1f} MB/s")
        print(f"sqlite3 .import + query : {anchor_s:6.2f} s  {rows / anchor_s / 1e6:5.2f} M "
              f"rows/s  {size_mb / anchor_s:6.1f} MB/s")
        print(f"glacier-mock / sqlite3 throughput: {anchor_s / glacier_s * 100:.0f}%")
        if args.rss_mib == 0:
            return
        rows, _, small = write_csv(path, args.rss_mib * MIB)
        with open(path, "rb") as f:
            data = f.read()
        figures = run_memory(binary, data, small)
    print(f"{len(data)} bytes, {rows} rows; {SMALL_RESULT_QUERY!r} selects {small}")
    print(f"server peak RSS: {figures['idle_mib']:.0f} MiB idle, {figures['upload_mib']:.0f} MiB "
          f"after the upload, {figures['select_mib']:.0f} MiB after the select job "
          f"({figures['select_s']:.2f} s)")
    print(f"SIGTERM during the same query: exited 0 after {figures['stop_ms']:.0f} ms")


if __name__ == "__main__":
    main()
