#!/usr/bin/env python3
"""How fast glacier-mock starts, and how much memory it holds when idle.

Each run spawns the binary with --port 0, reads the port from its startup line
(`listening on http://127.0.0.1:PORT`), then polls GET /_mock/health on loopback until the
first 200. Reported per run: spawn to startup line, spawn to first healthy answer, the idle
resident set size (VmRSS from /proc/<pid>/status shortly after that answer) and how long
SIGTERM takes to stop it. Prints the median and p90 (nearest rank) over all runs.

    cmake --preset release && cmake --build --preset release --target glacier-mock
    python3 bench/startup.py                  # 20 runs of build/release/glacier-mock
    python3 bench/startup.py --runs 50 --bin build/dev/glacier-mock -- --io-threads 1

Arguments after `--` go to the server. Only the standard library is used. Every wait is
bounded (--timeout, default 5 s); a run that misses it fails the benchmark with exit 1.
"""

import argparse
import http.client
import math
import os
import platform
import re
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LISTENING = re.compile(rb"listening on http://127\.0\.0\.1:(\d+)")


class BenchError(Exception):
    pass


def wait_for_port(process, deadline):
    """Reads the server's output until the startup line; returns its port."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    seen = b""
    try:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise BenchError(f"no startup line in time; output so far: {seen[-500:]!r}")
            if not selector.select(remaining):
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                raise BenchError(f"server exited ({process.wait()}): {seen[-500:]!r}")
            seen += chunk
            match = LISTENING.search(seen)
            if match:
                return int(match.group(1))
    finally:
        selector.close()


def drain(pipe):
    """Keeps reading so that access-log lines can never fill the pipe and block the server."""
    while os.read(pipe.fileno(), 65536):
        pass


def wait_for_health(port, deadline):
    """Polls GET /_mock/health until it answers 200; returns the number of attempts."""
    attempts = 0
    while True:
        attempts += 1
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise BenchError(f"/_mock/health did not answer 200 within the timeout "
                             f"({attempts - 1} attempts)")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=remaining)
        try:
            connection.request("GET", "/_mock/health")
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return attempts
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.001)


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchError("no VmRSS in /proc/<pid>/status")


def one_run(binary, server_args, timeout_s, settle_s, workdir):
    started = time.perf_counter()
    deadline = started + timeout_s
    process = subprocess.Popen([binary, "--port", "0", *server_args], cwd=workdir,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    drainer = None
    try:
        port = wait_for_port(process, deadline)
        listening = time.perf_counter()
        drainer = threading.Thread(target=drain, args=(process.stdout,), daemon=True)
        drainer.start()
        wait_for_health(port, deadline)
        healthy = time.perf_counter()
        time.sleep(settle_s)
        rss = vm_rss_kib(process.pid)
        stop_started = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=timeout_s)
        stopped = time.perf_counter()
        if code != 0:
            raise BenchError(f"server exited with status {code} on SIGTERM")
        return {
            "listening_ms": (listening - started) * 1000.0,
            "healthy_ms": (healthy - started) * 1000.0,
            "rss_kib": rss,
            "stop_ms": (stopped - stop_started) * 1000.0,
        }
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        if drainer is not None:
            drainer.join(timeout=5)
        process.stdout.close()


def nearest_rank(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "release", "glacier-mock"),
                        help="binary to measure (default: build/release/glacier-mock)")
    parser.add_argument("--runs", type=int, default=20, help="number of starts (default 20)")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="seconds each run may take to become healthy, and to stop")
    parser.add_argument("--settle", type=float, default=0.2,
                        help="idle seconds between the first healthy answer and reading VmRSS")
    parser.add_argument("server_args", nargs="*", help="after --: extra server arguments")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} is not an executable: build it with `cmake --preset release && "
                 "cmake --build --preset release --target glacier-mock` or pass --bin")

    results = []
    # An empty working directory, so that no config/glacier-mock.json is picked up.
    with tempfile.TemporaryDirectory(prefix="glacier-startup-") as workdir:
        for run in range(args.runs):
            try:
                results.append(one_run(args.bin, args.server_args, args.timeout, args.settle,
                                       workdir))
            except (BenchError, subprocess.TimeoutExpired) as e:
                sys.exit(f"run {run + 1}: {e}")

    shown = os.path.abspath(args.bin)
    if shown.startswith(ROOT + os.sep):
        shown = os.path.relpath(shown, ROOT)
    print(f"binary: {shown} {' '.join(args.server_args)}".rstrip())
    print(f"host:   {cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()}")
    print(f"runs:   {len(results)}")
    print(f"{'':34} {'median':>9} {'p90':>9} {'min':>9} {'max':>9}")
    rows = [
        ("spawn to startup line (ms)", "listening_ms", 1.0),
        ("spawn to first health 200 (ms)", "healthy_ms", 1.0),
        ("idle VmRSS (MiB)", "rss_kib", 1 / 1024),
        ("SIGTERM to exit (ms)", "stop_ms", 1.0),
    ]
    for label, key, scale in rows:
        values = [r[key] * scale for r in results]
        print(f"{label:34} {statistics.median(values):9.1f} {nearest_rank(values, 0.9):9.1f} "
              f"{min(values):9.1f} {max(values):9.1f}")


if __name__ == "__main__":
    main()
