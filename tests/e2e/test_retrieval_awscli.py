"""Archive round trips through the `aws` command (AWS CLI v1 or v2): single-request and
multipart uploads, retrieval jobs and GetJobOutput, with byte-identical output and tree
hashes equal to the ones computed here in Python (and to botocore's, when this
interpreter has botocore).

Run: GLACIER_MOCK_BIN=$PWD/../../build/dev/glacier-mock python3 -m unittest -v test_retrieval_awscli
(from tests/e2e, with an absolute path: the server runs in a temporary directory; ctest
does this). $AWS_CLI may name another `aws` executable.
"""

import io
import json
import os
import random
import unittest

from harness import ACCOUNT, AwsCliTestCase, tree_hash, wait_until


try:  # Only a cross-check: the CLI may be a standalone v2 without a Python botocore here.
    import botocore.utils as botocore_utils
except ImportError:
    botocore_utils = None

MIB = 1024 * 1024
# (size, part size for the multipart upload, part order)
CASES = [(1, MIB, [0]), (MIB + 1, MIB, [1, 0]), (5 * MIB, 4 * MIB, [1, 0])]


def expected_tree_hash(data):
    computed = tree_hash(data)
    if botocore_utils is not None:
        assert computed == botocore_utils.calculate_tree_hash(io.BytesIO(data)), len(data)
    return computed


class AwsCliRetrievalTest(AwsCliTestCase):
    server_delays_ms = {"Expedited": 0, "Standard": 30, "Bulk": 60}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = {size: random.Random(size).randbytes(size) for size, _, _ in CASES}

    def write(self, name, data):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def assert_same_bytes(self, got, want, what):
        if got != want:
            self.fail(f"{what}: {len(got)} bytes received, {len(want)} expected, contents differ")

    def create_vault(self, stem):
        vault = self.unique(stem)
        self.aws("create-vault", "--account-id", "-", "--vault-name", vault)
        return vault

    def retrieve_and_check(self, vault, archive_id, data, what):
        """An Expedited whole-archive job; returns its ID once the output is verified."""
        expected = expected_tree_hash(data)
        job = self.aws("initiate-job", "--account-id", "-", "--vault-name", vault,
                       "--job-parameters", json.dumps({
                           "Type": "archive-retrieval", "ArchiveId": archive_id,
                           "Tier": "Expedited"}))
        job_id = job["jobId"]

        def done():
            described = self.aws("describe-job", "--account-id", "-", "--vault-name", vault,
                                 f"--job-id={job_id}")
            return described if described["Completed"] else None
        described = wait_until(done, interval_s=0.05, what=f"{what}: job {job_id}")
        self.assertEqual(described["StatusCode"], "Succeeded", described)
        self.assertEqual(described["ArchiveSizeInBytes"], len(data), what)
        self.assertEqual(described["SHA256TreeHash"], expected, f"{what}: SHA256TreeHash")
        self.assertEqual(described["ArchiveSHA256TreeHash"], expected,
                         f"{what}: ArchiveSHA256TreeHash")

        outfile = os.path.join(self.tmp.name, f"{job_id[:16]}.out")
        output = self.aws("get-job-output", "--account-id", "-", "--vault-name", vault,
                          f"--job-id={job_id}", outfile)
        self.assertEqual(output["status"], 200, what)
        self.assertEqual(output.get("checksum"), expected, f"{what}: GetJobOutput checksum")
        self.assertEqual(output.get("contentType"), "application/octet-stream", what)
        self.assert_same_bytes(self.read(outfile), data, f"{what}: GetJobOutput body")
        return job_id

    def test_single_request_round_trips(self):
        vault = self.create_vault("cli-single")
        for size, _, _ in CASES:
            with self.subTest(size=size):
                data = self.data[size]
                body = self.write(f"single-{size}.bin", data)
                uploaded = self.aws("upload-archive", "--account-id", "-", "--vault-name", vault,
                                    "--archive-description", f"cli single {size}",
                                    "--body", body)
                self.assertEqual(uploaded["checksum"], expected_tree_hash(data))
                self.assertEqual(uploaded["location"],
                                 f"/{ACCOUNT}/vaults/{vault}/archives/{uploaded['archiveId']}")
                job_id = self.retrieve_and_check(vault, uploaded["archiveId"], data,
                                                 f"single {size}")
                if size > 2 * MIB:
                    self.check_ranges(vault, job_id, data)

    def check_ranges(self, vault, job_id, data):
        for start, end, with_hash in [(MIB, 2 * MIB - 1, True), (4 * MIB, len(data) - 1, True),
                                      (1, MIB, False), (0, 1023, False)]:
            part = data[start:end + 1]
            outfile = os.path.join(self.tmp.name, f"range-{start}-{end}.out")
            output = self.aws("get-job-output", "--account-id", "-", "--vault-name", vault,
                              f"--job-id={job_id}", "--range", f"bytes={start}-{end}", outfile)
            what = f"Range bytes={start}-{end}"
            self.assertEqual(output["status"], 206, what)
            self.assertEqual(output.get("contentRange"), f"bytes {start}-{end}/{len(data)}", what)
            self.assertEqual(output.get("checksum"),
                             expected_tree_hash(part) if with_hash else None, what)
            self.assert_same_bytes(self.read(outfile), part, what)

    def test_multipart_round_trips(self):
        vault = self.create_vault("cli-multipart")
        for size, part_size, order in CASES:
            with self.subTest(size=size, part_size=part_size, order=order):
                data = self.data[size]
                what = f"multipart {size} in {part_size}-byte parts"
                initiated = self.aws("initiate-multipart-upload", "--account-id", "-",
                                     "--vault-name", vault, "--part-size", str(part_size),
                                     "--archive-description", f"cli multipart {size}")
                upload_id = initiated["uploadId"]
                expected_parts = []
                for index in order:
                    start = index * part_size
                    part = data[start:start + part_size]
                    end = start + len(part) - 1
                    checksum = expected_tree_hash(part)
                    uploaded = self.aws(
                        "upload-multipart-part", "--account-id", "-", "--vault-name", vault,
                        f"--upload-id={upload_id}", "--range", f"bytes {start}-{end}/*",
                        "--checksum", checksum,
                        "--body", self.write(f"part-{size}-{index}.bin", part))
                    self.assertEqual(uploaded.get("checksum"), checksum, f"{what}: part {index}")
                    expected_parts.append({"RangeInBytes": f"{start}-{end}",
                                           "SHA256TreeHash": checksum})
                # The CLI pages ListParts itself and prints only the Parts.
                listed = self.aws("list-parts", "--account-id", "-", "--vault-name", vault,
                                  f"--upload-id={upload_id}")
                self.assertEqual(listed["Parts"],
                                 sorted(expected_parts, key=lambda p: int(p["RangeInBytes"]
                                                                          .split("-")[0])))

                checksum = expected_tree_hash(data)
                if size == CASES[-1][0]:
                    # A wrong whole-archive hash is refused and leaves the upload open.
                    wrong = expected_tree_hash(data[:-1])
                    stderr = self.aws("complete-multipart-upload", "--account-id", "-",
                                      "--vault-name", vault, f"--upload-id={upload_id}",
                                      "--archive-size", str(size), "--checksum", wrong,
                                      expect_ok=False)
                    self.assertIn("InvalidParameterValueException", stderr)
                    self.assertIn(f"Invalid x-amz-sha256-tree-hash: {wrong}", stderr)
                done = self.aws("complete-multipart-upload", "--account-id", "-",
                                "--vault-name", vault, f"--upload-id={upload_id}",
                                "--archive-size", str(size), "--checksum", checksum)
                self.assertEqual(done.get("checksum"), checksum, what)
                self.retrieve_and_check(vault, done["archiveId"], data, what)


if __name__ == "__main__":
    unittest.main(verbosity=2)
