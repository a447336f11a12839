"""Writes fuzz/corpus/journal/: journals of a real glacier-mock run, for journal_fuzzer.

Starts the binary with a fresh --data-dir, drives it through the admin API and raw
Glacier requests (vaults, archives, jobs completed and pending, a multipart upload with a
part, tags, policies, a delete), stops it with SIGKILL (so the journal is the live one,
not the compacted one written at start) and saves the journal twice: as it is and with
--recover chosen (the harness's first byte). Usage:

    python3 fuzz/capture_journal_corpus.py build/dev/glacier-mock
"""

import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "journal")
# The e2e harness's tree hash, so the corpus is hashed as the tests hash.
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from harness import tree_hash  # noqa: E402


def main(binary):
    with tempfile.TemporaryDirectory() as data_dir:
        server = subprocess.Popen(
            [binary, "--port", "0", "--data-dir", data_dir, "--standard-delay-ms", "0",
             "--bulk-delay-ms", "600000"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        port = None
        deadline = time.monotonic() + 10
        while port is None and time.monotonic() < deadline:
            match = re.search(rb"listening on http://[^:]+:(\d+)", server.stdout.readline())
            if match:
                port = int(match.group(1))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

        def call(method, path, body=b"", headers=None):
            headers = dict(headers or {}, **{"x-amz-glacier-version": "2012-06-01"})
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response, response.read()

        call("PUT", "/-/vaults/seed")
        archives = []
        for n, data in enumerate((b"first archive", b"x" * 5000, b"")):
            response, _ = call("POST", "/-/vaults/seed/archives", data, {
                "x-amz-sha256-tree-hash": tree_hash(data),
                "x-amz-content-sha256": hashlib.sha256(data).hexdigest(),
                "x-amz-archive-description": f"archive {n}"})
            archives.append(response.getheader("x-amz-archive-id"))
        call("POST", "/-/vaults/seed/jobs", json.dumps(
            {"Type": "archive-retrieval", "ArchiveId": archives[0]}).encode())
        call("POST", "/-/vaults/seed/jobs", json.dumps({"Type": "inventory-retrieval"}).encode())
        call("POST", "/-/vaults/seed/jobs", json.dumps(
            {"Type": "archive-retrieval", "ArchiveId": archives[1], "Tier": "Bulk",
             "RetrievalByteRange": "0-1023"}).encode())
        response, _ = call("POST", "/-/vaults/seed/multipart-uploads", b"",
                           {"x-amz-part-size": "1048576"})
        upload = response.getheader("x-amz-multipart-upload-id")
        part = b"part bytes"
        call("PUT", f"/-/vaults/seed/multipart-uploads/{upload}", part, {
            "Content-Range": f"bytes 0-{len(part) - 1}/*",
            "x-amz-sha256-tree-hash": tree_hash(part),
            "x-amz-content-sha256": hashlib.sha256(part).hexdigest()})
        call("POST", "/-/vaults/seed/tags?operation=add", b'{"Tags":{"k":"v"}}')
        call("PUT", "/-/policies/data-retrieval",
             b'{"Policy":{"Rules":[{"Strategy":"BytesPerHour","BytesPerHour":1000000}]}}')
        call("DELETE", f"/-/vaults/seed/archives/{archives[2]}")
        call("PUT", "/-/vaults/gone")
        call("DELETE", "/-/vaults/gone")
        time.sleep(0.2)  # the zero-delay jobs complete
        server.kill()
        server.wait(10)
        with open(os.path.join(data_dir, "journal.log"), "rb") as f:
            journal = f.read()
    os.makedirs(OUT, exist_ok=True)
    for prefix, name in ((b"\0", "live"), (b"\1", "live-recover")):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(prefix + journal)
    print(f"wrote {OUT}: {len(journal)} bytes of journal")


if __name__ == "__main__":
    main(sys.argv[1])
