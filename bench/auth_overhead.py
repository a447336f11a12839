#!/usr/bin/env python3
"""What access control costs a request: InitiateJob with --auth verify against the same
run with --auth accept, and DeleteArchive on a vault with a 20 KB Vault Lock policy
against a vault with none (wrk, median of --repeat runs each, interleaved).

    cmake --preset release && cmake --build --preset release --target glacier-mock
    python3 bench/auth_overhead.py                      # 5 s runs, 3 of each, 16 connections
    python3 bench/auth_overhead.py --duration 10 --repeat 5 --conns 64

Each server runs with --io-threads 1 --log-level off pinned to one core (--server-cpu,
default 0), wrk with one thread pinned to the other (--client-cpu, default 1).

initiate  Two servers with the same credentials file, one --auth accept, one --auth verify.
          wrk sends both the same InitiateJob {"Type":"inventory-retrieval"}, signed with
          botocore's SigV4Auth just before each run (the signature stays valid for AWS's
          5 minutes), so the requests are byte for byte the same and only the verification
          differs. Each run starts from a reset server with a fresh vault and a fresh
          signature.
delete    One server (--auth accept), two vaults: "plain" without policies and "locked" with
          a Locked Vault Lock policy of just under 20 KB whose every statement covers
          glacier:DeleteArchive (the Developer Guide's compliance and legal-hold statements,
          then Deny statements for other principals, user names and networks, so each is
          evaluated and none matches). wrk deletes an archive that was already deleted
          (idempotent 204) from each; ArchiveAgeInDays is looked up for it on every request.

Needs wrk, taskset and boto3 (for botocore's signer).
"""

import argparse
import datetime
import hashlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WRK_DIR = os.path.join(ROOT, "bench", "wrk")
ACCOUNT = "123456789012"
KEY, SECRET = "AKIABENCHEXAMPLE0001", "bench/K7MDENG/bPxRfiCYEXAMPLEKEY0000001"
POLICY_LIMIT = 20 * 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, cpu, extra, workdir):
        self.port = free_port()
        self.log = open(os.path.join(workdir, f"server-{self.port}.log"), "wb")
        self.process = subprocess.Popen(
            ["taskset", "-c", str(cpu), binary, "--port", str(self.port), "--io-threads", "1",
             "--log-level", "off", *extra],
            cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.call("GET", "/_mock/health")
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    sys.exit(f"auth_overhead.py: the server on port {self.port} did not start")
                time.sleep(0.02)

    def call(self, method, path, body=None, headers=None, expect=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body,
                     headers={"x-amz-glacier-version": "2012-06-01", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        if expect and response.status != expect:
            sys.exit(f"auth_overhead.py: {method} {path} answered {response.status}: {data[:300]!r}")
        return response, data

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        self.log.close()


def server_cpu_ns(pid):
    """CPU time the server's threads have run, in ns (the scheduler's own accounting)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat", encoding="ascii") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return total


def run_wrk(args, script, server, env):
    port = server.port
    cpu_before = server_cpu_ns(server.process.pid)
    command = ["taskset", "-c", str(args.client_cpu), "wrk", "-t1", f"-c{args.conns}",
               f"-d{args.duration}s", "--timeout", "10s", "--latency",
               "-s", os.path.join(WRK_DIR, script), f"http://127.0.0.1:{port}"]
    out = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True,
                         check=True).stdout
    cpu_ns = server_cpu_ns(server.process.pid) - cpu_before
    line = next((l for l in out.splitlines() if l.startswith("WRKRESULT")), None)
    if line is None:
        sys.exit(f"auth_overhead.py: wrk gave no result:\n{out}")
    fields = dict(item.split("=", 1) for item in line.split()[1:])
    errors = sum(int(v) for k, v in fields.items() if k.startswith("errors_"))
    if errors:
        sys.exit(f"auth_overhead.py: {errors} errors or non-2xx answers in {script}: {line}")
    # CPU per request holds its value on a busy machine, where req/s does not.
    cpu_us = cpu_ns / 1000 / max(1, int(fields["requests"]))
    return float(fields["rps"]), int(fields["p50_us"]), int(fields["p99_us"]), cpu_us


def signed_initiate(port):
    """A fresh SigV4 signature for the InitiateJob that signed_initiate.lua sends."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    host = f"127.0.0.1:{port}"
    request = AWSRequest(method="POST", url=f"http://{host}/-/vaults/bench/jobs",
                         data=b'{"Type":"inventory-retrieval"}',
                         headers={"Content-Type": "application/json",
                                  "x-amz-glacier-version": "2012-06-01"})
    SigV4Auth(Credentials(KEY, SECRET), "glacier", "us-east-1").add_auth(request)
    return {"GLACIER_HOST": host, "GLACIER_AMZ_DATE": request.headers["X-Amz-Date"],
            "GLACIER_AUTHORIZATION": request.headers["Authorization"]}


def lock_policy(vault_arn):
    """Just under 20 KB, every statement about DeleteArchive, none matching the root caller
    of a request for an archive that is gone."""
    statements = [
        {"Sid": "deny-based-on-archive-age", "Principal": "*", "Effect": "Deny",
         "Action": "glacier:DeleteArchive", "Resource": vault_arn,
         "Condition": {"NumericLessThan": {"glacier:ArchiveAgeInDays": "365"}}},
        {"Sid": "legal-hold", "Principal": "*", "Effect": "Deny",
         "Action": ["glacier:DeleteArchive", "glacier:DeleteVault"], "Resource": vault_arn,
         "Condition": {"StringLike": {"glacier:ResourceTag/LegalHold": ["true", ""]}}},
    ]
    i = 0
    while True:
        kind = i % 3
        statement = {"Sid": f"padding-{i}", "Effect": "Deny",
                     "Action": ["glacier:DeleteArchive", "glacier:Delete*"],
                     "Resource": [vault_arn, f"arn:aws:glacier:us-east-1:{ACCOUNT}:vaults/other-{i}"]}
        if kind == 0:
            statement["Principal"] = {"AWS": [f"arn:aws:iam::{100000000000 + i}:user/u{i}",
                                              f"{200000000000 + i}"]}
        elif kind == 1:
            statement["Principal"] = "*"
            statement["Condition"] = {"StringEquals": {"aws:username": [f"intern-{i}",
                                                                         f"contractor-{i}"]}}
        else:
            statement["Principal"] = "*"
            statement["Condition"] = {"IpAddress": {"aws:SourceIp": [f"198.51.{i % 250}.0/24"]}}
        document = {"Version": "2012-10-17", "Statement": statements + [statement]}
        if len(json.dumps(document)) > POLICY_LIMIT - 64:
            break
        statements.append(statement)
        i += 1
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return document, len(statements)


def median_ratio(rows, base, other):
    ratios = [o[0] / b[0] for b, o in zip(rows[base], rows[other])]
    return statistics.median(ratios)


def report(title, rows, base, other):
    print(f"\n{title}")
    print(f"  {'':10} {'median req/s':>13} {'p50 us':>8} {'p99 us':>8} {'CPU us/req':>11}"
          "   runs (req/s)")
    for name in (base, other):
        runs = rows[name]
        print(f"  {name:10} {statistics.median(r[0] for r in runs):13.0f} "
              f"{statistics.median(r[1] for r in runs):8.0f} "
              f"{statistics.median(r[2] for r in runs):8.0f} "
              f"{statistics.median(r[3] for r in runs):11.2f}   "
              + ", ".join(f"{r[0]:.0f}" for r in runs))
    ratio = statistics.median(r[0] for r in rows[other]) / statistics.median(
        r[0] for r in rows[base])
    print(f"  {other}/{base}: {ratio:.1%} of the medians "
          f"(median of per-repetition ratios {median_ratio(rows, base, other):.1%})")
    cpu_ratio = statistics.median(r[3] for r in rows[base]) / statistics.median(
        r[3] for r in rows[other])
    print(f"  {other}/{base} by server CPU per request: {cpu_ratio:.1%} "
          "(the rate ratio a dedicated core would give)")


def bench_initiate(args, workdir, credentials):
    common = ["--credentials", credentials]
    servers = {mode: Server(args.bin, args.server_cpu, common + ["--auth", mode], workdir)
               for mode in ("accept", "verify")}
    rows = {"accept": [], "verify": []}
    try:
        for _ in range(args.repeat):
            for mode, server in servers.items():
                server.call("POST", "/_mock/reset", expect=200)
                signed = signed_initiate(server.port)
                # A signed CreateVault would need its own signature; accept mode takes any.
                if mode == "verify":
                    create = signed_create_vault(server.port)
                    server.call("PUT", "/-/vaults/bench", headers=create, expect=201)
                else:
                    server.call("PUT", "/-/vaults/bench", expect=201)
                rows[mode].append(run_wrk(args, "signed_initiate.lua", server, signed))
    finally:
        for server in servers.values():
            server.stop()
    report(f"InitiateJob, {args.conns} connections, {args.duration} s runs", rows, "accept",
           "verify")


def signed_create_vault(port):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    request = AWSRequest(method="PUT", url=f"http://127.0.0.1:{port}/-/vaults/bench",
                         headers={"x-amz-glacier-version": "2012-06-01"})
    SigV4Auth(Credentials(KEY, SECRET), "glacier", "us-east-1").add_auth(request)
    return {"X-Amz-Date": request.headers["X-Amz-Date"],
            "Authorization": request.headers["Authorization"]}


def bench_delete(args, workdir):
    server = Server(args.bin, args.server_cpu, [], workdir)
    rows = {"no policy": [], "20 KB lock": []}
    try:
        archives = {}
        for vault in ("plain", "locked"):
            server.call("PUT", f"/-/vaults/{vault}", expect=201)
            data = b"record"
            digest = hashlib.sha256(data).hexdigest()
            response, _ = server.call("POST", f"/-/vaults/{vault}/archives", data,
                                      {"x-amz-sha256-tree-hash": digest,
                                       "x-amz-content-sha256": digest}, expect=201)
            archives[vault] = response.getheader("x-amz-archive-id")
            server.call("DELETE", f"/-/vaults/{vault}/archives/{archives[vault]}", expect=204)
        document, count = lock_policy(f"arn:aws:glacier:us-east-1:{ACCOUNT}:vaults/locked")
        response, _ = server.call("POST", "/-/vaults/locked/lock-policy",
                                  json.dumps({"Policy": document}), expect=201)
        server.call("POST", f"/-/vaults/locked/lock-policy/{response.getheader('x-amz-lock-id')}",
                    expect=204)
        print(f"lock policy: {len(document)} bytes, {count} statements covering DeleteArchive")
        for _ in range(args.repeat):
            for name, vault in (("no policy", "plain"), ("20 KB lock", "locked")):
                env = {"GLACIER_VAULT": vault, "GLACIER_ARCHIVE_ID": archives[vault]}
                rows[name].append(run_wrk(args, "delete_archive.lua", server, env))
    finally:
        server.stop()
    report(f"DeleteArchive, {args.conns} connections, {args.duration} s runs", rows, "no policy",
           "20 KB lock")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.environ.get("GLACIER_MOCK_BIN") or
                        os.path.join(ROOT, "build", "release", "glacier-mock"))
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--conns", type=int, default=16)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    parser.add_argument("--only", choices=("initiate", "delete"))
    args = parser.parse_args()
    # Absolute: the servers run in a temporary working directory.
    args.bin = os.path.abspath(args.bin)
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"auth_overhead.py: no server binary at {args.bin} (cmake --preset release && "
                 "cmake --build --preset release --target glacier-mock)")
    if args.duration > 240:
        sys.exit("auth_overhead.py: a run must end within its signature's 5 minutes")
    with tempfile.TemporaryDirectory(prefix="glacier-auth-bench-") as workdir:
        credentials = os.path.join(workdir, "credentials.json")
        with open(credentials, "w", encoding="utf-8") as f:
            json.dump({"credentials": [{"access_key_id": KEY, "secret_access_key": SECRET,
                                        "account_id": ACCOUNT}]}, f)
        print(f"{args.bin}, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
              f"{os.cpu_count()} CPUs")
        if args.only in (None, "initiate"):
            bench_initiate(args, workdir, credentials)
        if args.only in (None, "delete"):
            bench_delete(args, workdir)


if __name__ == "__main__":
    main()
