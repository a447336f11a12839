#!/usr/bin/env python3
"""A 1 GiB archive through glacier-mock with boto3, and the server's peak memory.

Uploads a 1 GiB archive (by default) in 64 MiB multipart parts, retrieves it whole and in
a few ranges (a ranged retrieval job and Range headers, aligned and not), checks every
byte and every tree hash against botocore.utils.calculate_tree_hash, and reports the
server's peak resident set size (VmHWM from /proc/<pid>/status) after each phase.

Too big for the default test suite; run it by hand after a build:

    python3 bench/big_archive.py                       # build/release, else build/dev
    python3 bench/big_archive.py --bin build/dev/glacier-mock --max-rss-gib 1.3

Exits 1 if a check fails or the peak RSS is above --max-rss-gib (default 1.3).
Needs boto3 and about 2.5 GiB of free memory (the archive is held once by this script and
once by the server).
"""

import argparse
import hashlib
import io
import os
import random
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from harness import Server, wait_until  # noqa: E402

try:
    import boto3
    import botocore.utils
    from botocore.config import Config
except ImportError:
    sys.exit("boto3 is missing: run `bash scripts/install-deps.sh --with-test-clients`")

MIB = 1024 * 1024
GIB = 1024 * MIB


def default_binary():
    for preset in ("release", "dev"):
        path = os.path.join(ROOT, "build", preset, "glacier-mock")
        if os.access(path, os.X_OK):
            return path
    sys.exit("no glacier-mock binary: build one (cmake --preset release && "
             "cmake --build --preset release -j2) or pass --bin")


def pseudo_random_bytes(size, seed, chunk=64 * MIB):
    """Reproducible bytes; made in chunks (randbytes takes at most 2**31 bits at once)."""
    rng = random.Random(seed)
    return b"".join(rng.randbytes(min(chunk, size - i)) for i in range(0, size, chunk))

def peak_rss(pid):
    """VmHWM and VmRSS of a process, in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0]) * 1024
    return values["VmHWM"], values["VmRSS"]


def tree_hash_of_leaves(leaves):
    level = list(leaves) or [hashlib.sha256(b"").digest()]
    while len(level) > 1:
        level = [hashlib.sha256(level[i] + level[i + 1]).digest() if i + 1 < len(level)
                 else level[i] for i in range(0, len(level), 2)]
    return level[0].hex()


def tree_nodes(size):
    """The (first MiB, end MiB) span of every node of an archive's tree hash tree."""
    level = [(i, i + 1) for i in range(max(1, -(-size // MIB)))]
    nodes = set(level)
    while len(level) > 1:
        level = [(level[i][0], level[i + 1][1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
        nodes.update(level)
    return nodes


def job_range_aligned(start, end, size):
    """Spec §2.3: the range's tree-hash root is a node of the whole archive's tree."""
    if end + 1 == size:
        stop = -(-size // MIB)
    elif (end + 1) % MIB == 0:
        stop = (end + 1) // MIB
    else:
        return False
    return start % MIB == 0 and (start // MIB, stop) in tree_nodes(size)


def range_header_aligned(start, end, total):
    """Spec §2.3: a Range header starting on a MiB boundary and ending on one or at the end."""
    return start % MIB == 0 and ((end + 1) % MIB == 0 or end + 1 == total)


def calculate_tree_hash(view):
    return botocore.utils.calculate_tree_hash(io.BytesIO(view))


class Check:
    def __init__(self):
        self.failures = []

    def equal(self, got, want, what):
        if got != want:
            self.failures.append(f"{what}: got {got!r}, expected {want!r}")
            print(f"  FAIL {what}: got {got!r}, expected {want!r}", flush=True)
        return got == want


def stream_compare(body, expected, chunk=8 * MIB):
    """Reads a streaming body, compares it with `expected` (a memoryview) as it arrives,
    and returns (bytes read, first differing offset or None, tree hash of what was read)."""
    offset, mismatch, leaves, pending = 0, None, [], b""
    while True:
        data = body.read(chunk)
        if not data:
            break
        end = offset + len(data)
        if mismatch is None and (end > len(expected) or expected[offset:end] != data):
            mismatch = offset
        buffer = memoryview(pending + data if pending else data)
        whole = len(buffer) - len(buffer) % MIB
        for i in range(0, whole, MIB):
            leaves.append(hashlib.sha256(buffer[i:i + MIB]).digest())
        pending = bytes(buffer[whole:])
        offset = end
    if pending:
        leaves.append(hashlib.sha256(pending).digest())
    if mismatch is None and offset != len(expected):
        mismatch = min(offset, len(expected))
    return offset, mismatch, tree_hash_of_leaves(leaves)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", help="glacier-mock binary (default: build/release, else dev)")
    parser.add_argument("--size-mib", type=int, default=1024, help="archive size (1024)")
    parser.add_argument("--part-mib", type=int, default=64, help="part size (64)")
    parser.add_argument("--max-rss-gib", type=float, default=1.3,
                        help="fail when the server's peak RSS is above this (1.3)")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin or default_binary())
    os.environ["GLACIER_MOCK_BIN"] = binary
    size, part_size = args.size_mib * MIB, args.part_mib * MIB
    if args.size_mib < 128:
        parser.error("--size-mib must be at least 128")
    check = Check()

    print(f"binary: {binary}\narchive: {size} bytes in {part_size}-byte parts", flush=True)
    started = time.monotonic()
    data = pseudo_random_bytes(size, 1)
    view = memoryview(data)
    whole_hash = calculate_tree_hash(view)
    print(f"generated and hashed the archive in {time.monotonic() - started:.1f} s", flush=True)

    with Server(delays_ms={"Expedited": 0, "Standard": 0, "Bulk": 0}) as server:
        pid = server.process.pid
        glacier = boto3.client(
            "glacier", endpoint_url=server.endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                          connect_timeout=5, read_timeout=300))
        phases = []

        def phase(name, t0):
            hwm, rss = peak_rss(pid)
            phases.append((name, time.monotonic() - t0, hwm, rss))
            print(f"{name:<34} {time.monotonic() - t0:6.1f} s   server VmHWM "
                  f"{hwm / GIB:.3f} GiB, VmRSS {rss / GIB:.3f} GiB", flush=True)

        phase("idle", time.monotonic())
        glacier.create_vault(vaultName="big")

        t0 = time.monotonic()
        upload_id = glacier.initiate_multipart_upload(
            vaultName="big", partSize=str(part_size))["uploadId"]
        for start in range(0, size, part_size):
            part = view[start:start + part_size]
            checksum = calculate_tree_hash(part)
            answer = glacier.upload_multipart_part(
                vaultName="big", uploadId=upload_id, body=bytes(part), checksum=checksum,
                range=f"bytes {start}-{start + len(part) - 1}/*")
            check.equal(answer.get("checksum"), checksum, f"part {start} checksum")
        phase(f"upload {size // part_size} parts", t0)

        t0 = time.monotonic()
        done = glacier.complete_multipart_upload(vaultName="big", uploadId=upload_id,
                                                 archiveSize=str(size), checksum=whole_hash)
        check.equal(done.get("checksum"), whole_hash, "CompleteMultipartUpload checksum")
        archive_id = done["archiveId"]
        phase("complete (assemble the archive)", t0)

        def retrieve(**parameters):
            job_id = glacier.initiate_job(vaultName="big", jobParameters={
                "Type": "archive-retrieval", "ArchiveId": archive_id, "Tier": "Expedited",
                **parameters})["jobId"]

            def completed():
                job = glacier.describe_job(vaultName="big", jobId=job_id)
                return job if job["Completed"] else None
            job = wait_until(completed, timeout_s=120, interval_s=0.05, what=f"job {job_id}")
            check.equal(job["StatusCode"], "Succeeded", f"job {job_id} status")
            check.equal(job["ArchiveSHA256TreeHash"], whole_hash, "ArchiveSHA256TreeHash")
            return job_id, job

        t0 = time.monotonic()
        job_id, job = retrieve()
        check.equal(job["SHA256TreeHash"], whole_hash, "whole job SHA256TreeHash")
        output = glacier.get_job_output(vaultName="big", jobId=job_id)
        length, mismatch, read_hash = stream_compare(output["body"], view)
        check.equal((length, mismatch), (size, None), "whole download: length, first mismatch")
        check.equal(read_hash, whole_hash, "tree hash of the downloaded bytes")
        check.equal(output.get("checksum"), whole_hash, "whole download checksum header")
        phase("download whole", t0)

        t0 = time.monotonic()
        last = size - 1
        half = size // 2 // MIB * MIB
        ranges = [(0, 64 * MIB - 1), (size - 64 * MIB, last), (half, last),
                  (12345, 12345 + 10 * MIB), (3 * MIB, 7 * MIB - 1), (MIB, half + 99)]
        for start, end in ranges:
            with_hash = range_header_aligned(start, end, size)
            output = glacier.get_job_output(vaultName="big", jobId=job_id,
                                            range=f"bytes={start}-{end}")
            what = f"Range bytes={start}-{end}"
            length, mismatch, read_hash = stream_compare(output["body"], view[start:end + 1])
            check.equal((output["status"], length, mismatch), (206, end - start + 1, None), what)
            check.equal(output.get("contentRange"), f"bytes {start}-{end}/{size}", what)
            check.equal(output.get("checksum"), read_hash if with_hash else None,
                        f"{what} checksum")
        # A ranged retrieval job: the upper half (a node of the tree) and an unaligned one.
        for start, end in ((half, last), (MIB, half + MIB - 1)):
            aligned = job_range_aligned(start, end, size)
            ranged_id, ranged = retrieve(RetrievalByteRange=f"{start}-{end}")
            expected = calculate_tree_hash(view[start:end + 1])
            check.equal(ranged.get("SHA256TreeHash"), expected if aligned else None,
                        f"job {start}-{end} SHA256TreeHash")
            output = glacier.get_job_output(vaultName="big", jobId=ranged_id)
            length, mismatch, read_hash = stream_compare(output["body"], view[start:end + 1])
            check.equal((length, mismatch), (end - start + 1, None), f"job {start}-{end} bytes")
            check.equal(read_hash, expected, f"job {start}-{end} tree hash of the bytes")
            check.equal(output.get("checksum"), expected if aligned else None,
                        f"job {start}-{end} checksum header")
        phase("download ranges", t0)

        hwm, _ = peak_rss(pid)

    print()
    print(f"server peak RSS (VmHWM): {hwm / GIB:.3f} GiB ({hwm // MIB} MiB) for a "
          f"{size / GIB:.2f} GiB archive; target <= {args.max_rss_gib} GiB")
    if check.failures:
        print(f"{len(check.failures)} check(s) failed")
        return 1
    print("all bytes and tree hashes verified")
    if hwm > args.max_rss_gib * GIB:
        print("peak RSS is above the target")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
