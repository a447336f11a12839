#!/usr/bin/env python3
"""How glacier-mock copes with many jobs: creation rate, lookups in a big store, memory per
job, and how punctually a flood of pending jobs completes.

    cmake --preset release && cmake --build --preset release --target glacier-mock
    python3 bench/jobs_scale.py                       # everything, 1,000,000 jobs
    python3 bench/jobs_scale.py --jobs 200000 --only create,lookup,memory
    python3 bench/jobs_scale.py --only lateness --window 10 --bin build/dev/glacier-mock

The server runs with --io-threads 1 --log-level off, pinned to one core (--server-cpu,
default 0); the clients (wrk with bench/wrk/fill_jobs.lua, describe_job.lua, list_jobs.lua,
and this script's probes) are pinned to the other (--client-cpu, default 1). Needs wrk and
taskset; uses only Python's standard library. Phases (--only):

create    10,000 InitiateJob (inventory) through wrk at 16 and 64 keep-alive connections,
          --runs times each from a reset store; reports the wall time of the 10,000 (first
          request to the 10,000th 202) as median and all runs.
lookup    DescribeJob and ListJobs?limit=50 latency (wrk, 1 connection) and rate (16
          connections) with 10 jobs in the store, then again after filling the same vault to
          --jobs jobs (Standard delay 1 h, so all stay InProgress). DescribeJob cycles
          through 1,000 job ids spread over the store. ListJobs is measured from the start,
          from a marker in the middle, and with statuscode=Succeeded (which nothing matches,
          so the whole vault is walked); with limit=10 too, since with 10 jobs in the store a
          limit=50 page holds only 10 and is cheaper for that alone. Also times one GET /_mock/metrics.
memory    (same server, measured around the fill of `lookup`) VmRSS growth over the --jobs
          in-progress jobs divided by their number; then the clock is advanced by an hour so
          all of them complete in one admin call (its duration gives the batch completion
          rate) and the growth per completed, retained job is reported too. Idle VmRSS right
          after the first health answer is reported at start (bench/startup.py measures
          start-up time and idle memory over many runs).
lateness  A flood of pending jobs due within about --window seconds. A client can create
          only so many jobs per second (about 15-30k/s here), so the window is filled in
          three phases of --window seconds each, Bulk, then Standard, then Expedited jobs,
          with tier delays chosen so that the three phases fall due over the same window:
          three phases' worth of jobs come due in one window. Every --sample-every-th job is
          sampled; its due time is CreationDate + its tier's delay (the server's own
          arithmetic, millisecond precision). Prober threads (--probers) poll DescribeJob of
          each sample from just before its due time until it says Completed, and record
          when they first saw it completed: lateness = first seen - due (an upper bound;
          the resolution is one poll, ~0.2-1 ms). A sample whose due time had passed before
          its prober got to it is counted as "started late" and its lateness is still an
          upper bound. Every poll's round trip is kept as the server's answer time during
          the flood. At the end, /_mock/metrics must show no job in progress.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WRK_DIR = os.path.join(ROOT, "bench", "wrk")
VERSION = {"x-amz-glacier-version": "2012-06-01"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values, p):
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def parse_iso(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


class Server:
    def __init__(self, binary, cpu, extra):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        args = ["taskset", "-c", str(cpu), binary, "--port", str(self.port), "--io-threads", "1",
                "--log-level", "off"] + extra
        self.started = time.perf_counter()
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        deadline = time.time() + 10
        while True:
            try:
                self.request("GET", "/_mock/health", expect=200)
                break
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    self.log.seek(0)
                    raise RuntimeError(f"server did not start: {self.log.read()[-500:]!r}")
                time.sleep(0.005)
        self.first_health_ms = (time.perf_counter() - self.started) * 1000
        self.idle_rss_kib = rss_kib(self.pid)

    def request(self, method, path, body=None, expect=None, timeout=600):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=VERSION)
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        if expect is not None and r.status != expect:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
        return r, data

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def cpu_seconds(pid):
    """User + system CPU time of a process, all its threads."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(args, script, port, env, cpu, duration, conns, latency=False):
    cmd = ["taskset", "-c", str(cpu), "wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--timeout",
           "30s"] + (["--latency"] if latency else []) + ["-s", os.path.join(WRK_DIR, script),
                                                            f"http://127.0.0.1:{port}"]
    out = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True,
                         check=True).stdout
    result = {}
    for line in out.splitlines():
        if line.startswith(("WRKRESULT", "FILLRESULT")):
            for field in line.split()[1:]:
                key, value = field.split("=")
                result[key] = float(value)
    if not result:
        raise RuntimeError(f"no result from wrk: {out}")
    return result


def jobs_in_progress(server):
    _, data = server.request("GET", "/_mock/metrics", expect=200)
    total = 0
    for line in data.decode().splitlines():
        m = re.match(r'glacier_jobs\{status="InProgress"[^}]*\} (\d+)', line)
        if m:
            total += int(m.group(1))
    return total


def fill(server, count, a):
    """Creates `count` inventory jobs in vault bench with wrk; returns (accepted, seconds)."""
    r = wrk(a, "fill_jobs.lua", server.port, {"GLACIER_COUNT": str(count)}, a.client_cpu, 3600,
            64)
    return r["accepted"], r["elapsed_us"] / 1e6


# ---------------------------------------------------------------------------------------


def phase_create(a, report):
    server = Server(a.bin, a.server_cpu, [])
    report["idle_rss_kib"] = server.idle_rss_kib
    report["first_health_ms"] = server.first_health_ms
    print(f"idle VmRSS right after the first health answer: {server.idle_rss_kib / 1024:.1f} MiB"
          f" (spawn to first health answer {server.first_health_ms:.0f} ms, one sample; see "
          "bench/startup.py)")
    try:
        for conns in (16, 64):
            times = []
            for _ in range(a.runs):
                server.request("POST", "/_mock/reset", expect=200)
                server.request("PUT", "/-/vaults/bench", expect=201)
                r = wrk(a, "fill_jobs.lua", server.port, {"GLACIER_COUNT": "10000"}, a.client_cpu,
                        600, conns)
                times.append(r["elapsed_us"] / 1e6)
            report[f"create_10000_c{conns}_s"] = times
            print(f"10,000 InitiateJob at {conns} connections: median {statistics.median(times):.3f}"
                  f" s ({10000 / statistics.median(times):.0f}/s); runs "
                  + ", ".join(f"{t:.3f}" for t in times))
    finally:
        server.stop()


def measure_lookups(server, a, label, ids_file, middle_id, any_id):
    """DescribeJob and ListJobs: 1 connection for latency, 16 for rate; median of runs."""
    cases = [
        ("DescribeJob", "describe_job.lua", {"GLACIER_JOB_IDS_FILE": ids_file}),
        ("DescribeJob (one id)", "describe_job.lua", {"GLACIER_JOB_ID": any_id}),
        ("ListJobs limit=50", "list_jobs.lua", {}),
        ("ListJobs limit=10", "list_jobs.lua", {"GLACIER_LIST_LIMIT": "10"}),
        ("ListJobs limit=50 from middle marker", "list_jobs.lua",
         {"GLACIER_LIST_QUERY": "&marker=" + middle_id}),
        ("ListJobs statuscode=Succeeded (no match)", "list_jobs.lua",
         {"GLACIER_LIST_QUERY": "&statuscode=Succeeded"}),
    ]
    results = {}
    # Timed first: a slow case leaves requests queued in the server after wrk stops.
    took = []
    for _ in range(3):
        started = time.perf_counter()
        server.request("GET", "/_mock/metrics", expect=200)
        took.append((time.perf_counter() - started) * 1000)
    results["metrics_ms"] = statistics.median(took)
    print(f"  [{label}] GET /_mock/metrics: {results['metrics_ms']:.1f} ms (median of 3)")

    def measured(script, env, conns):
        before = cpu_seconds(server.pid)
        r = wrk(a, script, server.port, env, a.client_cpu, a.duration, conns, latency=True)
        r["cpu_us_per_req"] = (cpu_seconds(server.pid) - before) * 1e6 / max(1, r["requests"])
        return r

    for name, script, env in cases:
        one = [measured(script, env, 1) for _ in range(a.runs)]
        many = [measured(script, env, 16) for _ in range(a.runs)]
        errors = sum(r["errors_status"] + r["errors_read"] + r["errors_timeout"]
                     for r in one + many)
        row = {
            "p50_ms_c1": statistics.median(r["p50_us"] for r in one) / 1000,
            "p99_ms_c1": statistics.median(r["p99_us"] for r in one) / 1000,
            "rps_c1": statistics.median(r["rps"] for r in one),
            "rps_c16": statistics.median(r["rps"] for r in many),
            "p99_ms_c16": statistics.median(r["p99_us"] for r in many) / 1000,
            "cpu_us_per_req": statistics.median(r["cpu_us_per_req"] for r in one + many),
            "errors": errors,
        }
        results[name] = row
        print(f"  [{label}] {name:42s} c=1 p50 {row['p50_ms_c1']:.3f} ms p99 {row['p99_ms_c1']:.3f} "
              f"ms {row['rps_c1']:.0f}/s | c=16 {row['rps_c16']:.0f}/s p99 {row['p99_ms_c16']:.3f} ms"
              f" | server CPU {row['cpu_us_per_req']:.1f} us/req"
              f"{' ERRORS ' + str(errors) if errors else ''}")
    return results


def phase_lookup_memory(a, report, tmp):
    # Jobs stay in progress during the measurement: Standard takes an hour.
    server = Server(a.bin, a.server_cpu, ["--standard-delay-ms", "3600000"])
    try:
        server.request("PUT", "/-/vaults/bench", expect=201)
        small_ids = []
        for _ in range(10):
            r, _ = server.request("POST", "/-/vaults/bench/jobs", '{"Type":"inventory-retrieval"}',
                                  expect=202)
            small_ids.append(r.getheader("x-amz-job-id"))
        ids_small = os.path.join(tmp, "ids-small")
        with open(ids_small, "w") as f:
            f.write("\n".join(small_ids) + "\n")
        print(f"lookups with 10 jobs in the store ({a.duration} s runs, median of {a.runs}):")
        report["lookup_10"] = measure_lookups(server, a, "10 jobs", ids_small, small_ids[5],
                                              small_ids[0])

        rss_before = rss_kib(server.pid)
        to_add = a.jobs - 10
        sample_every = max(1, to_add // 1000)
        ids_big = os.path.join(tmp, "ids-big")
        r = wrk(a, "fill_jobs.lua", server.port,
                {"GLACIER_COUNT": str(to_add), "GLACIER_SAMPLE_EVERY": str(sample_every),
                 "GLACIER_SAMPLE_FILE": ids_big}, a.client_cpu, 3600, 64)
        fill_s = r["elapsed_us"] / 1e6
        time.sleep(0.5)
        held = jobs_in_progress(server)
        rss_after = rss_kib(server.pid)
        per_job = (rss_after - rss_before) * 1024 / max(1, held - 10)
        report["fill"] = {"jobs": held, "seconds": fill_s, "rate": (held - 10) / fill_s}
        report["rss_per_pending_job_bytes"] = per_job
        report["rss_with_jobs_mib"] = rss_after / 1024
        print(f"filled to {held} jobs in {fill_s:.1f} s ({(held - 10) / fill_s:.0f}/s); VmRSS "
              f"{rss_before / 1024:.1f} -> {rss_after / 1024:.1f} MiB = {per_job:.0f} bytes per "
              "in-progress job")
        with open(ids_big) as f:
            big_ids = [line.strip() for line in f if line.strip()]
        print(f"lookups with {held} jobs in the store:")
        report["lookup_big"] = measure_lookups(server, a, f"{held} jobs", ids_big,
                                               big_ids[len(big_ids) // 2], small_ids[0])

        # Complete everything in one admin call; the jobs are then retained for 24 h.
        started = time.perf_counter()
        _, data = server.request("POST", "/_mock/clock/advance", json.dumps({"seconds": 3600}),
                                 expect=200, timeout=3600)
        took = time.perf_counter() - started
        by_call = json.loads(data)["completed_jobs"]
        time.sleep(0.5)
        rss_done = rss_kib(server.pid)
        # The scheduler thread, woken by the first completions, completes due jobs alongside
        # the admin call, so the call's own count is only part of them.
        left = jobs_in_progress(server)
        completed = held - left
        per_done = (rss_done - rss_before) * 1024 / max(1, held - 10)
        report["advance_complete"] = {"jobs": completed, "by_admin_call": by_call,
                                      "seconds": took, "left_in_progress": left}
        report["rss_per_completed_job_bytes"] = per_done
        print(f"/_mock/clock/advance: {completed} jobs completed in {took:.2f} s "
              f"({completed / took:.0f}/s; the call itself reports {by_call}, the scheduler "
              f"thread did the rest; {left} left in progress); VmRSS {rss_done / 1024:.1f} MiB = "
              f"{per_done:.0f} bytes per completed (retained) job")
    finally:
        server.stop()


def phase_lateness(a, report, tmp):
    window = a.window
    gap = 0.15  # between two wrk runs: process start, connect
    margin = 8.0  # from the end of the fill to the first due time: sampling, probers ready
    # The Expedited phase starts last and runs `window` seconds; its first job must fall due
    # `margin` seconds after it ends. The earlier phases are due later by their head start.
    expedited = window + margin
    standard = expedited + (window + gap)
    bulk = expedited + 2 * (window + gap)
    delays = {"Bulk": bulk, "Standard": standard, "Expedited": expedited}
    server = Server(a.bin, a.server_cpu, [
        "--expedited-delay-ms", str(int(expedited * 1000)),
        "--standard-delay-ms", str(int(standard * 1000)),
        "--bulk-delay-ms", str(int(bulk * 1000))])
    try:
        server.request("PUT", "/-/vaults/bench", expect=201)
        samples = []
        total = 0
        for tier in ("Bulk", "Standard", "Expedited"):
            sample_file = os.path.join(tmp, f"lateness-{tier}")
            r = wrk(a, "fill_jobs.lua", server.port,
                    {"GLACIER_TIER": tier, "GLACIER_SAMPLE_EVERY": str(a.sample_every),
                     "GLACIER_SAMPLE_FILE": sample_file}, a.client_cpu, window, 64)
            total += int(r["accepted"])
            with open(sample_file) as f:
                samples += [(tier, line.strip()) for line in f if line.strip()]
            print(f"  {tier:9s} phase: {int(r['accepted'])} jobs in {r['elapsed_us'] / 1e6:.1f} s")
        fill_done = time.time()
        # Due time of each sample from its CreationDate, as the server computes it.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        due = []
        for tier, job_id in samples:
            conn.request("GET", f"/-/vaults/bench/jobs/{job_id}", headers=VERSION)
            body = json.loads(conn.getresponse().read())
            due.append((parse_iso(body["CreationDate"]) + delays[tier], job_id))
        conn.close()
        due.sort()
        first_due, last_due = due[0][0], due[-1][0]
        report["lateness_setup"] = {"jobs": total, "samples": len(due),
                                    "due_window_s": last_due - first_due}
        print(f"{total} pending jobs; {len(due)} samples due over {last_due - first_due:.2f} s, "
              f"the first {first_due - time.time():.1f} s from now (fill ended "
              f"{time.time() - fill_done:.1f} s ago)")
        if first_due - time.time() < 0.5:
            print("WARNING: the first samples fell due before the probers started; raise the "
                  "margin or lower --window")

        results = []  # (lateness_s, started_late)
        rtts = []
        lock = threading.Lock()

        def prober(mine):
            c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            local, local_rtt = [], []
            for when, job_id in mine:
                pause = when - 0.002 - time.time()
                late_start = pause < -0.002
                if pause > 0:
                    time.sleep(pause)
                while True:
                    sent = time.time()
                    c.request("GET", f"/-/vaults/bench/jobs/{job_id}", headers=VERSION)
                    body = c.getresponse().read()
                    seen = time.time()
                    local_rtt.append(seen - sent)
                    if b'"Completed":true' in body:
                        local.append((seen - when, late_start))
                        break
            c.close()
            with lock:
                results.extend(local)
                rtts.extend(local_rtt)

        threads = [threading.Thread(target=prober, args=(due[i::a.probers],))
                   for i in range(a.probers)]
        os.sched_setaffinity(0, {a.client_cpu})
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(0.5)
        left = jobs_in_progress(server)
        lateness_ms = [r[0] * 1000 for r in results]
        late_starts = sum(1 for r in results if r[1])
        rtt_ms = [r * 1000 for r in rtts]
        report["lateness_ms"] = {
            "p50": percentile(lateness_ms, 50), "p90": percentile(lateness_ms, 90),
            "p99": percentile(lateness_ms, 99), "max": max(lateness_ms),
            "samples": len(lateness_ms), "started_late": late_starts,
            "jobs_in_progress_after": left}
        report["describe_during_flood_ms"] = {
            "polls": len(rtt_ms), "p50": percentile(rtt_ms, 50), "p99": percentile(rtt_ms, 99),
            "max": max(rtt_ms)}
        print(f"lateness (first seen completed - due) over {len(lateness_ms)} samples: p50 "
              f"{percentile(lateness_ms, 50):.1f} ms, p90 {percentile(lateness_ms, 90):.1f} ms, "
              f"p99 {percentile(lateness_ms, 99):.1f} ms, max {max(lateness_ms):.1f} ms; "
              f"{late_starts} probes started late (upper bounds); jobs still in progress "
              f"afterwards: {left}")
        print(f"DescribeJob round trips during the flood ({len(rtt_ms)} polls): p50 "
              f"{percentile(rtt_ms, 50):.2f} ms, p99 {percentile(rtt_ms, 99):.2f} ms, max "
              f"{max(rtt_ms):.2f} ms")
    finally:
        server.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_bin = os.path.join(ROOT, "build", "release", "glacier-mock")
    p.add_argument("--bin", default=os.environ.get("GLACIER_MOCK_BIN", default_bin))
    p.add_argument("--jobs", type=int, default=1_000_000, help="jobs for lookup/memory")
    p.add_argument("--runs", type=int, default=3, help="repetitions of each wrk measurement")
    p.add_argument("--duration", type=int, default=3, help="seconds per wrk lookup run")
    p.add_argument("--window", type=int, default=10, help="lateness: due window, seconds")
    p.add_argument("--sample-every", type=int, default=500, help="lateness: sample 1 in N jobs")
    p.add_argument("--probers", type=int, default=6, help="lateness: polling threads")
    p.add_argument("--server-cpu", type=int, default=0)
    p.add_argument("--client-cpu", type=int, default=1)
    p.add_argument("--only", default="create,lookup,lateness",
                   help="comma-separated phases: create, lookup (includes memory), lateness")
    p.add_argument("--json", help="also write the figures to this file")
    a = p.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"no binary at {a.bin}; build it first (see the docstring)")
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (apt-get install wrk util-linux)")
    phases = set(a.only.split(","))
    report = {"bin": a.bin, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
              "loadavg_start": open("/proc/loadavg").read().split()[:3]}
    print(f"{a.bin}; server on cpu {a.server_cpu} (--io-threads 1, log off), clients on cpu "
          f"{a.client_cpu}; load average {' '.join(report['loadavg_start'])}")
    with tempfile.TemporaryDirectory() as tmp:
        if "create" in phases:
            phase_create(a, report)
        if "lookup" in phases or "memory" in phases:
            phase_lookup_memory(a, report, tmp)
        if "lateness" in phases:
            phase_lateness(a, report, tmp)
    report["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    print(f"load average at the end: {' '.join(report['loadavg_end'])}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
