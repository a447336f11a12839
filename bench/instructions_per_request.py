#!/usr/bin/env python3
"""User-space instructions glacier-mock spends per request, counted by callgrind.

Wall-clock benchmarks on a shared machine are noisy; instruction counts are not: the same
binary, inputs and environment give the same count whatever else the machine is doing. So
this is the figure to optimise the request path against (bench/run_wrk.sh then confirms the
rate next to nginx on a quiet machine). Kernel work (loopback TCP) is not counted.

The server runs under `valgrind --tool=callgrind` with --io-threads 1 and logging off; a
client sends the scenario's request N times over C keep-alive connections (round robin,
one request in flight per connection); SIGTERM ends the server and callgrind writes its
totals. Two runs, with N1 and N2 requests, give instructions per request as
(Ir(N2) - Ir(N1)) / (N2 - N1): start-up, set-up and shutdown cancel out.

    python3 bench/instructions_per_request.py                     # every scenario
    python3 bench/instructions_per_request.py --scenarios initiate_inventory --top 25

With --top K, the K functions with the most instructions (inclusive of nothing, i.e.
self cost) in the larger run are printed from callgrind_annotate; --keep DIR keeps that
run's callgrind output (callgrind_annotate --tree=caller DIR/callgrind.SCENARIO shows who
calls malloc, say). Needs valgrind.
"""

import argparse
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
VERSION = "x-amz-glacier-version: 2012-06-01\r\n"


def request(method, path, headers="", body=b""):
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{VERSION}{headers}"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def upload_request(size):
    body = bytes(i % 251 for i in range(size))
    digest = hashlib.sha256(body).hexdigest()  # equals the tree hash up to 1 MiB
    return request("POST", "/-/vaults/bench/archives",
                   f"x-amz-sha256-tree-hash: {digest}\r\nx-amz-content-sha256: {digest}\r\n", body)


SCENARIOS = {
    "initiate_inventory": lambda: request(
        "POST", "/-/vaults/bench/jobs", "Content-Type: application/json\r\n",
        b'{"Type":"inventory-retrieval"}'),
    "describe_vault": lambda: request("GET", "/-/vaults/bench"),
    "list_vaults": lambda: request("GET", "/-/vaults?limit=10"),
    "upload_archive_64k": lambda: upload_request(64 * 1024),
}


def read_response(sock, pending):
    """Reads one response (Content-Length framed); returns (status, leftover bytes)."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed")
        rest += chunk
    return status, rest[length:]


def run(binary, scenario, count, connections, workdir, tag):
    out = os.path.join(workdir, f"callgrind.{scenario}.{tag}")
    # Logging off prints no startup line, so the port is chosen here and polled.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(os.path.join(workdir, f"server.{scenario}.{tag}.log"), "wb")
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "--port",
         str(port), "--io-threads", "1", "--log-level", "off"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"server exited with {server.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("server did not start listening")
                time.sleep(0.1)
        socks = [socket.create_connection(("127.0.0.1", port), timeout=60)
                 for _ in range(connections)]
        setup = request("PUT", "/-/vaults/bench")
        socks[0].sendall(setup)
        status, _ = read_response(socks[0], b"")
        assert status == 201, status
        payload = SCENARIOS[scenario]()
        leftovers = [b""] * connections
        sent = 0
        while sent < count:
            batch = min(connections, count - sent)
            for i in range(batch):
                socks[i].sendall(payload)
            for i in range(batch):
                status, leftovers[i] = read_response(socks[i], leftovers[i])
                if status >= 300:
                    raise RuntimeError(f"{scenario}: status {status}")
            sent += batch
        for s in socks:
            s.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1]), out
    raise RuntimeError(f"no totals in {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "build/release/glacier-mock"))
    parser.add_argument("--scenarios", default=" ".join(SCENARIOS))
    parser.add_argument("--n1", type=int, default=500)
    parser.add_argument("--n2", type=int, default=2500)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--keep", metavar="DIR",
                        help="copy the callgrind output of the larger run there, e.g. for "
                             "callgrind_annotate --tree=caller")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for scenario in args.scenarios.split():
            small, _ = run(args.bin, scenario, args.n1, args.connections, workdir, "n1")
            large, out = run(args.bin, scenario, args.n2, args.connections, workdir, "n2")
            per = (large - small) / (args.n2 - args.n1)
            print(f"{scenario:22s} {per:10.0f} instructions/request "
                  f"(Ir {small} at N={args.n1}, {large} at N={args.n2})", flush=True)
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                shutil.copy(out, os.path.join(args.keep, f"callgrind.{scenario}"))
            if args.top:
                report = subprocess.run(["callgrind_annotate", out], capture_output=True,
                                        text=True).stdout
                lines = [l for l in report.splitlines() if re.match(r"^\s*[\d,]+ \(", l)]
                print("\n".join(lines[:args.top + 1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
