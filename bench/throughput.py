#!/usr/bin/env python3
"""Upload and download throughput of glacier-mock for one big archive (256 MiB by default).

Measures, median of --runs runs each:
  * raw HTTP upload: UploadArchive over http.client with the tree hash and SHA-256
    computed beforehand (untimed), so the time is the transfer plus the server's work
    (reading the body, verifying its tree hash, storing it);
  * raw HTTP download: GetJobOutput of a whole-archive job read into a preallocated
    buffer;
  * the same two through boto3 (what a user sees; botocore hashes the body twice itself
    before an upload);
  * a multipart upload in 64 MiB parts over raw HTTP (parts sent one after another, then
    CompleteMultipartUpload, which assembles the archive);
  * 1 MiB uploads per second at 16 keep-alive connections (wrk, one thread, for
    --rate-seconds; bench/wrk/upload_delete_archive.lua deletes each archive again), skipped
    without wrk.
and prints them next to `openssl speed -bytes 16384 -seconds 3 sha256` on the same machine
(one core's SHA-256 rate: the server hashes every uploaded byte twice, the whole body's
SHA-256 and the tree hash's leaves, on two threads when it may use two CPUs) and the
server's peak RSS (VmHWM from /proc/<pid>/status) over the raw UploadArchive runs alone
(the peak is reset through /proc/<pid>/clear_refs before them) and over the whole run.

    cmake --preset release && cmake --build --preset release -j2
    python3 bench/throughput.py                        # build/release/glacier-mock
    python3 bench/throughput.py --bin build/dev/glacier-mock --runs 3 --size-mib 64

MB/s here is 10^6 bytes per second.
"""

import argparse
import hashlib
import http.client
import io
import os
import random
import re
import statistics
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from harness import Server, tree_hash, wait_until  # noqa: E402

try:
    import boto3
    import botocore.utils
    from botocore.config import Config
except ImportError:
    sys.exit("boto3 is missing: run `bash scripts/install-deps.sh --with-test-clients`")

MIB = 1024 * 1024
VERSION = {"x-amz-glacier-version": "2012-06-01"}


def pseudo_random_bytes(size, seed, chunk=64 * MIB):
    """Reproducible bytes; made in chunks (randbytes takes at most 2**31 bits at once)."""
    rng = random.Random(seed)
    return b"".join(rng.randbytes(min(chunk, size - i)) for i in range(0, size, chunk))

def peak_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc status")


def reset_peak_rss(pid):
    """Restarts VmHWM at the current RSS (Linux clear_refs "5"); False where refused."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def upload_rate(port, seconds, connections):
    """1 MiB UploadArchive calls per second through wrk (each archive deleted again)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    body = pseudo_random_bytes(MIB, 11)
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(body)
        f.flush()
        env = {**os.environ, "GLACIER_BODY_FILE": f.name,
               "GLACIER_TREE_HASH": hashlib.sha256(body).hexdigest()}
        script = os.path.join(ROOT, "bench", "wrk", "upload_delete_archive.lua")
        result = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
             "-s", script, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, env=env, timeout=seconds + 60)
    match = re.search(r"^UPLOADS uploads=(\d+) failures=(\d+) duration_us=(\d+)",
                      result.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk: {result.stdout[-500:]} {result.stderr[-500:]}")
    if int(match.group(2)):
        raise RuntimeError(f"wrk: {match.group(2)} uploads or deletes failed")
    return int(match.group(1)) / (int(match.group(3)) / 1e6)


def openssl_sha256():
    """(MB/s for 16 KiB blocks, the command) from `openssl speed`; None if unavailable."""
    command = ["openssl", "speed", "-bytes", "16384", "-seconds", "3", "sha256"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None, " ".join(command)
    # The table's last line: "sha256   123456.78k" (thousands of bytes per second).
    match = re.search(r"^sha256\s+([\d.]+)k\s*$", result.stdout, re.MULTILINE)
    return (float(match.group(1)) / 1000 if match else None), " ".join(command)


class Raw:
    """Plain http.client calls, without SDK overhead."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def call(self, method, path, body=None, headers=None, expect=(200,)):
        self.conn.request(method, path, body=body, headers={**VERSION, **(headers or {})})
        response = self.conn.getresponse()
        if response.status not in expect:
            raise RuntimeError(f"{method} {path}: {response.status} {response.read()[:300]!r}")
        return response

    def upload(self, vault, data, checksum, sha256):
        response = self.call("POST", f"/-/vaults/{vault}/archives", body=data, headers={
            "x-amz-sha256-tree-hash": checksum, "x-amz-content-sha256": sha256,
            "Content-Length": str(len(data))}, expect=(201,))
        response.read()
        return response.getheader("x-amz-archive-id")

    def multipart(self, vault, data, part_size, part_hashes, checksum):
        response = self.call("POST", f"/-/vaults/{vault}/multipart-uploads",
                             headers={"x-amz-part-size": str(part_size)}, expect=(201,))
        response.read()
        upload_id = response.getheader("x-amz-multipart-upload-id")
        view = memoryview(data)
        for index, (part_tree, part_sha) in enumerate(part_hashes):
            start = index * part_size
            part = view[start:start + part_size]
            self.call("PUT", f"/-/vaults/{vault}/multipart-uploads/{upload_id}", body=part,
                      headers={"Content-Range": f"bytes {start}-{start + len(part) - 1}/*",
                               "x-amz-sha256-tree-hash": part_tree,
                               "x-amz-content-sha256": part_sha,
                               "Content-Length": str(len(part))}, expect=(204,)).read()
        response = self.call("POST", f"/-/vaults/{vault}/multipart-uploads/{upload_id}",
                             headers={"x-amz-archive-size": str(len(data)),
                                      "x-amz-sha256-tree-hash": checksum}, expect=(201,))
        response.read()
        return response.getheader("x-amz-archive-id")

    def delete(self, vault, archive_id):
        self.call("DELETE", f"/-/vaults/{vault}/archives/{archive_id}", expect=(204,)).read()

    def download(self, vault, job_id, buffer):
        response = self.call("GET", f"/-/vaults/{vault}/jobs/{job_id}/output")
        view, got = memoryview(buffer), 0
        while got < len(buffer):
            n = response.readinto(view[got:])
            if not n:
                break
            got += n
        if response.read(1):
            raise RuntimeError("the job output is longer than the archive")
        return got, response.getheader("x-amz-sha256-tree-hash")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "release", "glacier-mock"),
                        help="glacier-mock binary (default: build/release/glacier-mock)")
    parser.add_argument("--size-mib", type=int, default=256, help="archive size (256)")
    parser.add_argument("--part-mib", type=int, default=64, help="multipart part size (64)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (5)")
    parser.add_argument("--rate-seconds", type=int, default=5,
                        help="length of each 1 MiB upload-rate run (5; 0 skips it)")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} is missing: cmake --preset release && "
                 "cmake --build --preset release -j2 (or pass --bin)")
    os.environ["GLACIER_MOCK_BIN"] = binary
    size, part_size = args.size_mib * MIB, args.part_mib * MIB

    data = pseudo_random_bytes(size, 7)
    checksum = tree_hash(data)
    assert checksum == botocore.utils.calculate_tree_hash(io.BytesIO(data))
    sha256 = hashlib.sha256(data).hexdigest()
    part_hashes = [(tree_hash(data[i:i + part_size]),
                    hashlib.sha256(data[i:i + part_size]).hexdigest())
                   for i in range(0, size, part_size)]
    sha_mbs, sha_command = openssl_sha256()
    print(f"binary: {binary}\narchive: {size} bytes; {args.runs} runs each", flush=True)

    results = {}

    def record(name, seconds):
        results.setdefault(name, []).append(size / seconds / 1e6)

    with Server(delays_ms={"Expedited": 0, "Standard": 0, "Bulk": 0}) as server:
        pid = server.process.pid
        raw = Raw(server.port)
        glacier = boto3.client(
            "glacier", endpoint_url=server.endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                          connect_timeout=5, read_timeout=300))
        glacier.create_vault(vaultName="bench")

        # The raw uploads first, after a reset of the peak, so it is theirs alone.
        peak_was_reset = reset_peak_rss(pid)
        for _ in range(args.runs):
            t0 = time.perf_counter()
            archive_id = raw.upload("bench", data, checksum, sha256)
            record("upload, raw HTTP (UploadArchive)", time.perf_counter() - t0)
            raw.delete("bench", archive_id)
        upload_hwm = peak_rss(pid) if peak_was_reset else None

        for _ in range(args.runs):
            t0 = time.perf_counter()
            archive_id = glacier.upload_archive(vaultName="bench", body=data)["archiveId"]
            record("upload, boto3 upload_archive", time.perf_counter() - t0)
            glacier.delete_archive(vaultName="bench", archiveId=archive_id)

            t0 = time.perf_counter()
            archive_id = raw.multipart("bench", data, part_size, part_hashes, checksum)
            record(f"upload, raw HTTP multipart ({args.part_mib} MiB parts)",
                   time.perf_counter() - t0)
            raw.delete("bench", archive_id)

        # One archive and one job serve every download run.
        archive_id = raw.upload("bench", data, checksum, sha256)
        job_id = glacier.initiate_job(vaultName="bench", jobParameters={
            "Type": "archive-retrieval", "ArchiveId": archive_id, "Tier": "Expedited"})["jobId"]
        wait_until(lambda: glacier.describe_job(vaultName="bench", jobId=job_id)["Completed"],
                   timeout_s=60, what="the retrieval job")
        buffer = bytearray(size)
        for _ in range(args.runs):
            t0 = time.perf_counter()
            got, header = raw.download("bench", job_id, buffer)
            record("download, raw HTTP (GetJobOutput)", time.perf_counter() - t0)
            if got != size or header != checksum:
                sys.exit(f"raw download: {got} bytes, tree hash header {header}")

            t0 = time.perf_counter()
            output = glacier.get_job_output(vaultName="bench", jobId=job_id)
            body = output["body"].read()
            record("download, boto3 get_job_output().read()", time.perf_counter() - t0)
            if len(body) != size or output.get("checksum") != checksum:
                sys.exit(f"boto3 download: {len(body)} bytes, checksum {output.get('checksum')}")
            del body
        if buffer != data:
            sys.exit("the downloaded bytes differ from the uploaded ones")
        hwm = peak_rss(pid)

        # Last, so the archives a run leaves undeleted when wrk stops weigh on no other figure.
        rates = []
        for _ in range(args.runs if args.rate_seconds > 0 else 0):
            rate = upload_rate(server.port, args.rate_seconds, 16)
            if rate is None:
                print("wrk is missing: the 1 MiB upload rate is skipped", flush=True)
                break
            rates.append(rate)

    print()
    print(f"| measurement ({args.size_mib} MiB archive) | median MB/s | runs (MB/s) |")
    print("|---|---:|---|")
    for name, values in results.items():
        print(f"| {name} | {statistics.median(values):.0f} | "
              f"{', '.join(f'{v:.0f}' for v in values)} |")
    if sha_mbs is not None:
        print(f"| `{sha_command}` (16 KiB blocks, one core) | {sha_mbs:.0f} | |")
    else:
        print(f"| `{sha_command}` | unavailable | |")
    upload = statistics.median(results["upload, raw HTTP (UploadArchive)"])
    if sha_mbs:
        print(f"\nraw UploadArchive / openssl sha256: {100 * upload / sha_mbs:.0f}%")
    if rates:
        print(f"1 MiB UploadArchive at 16 connections: {statistics.median(rates):.0f}/s median "
              f"({', '.join(f'{r:.0f}' for r in rates)}; {args.rate_seconds} s runs)")
    if upload_hwm is not None:
        print(f"server peak RSS over the raw UploadArchive runs: {upload_hwm / MIB:.0f} MiB "
              f"({upload_hwm / size:.2f}x the archive)")
    else:
        print("server peak RSS over the raw UploadArchive runs: unavailable (clear_refs refused)")
    print(f"server peak RSS (VmHWM) over the whole run: {hwm / MIB:.0f} MiB "
          f"({hwm / size:.2f}x the archive)")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"cores: {os.cpu_count()}; cpu: {cpu_model()}")
    return 0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    sys.exit(main())
