"""Archive round trips, ranged retrievals, inventory paging, multipart misuse and limits,
driven through boto3 (client and resource API) against the real glacier-mock binary.

Every check compares with botocore.utils.calculate_tree_hash of the same bytes: the
checksum the upload returns, DescribeJob's SHA256TreeHash / ArchiveSHA256TreeHash and
GetJobOutput's x-amz-sha256-tree-hash.

Run: GLACIER_MOCK_BIN=$PWD/../../build/dev/glacier-mock python3 -m unittest -v test_retrieval_boto3
(from tests/e2e, with an absolute path: the server runs in a temporary directory; ctest
does this).
"""

import concurrent.futures
import io
import json
import random
import re
import threading
import time
import unittest

from harness import ACCOUNT, ServerTestCase, fail_missing, tree_hash, vault_arn, wait_until

try:
    import boto3
    import botocore.utils
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    fail_missing("boto3")

MIB = 1024 * 1024
# The sizes of the round trips: around the 1 MiB leaf size, several leaves, a big tree.
SIZES = (1, MIB - 1, MIB, MIB + 1, 5 * MIB, 64 * MIB)
ISO_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UPLOAD_ID_NOT_FOUND = "The upload ID was not found: {}"


def calculate_tree_hash(data):
    return botocore.utils.calculate_tree_hash(io.BytesIO(data))


_data_cache = {}


def data_of(size):
    """Deterministic pseudo-random bytes of `size`, generated once per size."""
    if size not in _data_cache:
        _data_cache[size] = random.Random(size).randbytes(size)
    return _data_cache[size]


def make_client(endpoint, **extra):
    return boto3.client(
        "glacier", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=60, **extra))


def tree_nodes(size):
    """The (first MiB, end MiB) span of every node of the archive's tree hash tree."""
    chunks = max(1, -(-size // MIB))
    level = [(i, i + 1) for i in range(chunks)]
    nodes = set(level)
    while len(level) > 1:
        level = [(level[i][0], level[i + 1][1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
        nodes.update(level)
    return nodes


def job_range_aligned(start, end, size):
    """Spec §2.3 (AWS checksum-calculations-range): a retrieval range [start, end] is
    tree-hash aligned when its tree-hash root is a node of the whole archive's tree."""
    if start % MIB:
        return False
    if end + 1 == size:
        last = -(-size // MIB)
    elif (end + 1) % MIB == 0:
        last = (end + 1) // MIB
    else:
        return False
    return (start // MIB, last) in tree_nodes(size)


def range_header_aligned(start, end, total):
    """Spec §2.3: a Range header gets a tree hash when it starts on a MiB boundary and ends
    on one or at the end of the job's data."""
    return start % MIB == 0 and ((end + 1) % MIB == 0 or end + 1 == total)


def parse_csv_line(line):
    """One inventory CSV row per spec §2.5: a field holding a comma or quote is wrapped in
    double quotes, an inner quote is written \\" and a backslash is not escaped."""
    fields, i = [], 0
    while True:
        if i < len(line) and line[i] == '"':
            i += 1
            value = []
            while True:
                if i >= len(line):
                    raise ValueError(f"unterminated quoted field in {line!r}")
                if line[i] == "\\" and i + 1 < len(line) and line[i + 1] == '"':
                    value.append('"')
                    i += 2
                elif line[i] == '"':
                    i += 1
                    break
                else:
                    value.append(line[i])
                    i += 1
            fields.append("".join(value))
            if i < len(line) and line[i] != ",":
                raise ValueError(f"text after a closing quote at {i} in {line!r}")
        else:
            comma = line.find(",", i)
            end = len(line) if comma < 0 else comma
            fields.append(line[i:end])
            i = end
        if i >= len(line):
            return fields
        i += 1  # the comma


class GlacierCase(ServerTestCase):
    """Helpers shared by the classes below; each class gets its own server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.glacier = make_client(cls.server.endpoint)

    # -- assertions ----------------------------------------------------------------------

    def status(self, response):
        return response["ResponseMetadata"]["HTTPStatusCode"]

    def assert_same_bytes(self, got, want, what):
        """Byte equality without dumping megabytes into the failure message."""
        if got == want:
            return
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                     min(len(got), len(want)))
        self.fail(f"{what}: {len(got)} bytes received, {len(want)} expected; "
                  f"first difference at offset {first}")

    def client_error(self, call, **kwargs):
        shown = {k: (f"<{len(v)} bytes>" if isinstance(v, (bytes, bytearray)) else v)
                 for k, v in kwargs.items()}
        with self.assertRaises(ClientError, msg=f"{call.__name__}({shown}) succeeded") as ctx:
            call(**kwargs)
        return ctx.exception.response

    def assert_error(self, response, status, code, message, what):
        error = response.get("Error", {})
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status,
                         f"{what}: {error}")
        self.assertEqual(error.get("Code"), code, f"{what}: {error}")
        if message is not None:
            self.assertEqual(error.get("Message"), message, what)
        return error.get("Message", "")

    def assert_serving(self):
        """The process is up and answers a plain request."""
        self.assert_server_alive()
        self.assertEqual(self.status(self.glacier.list_vaults()), 200)

    def assert_vault_counts(self, vault, archives, size):
        described = self.glacier.describe_vault(vaultName=vault)
        self.assertEqual((described.get("NumberOfArchives"), described.get("SizeInBytes")),
                         (archives, size), f"DescribeVault {vault}: {described}")

    # -- jobs ----------------------------------------------------------------------------

    def wait_completed(self, vault, job_id, client=None):
        client = client or self.glacier

        def done():
            job = client.describe_job(vaultName=vault, jobId=job_id)
            return job if job["Completed"] else None
        return wait_until(done, interval_s=0.02, what=f"job {job_id} to complete")

    def wait_succeeded(self, vault, job_id, client=None):
        job = self.wait_completed(vault, job_id, client)
        self.assertEqual(job["StatusCode"], "Succeeded", job)
        return job

    def retrieve(self, vault, archive_id, tier="Expedited", **parameters):
        job_id = self.glacier.initiate_job(vaultName=vault, jobParameters={
            "Type": "archive-retrieval", "ArchiveId": archive_id, "Tier": tier,
            **parameters})["jobId"]
        return job_id, self.wait_succeeded(vault, job_id)

    def check_whole_retrieval(self, vault, archive_id, data, what):
        """A whole-archive job: DescribeJob's hashes and GetJobOutput's bytes and checksum."""
        expected = calculate_tree_hash(data)
        job_id, job = self.retrieve(vault, archive_id)
        self.assertEqual(job["ArchiveId"], archive_id, what)
        self.assertEqual(job["ArchiveSizeInBytes"], len(data), what)
        self.assertEqual(job["RetrievalByteRange"], f"0-{len(data) - 1}", what)
        self.assertEqual(job["ArchiveSHA256TreeHash"], expected, f"{what}: ArchiveSHA256TreeHash")
        self.assertEqual(job["SHA256TreeHash"], expected, f"{what}: SHA256TreeHash")
        output = self.glacier.get_job_output(vaultName=vault, jobId=job_id)
        self.assertEqual(output["status"], 200, what)
        self.assertEqual(output.get("contentType"), "application/octet-stream", what)
        self.assertEqual(output.get("acceptRanges"), "bytes", what)
        self.assertIsNone(output.get("contentRange"), what)
        self.assert_same_bytes(output["body"].read(), data, f"{what}: GetJobOutput body")
        self.assertEqual(output.get("checksum"), expected, f"{what}: GetJobOutput checksum")
        return job_id

    # -- multipart -----------------------------------------------------------------------

    def list_all_parts(self, vault, upload_id):
        parts, marker = [], None
        for _ in range(1000):
            page = self.glacier.list_parts(vaultName=vault, uploadId=upload_id,
                                           **({"marker": marker} if marker else {}))
            parts += [(p["RangeInBytes"], p["SHA256TreeHash"]) for p in page["Parts"]]
            marker = page.get("Marker")
            if not marker:
                return parts
        self.fail("ListParts paging does not end")

    def upload_parts(self, vault, upload_id, data, part_size, order):
        """Uploads data's parts in `order` (indices); returns the expected ListParts rows."""
        rows = {}
        for index in order:
            start = index * part_size
            part = data[start:start + part_size]
            end = start + len(part) - 1
            checksum = calculate_tree_hash(part)
            response = self.glacier.upload_multipart_part(
                vaultName=vault, uploadId=upload_id, range=f"bytes {start}-{end}/*",
                body=part, checksum=checksum)
            self.assertEqual(self.status(response), 204)
            self.assertEqual(response.get("checksum"), checksum, f"part {start}-{end}")
            rows[start] = (f"{start}-{end}", checksum)
        return [rows[k] for k in sorted(rows)]

    def multipart_upload(self, vault, data, part_size, shuffle_seed=None, description=None):
        kwargs = {"archiveDescription": description} if description is not None else {}
        initiated = self.glacier.initiate_multipart_upload(
            vaultName=vault, partSize=str(part_size), **kwargs)
        self.assertEqual(self.status(initiated), 201)
        upload_id = initiated["uploadId"]
        self.assertEqual(initiated["location"],
                         f"/{ACCOUNT}/vaults/{vault}/multipart-uploads/{upload_id}")
        order = list(range(-(-len(data) // part_size)))
        if shuffle_seed is not None:
            random.Random(shuffle_seed).shuffle(order)
        expected_parts = self.upload_parts(vault, upload_id, data, part_size, order)
        self.assertEqual(self.list_all_parts(vault, upload_id), expected_parts)
        checksum = calculate_tree_hash(data)
        done = self.glacier.complete_multipart_upload(
            vaultName=vault, uploadId=upload_id, archiveSize=str(len(data)), checksum=checksum)
        self.assertEqual(self.status(done), 201)
        self.assertEqual(done.get("checksum"), checksum)
        self.assertEqual(done["location"],
                         f"/{ACCOUNT}/vaults/{vault}/archives/{done['archiveId']}")
        return upload_id, done


class RoundTripTest(GlacierCase):
    # Expedited completes at once; Bulk runs ~1 s, long enough to delete its archive first.
    server_delays_ms = {"Expedited": 0, "Standard": 30, "Bulk": 1000}

    def test_harness_tree_hash_matches_botocore(self):
        # tests/e2e/harness.tree_hash is what the CLI test compares with.
        for size in SIZES[:-1] + (3 * MIB + 7, 0):
            data = data_of(size)
            self.assertEqual(tree_hash(data), calculate_tree_hash(data), f"{size} bytes")

    def test_single_request_round_trips(self):
        vault = self.unique("single")
        self.glacier.create_vault(vaultName=vault)
        total = 0
        for size in SIZES:
            with self.subTest(size=size):
                data = data_of(size)
                uploaded = self.glacier.upload_archive(
                    vaultName=vault, body=data, archiveDescription=f"single {size}")
                self.assertEqual(self.status(uploaded), 201)
                self.assertEqual(uploaded["checksum"], calculate_tree_hash(data))
                total += size
                self.check_whole_retrieval(vault, uploaded["archiveId"], data, f"single {size}")
        self.assert_vault_counts(vault, len(SIZES), total)

    def test_multipart_round_trips(self):
        vault = self.unique("multipart")
        self.glacier.create_vault(vaultName=vault)
        cases = []
        for size in SIZES:
            cases.append((size, MIB, size))  # 1 MiB parts, shuffled
            cases.append((size, 8 * MIB, None))  # 8 MiB parts, in order
        cases.append((64 * MIB, 16 * MIB, 16))  # 16 MiB parts, shuffled
        for size, part_size, seed in cases:
            with self.subTest(size=size, part_size=part_size, shuffled=seed is not None):
                data = data_of(size)
                upload_id, done = self.multipart_upload(vault, data, part_size, seed,
                                                        description=f"  multipart {size}")
                what = f"multipart {size} in {part_size}-byte parts"
                self.check_whole_retrieval(vault, done["archiveId"], data, what)
                # Gone from the listings once completed; completing again repeats the answer.
                error = self.client_error(self.glacier.list_parts, vaultName=vault,
                                          uploadId=upload_id)
                self.assert_error(error, 404, "ResourceNotFoundException",
                                  UPLOAD_ID_NOT_FOUND.format(upload_id), f"{what}: ListParts")
                uploads = self.glacier.list_multipart_uploads(vaultName=vault)["UploadsList"]
                self.assertNotIn(upload_id, [u["MultipartUploadId"] for u in uploads])
                again = self.glacier.complete_multipart_upload(
                    vaultName=vault, uploadId=upload_id, archiveSize=str(size),
                    checksum=calculate_tree_hash(data))
                self.assertEqual(again["archiveId"], done["archiveId"], what)

        # The description's leading spaces are dropped (multipart only).
        job_id = self.glacier.list_jobs(vaultName=vault, limit="1")["JobList"][0]["JobId"]
        output = self.glacier.get_job_output(vaultName=vault, jobId=job_id, range="bytes=0-0")
        self.assertEqual(output.get("archiveDescription"), f"multipart {SIZES[0]}")

    def test_resource_api_round_trips(self):
        resource = boto3.resource(
            "glacier", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                          read_timeout=60))
        # Resource actions return resources, not the response: keep UploadArchive's answer.
        uploads = []
        resource.meta.client.meta.events.register(
            "after-call.glacier.UploadArchive",
            lambda parsed, **_: uploads.append(parsed))

        name = self.unique("resource")
        vault = resource.Account("-").create_vault(vaultName=name)
        self.assertEqual(vault.name, name)
        self.assertEqual(vault.vault_arn, vault_arn(name))

        def round_trip(archive, data, what):
            job = archive.initiate_archive_retrieval()  # the default tier: Standard
            self.assertEqual(job.vault_name, name)

            def done():
                job.reload()
                return job.completed
            wait_until(done, interval_s=0.02, what=f"{what}: job {job.id}")
            expected = calculate_tree_hash(data)
            self.assertEqual(job.status_code, "Succeeded", what)
            self.assertEqual(job.action, "ArchiveRetrieval", what)
            self.assertEqual(job.tier, "Standard", what)
            self.assertEqual(job.archive_id, archive.id, what)
            self.assertEqual(job.archive_size_in_bytes, len(data), what)
            self.assertEqual(job.sha256_tree_hash, expected, f"{what}: SHA256TreeHash")
            self.assertEqual(job.archive_sha256_tree_hash, expected,
                             f"{what}: ArchiveSHA256TreeHash")
            output = job.get_output()
            self.assertEqual(output["status"], 200, what)
            self.assert_same_bytes(output["body"].read(), data, f"{what}: body")
            self.assertEqual(output.get("checksum"), expected, f"{what}: GetJobOutput checksum")
            return job.id

        job_ids, total = [], 0
        for size in SIZES:
            data = data_of(size)
            with self.subTest(api="resource", kind="single", size=size):
                archive = vault.upload_archive(body=data, archiveDescription=f"res {size}")
                self.assertEqual(archive.vault_name, name)
                self.assertEqual(uploads[-1]["checksum"], calculate_tree_hash(data))
                job_ids.append(round_trip(archive, data, f"resource single {size}"))
                total += size
            part_size = 16 * MIB if size > 8 * MIB else MIB
            with self.subTest(api="resource", kind="multipart", size=size, part_size=part_size):
                upload = vault.initiate_multipart_upload(partSize=str(part_size))
                self.assertEqual(upload.vault_name, name)
                starts = list(range(0, size, part_size))
                random.Random(size).shuffle(starts)
                for start in starts:
                    part = data[start:start + part_size]
                    answer = upload.upload_part(
                        range=f"bytes {start}-{start + len(part) - 1}/*", body=part)
                    self.assertEqual(answer.get("checksum"), calculate_tree_hash(part))
                listed = upload.parts()
                self.assertEqual(listed["PartSizeInBytes"], part_size)
                self.assertEqual(len(listed["Parts"]), min(len(starts), 50))
                done = upload.complete(archiveSize=str(size), checksum=calculate_tree_hash(data))
                self.assertEqual(done.get("checksum"), calculate_tree_hash(data))
                archive = vault.Archive(done["archiveId"])
                job_ids.append(round_trip(archive, data, f"resource multipart {size}"))
                total += size

        vault.reload()
        self.assertEqual((vault.number_of_archives, vault.size_in_bytes),
                         (2 * len(SIZES), total))
        self.assertEqual([j.id for j in vault.succeeded_jobs.all()], job_ids)
        self.assertEqual(list(vault.jobs_in_progress.all()), [])

    def test_zero_byte_archive(self):
        vault = self.unique("empty-archive")
        self.glacier.create_vault(vaultName=vault)
        # AWS: a single-request upload holds 1 byte to 4 GB.
        error = self.client_error(self.glacier.upload_archive, vaultName=vault, body=b"")
        self.assert_error(error, 400, "InvalidParameterValueException",
                          "Invalid Content-Length: 0",
                          "UploadArchive of 0 bytes")
        # A multipart upload without parts cannot make a 0-byte archive either.
        upload_id = self.glacier.initiate_multipart_upload(
            vaultName=vault, partSize=str(MIB))["uploadId"]
        error = self.client_error(self.glacier.complete_multipart_upload, vaultName=vault,
                                  uploadId=upload_id, archiveSize="0",
                                  checksum=calculate_tree_hash(b""))
        self.assert_error(error, 400, "InvalidParameterValueException",
                          "Invalid x-amz-archive-size: 0. The uploaded parts hold 0 bytes",
                          "CompleteMultipartUpload of 0 bytes")
        self.assert_vault_counts(vault, 0, 0)
        self.assert_serving()

    def test_ranged_retrievals(self):
        vault = self.unique("ranges")
        self.glacier.create_vault(vaultName=vault)
        # 7 leaves (the last one short) and 21 leaves: promoted nodes at the right edge.
        small = data_of(6 * MIB + 1000)
        big = data_of(20 * MIB + 5)
        archives = {}
        for data in (small, big):
            archives[len(data)] = self.glacier.upload_archive(vaultName=vault,
                                                              body=data)["archiveId"]

        # (archive, first MiB, end MiB or None for the end of the archive, aligned?),
        # worked by hand from the trees: 7 leaves make nodes [0,2) [2,4) [4,6) [6,7),
        # [0,4) [4,7), [0,7); 21 leaves make ... [16,20) [20,21), [0,8) [8,16) [16,21),
        # [0,16) [16,21), [0,21).
        sn, bn = len(small), len(big)
        job_ranges = [
            (sn, 0, 1, True), (sn, 0, 2, True), (sn, 0, 4, True), (sn, 2, 4, True),
            (sn, 3, 4, True), (sn, 4, 6, True), (sn, 4, None, True), (sn, 6, None, True),
            (sn, 0, None, True),
            # MiB-aligned (so accepted) but not tree-hash aligned: no tree hash anywhere.
            (sn, 0, 3, False), (sn, 1, 3, False), (sn, 2, 6, False), (sn, 1, None, False),
            (sn, 2, None, False), (sn, 5, None, False),
            (bn, 16, None, True), (bn, 20, None, True), (bn, 8, 16, True), (bn, 0, 16, True),
            (bn, 16, 20, True), (bn, 0, 8, True),
            (bn, 8, None, False), (bn, 12, 20, False), (bn, 4, 12, False),
        ]
        for size, first, last, aligned in job_ranges:
            data = small if size == sn else big
            start, end = first * MIB, (size - 1 if last is None else last * MIB - 1)
            # The hand-worked table agrees with the tree walk.
            self.assertEqual(job_range_aligned(start, end, size), aligned,
                             f"{size}: {first}-{last}")
            with self.subTest(size=size, range=f"{start}-{end}", aligned=aligned):
                self.check_ranged_job(vault, archives[size], data, start, end, aligned)

        # A RetrievalByteRange that is not MiB aligned is refused outright.
        error = self.client_error(
            self.glacier.initiate_job, vaultName=vault,
            jobParameters={"Type": "archive-retrieval", "ArchiveId": archives[len(small)],
                           "RetrievalByteRange": f"{MIB}-{2 * MIB}"})
        message = self.assert_error(error, 400, "InvalidParameterValueException", None,
                                    "unaligned RetrievalByteRange")
        self.assertTrue(message.startswith(f"Invalid RetrievalByteRange: {MIB}-{2 * MIB}"),
                        message)

    def check_ranged_job(self, vault, archive_id, data, start, end, aligned):
        expected = data[start:end + 1]
        job_id, job = self.retrieve(vault, archive_id, RetrievalByteRange=f"{start}-{end}")
        self.assertEqual(job["RetrievalByteRange"], f"{start}-{end}")
        self.assertEqual(job["ArchiveSHA256TreeHash"], calculate_tree_hash(data))
        self.assertEqual(job.get("SHA256TreeHash"),
                         calculate_tree_hash(expected) if aligned else None, "SHA256TreeHash")

        whole = self.glacier.get_job_output(vaultName=vault, jobId=job_id)
        self.assertEqual(whole["status"], 200)
        self.assert_same_bytes(whole["body"].read(), expected, "job output")
        self.assertEqual(whole.get("checksum"),
                         calculate_tree_hash(expected) if aligned else None,
                         "checksum of the whole job output")

        total = len(expected)
        headers = [(0, total - 1), (0, 0), (0, 1023), (1000, total - 1), (total - 1, total - 1)]
        if total > MIB:
            headers += [(0, MIB - 1), (MIB, total - 1), (MIB, min(2 * MIB, total) - 1),
                        (100, MIB - 1), (MIB, MIB + 4095), (MIB - 1, MIB)]
        if total > 2 * MIB:
            headers += [(MIB, 2 * MIB - 1), (2 * MIB, total - 1), (MIB, 3 * MIB - 1)]
        for s, e in headers:
            if s > e or e >= total:
                continue
            part = self.glacier.get_job_output(vaultName=vault, jobId=job_id,
                                               range=f"bytes={s}-{e}")
            what = f"job {start}-{end}, Range bytes={s}-{e}"
            self.assertEqual(part["status"], 206, what)
            self.assertEqual(part.get("contentRange"), f"bytes {s}-{e}/{total}", what)
            body = part["body"].read()
            self.assert_same_bytes(body, expected[s:e + 1], what)
            with_hash = aligned and range_header_aligned(s, e, total)
            self.assertEqual(part.get("checksum"),
                             calculate_tree_hash(body) if with_hash else None,
                             f"{what}: checksum")

        for s in (total, total + MIB):
            header = f"bytes={s}-{s + MIB - 1}"
            error = self.client_error(self.glacier.get_job_output, vaultName=vault,
                                      jobId=job_id, range=header)
            self.assert_error(
                error, 400, "InvalidParameterValueException",
                f"The start of the range is larger than size of retrieved data: {header}",
                f"job {start}-{end}, Range {header}")

    def test_delete_archive_is_idempotent(self):
        vault = self.unique("delete")
        self.glacier.create_vault(vaultName=vault)
        keep = self.glacier.upload_archive(vaultName=vault, body=b"keep")["archiveId"]
        gone = self.glacier.upload_archive(vaultName=vault, body=b"delete me")["archiveId"]
        self.assert_vault_counts(vault, 2, len(b"keep") + len(b"delete me"))
        for attempt in range(3):
            response = self.glacier.delete_archive(vaultName=vault, archiveId=gone)
            self.assertEqual(self.status(response), 204, f"DeleteArchive #{attempt + 1}")
            self.assert_vault_counts(vault, 1, len(b"keep"))
        error = self.client_error(self.glacier.initiate_job, vaultName=vault, jobParameters={
            "Type": "archive-retrieval", "ArchiveId": gone})
        self.assert_error(error, 404, "ResourceNotFoundException",
                          f"The archive ID was not found: {gone}", "retrieval of a deleted archive")
        self.check_whole_retrieval(vault, keep, b"keep", "the archive left")

    def test_archive_deleted_while_job_runs(self):
        vault = self.unique("deleted-during-job")
        self.glacier.create_vault(vaultName=vault)
        data = data_of(MIB + 1)
        archive_id = self.glacier.upload_archive(vaultName=vault, body=data)["archiveId"]
        started = time.monotonic()
        job_id = self.glacier.initiate_job(vaultName=vault, jobParameters={
            "Type": "archive-retrieval", "ArchiveId": archive_id, "Tier": "Bulk"})["jobId"]
        self.glacier.delete_archive(vaultName=vault, archiveId=archive_id)
        self.assertLess(time.monotonic() - started, self.server.delays_ms["Bulk"] / 1000,
                        "the archive was not deleted before the Bulk job was due")
        job = self.wait_completed(vault, job_id)
        self.assertEqual(job["StatusCode"], "Failed", job)
        self.assertIs(job["Completed"], True, job)
        self.assertIn("deleted", job.get("StatusMessage", "").lower(), job)
        error = self.client_error(self.glacier.get_job_output, vaultName=vault, jobId=job_id)
        self.assert_error(error, 400, "InvalidParameterValueException",
                          f"The job is not currently available for download: {job_id}",
                          "GetJobOutput of a failed job")
        failed = self.glacier.list_jobs(vaultName=vault, statuscode="Failed")["JobList"]
        self.assertEqual([j["JobId"] for j in failed], [job_id])


class MultipartMisuseTest(GlacierCase):
    server_delays_ms = {"Expedited": 0, "Standard": 30, "Bulk": 60}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vault = f"misuse-{id(cls) % 100000}"
        cls.glacier.create_vault(vaultName=cls.vault)

    def initiate(self, part_size=MIB):
        return self.glacier.initiate_multipart_upload(vaultName=self.vault,
                                                      partSize=str(part_size))["uploadId"]

    def put_part(self, upload_id, content_range, body, checksum=None):
        return self.glacier.upload_multipart_part(
            vaultName=self.vault, uploadId=upload_id, range=content_range, body=body,
            checksum=checksum or calculate_tree_hash(body))

    def part_error(self, upload_id, content_range, body, checksum=None):
        return self.client_error(self.glacier.upload_multipart_part, vaultName=self.vault,
                                 uploadId=upload_id, range=content_range, body=body,
                                 checksum=checksum or calculate_tree_hash(body))

    def complete(self, upload_id, size, checksum):
        return self.glacier.complete_multipart_upload(
            vaultName=self.vault, uploadId=upload_id, archiveSize=str(size), checksum=checksum)

    def tearDown(self):
        self.assert_serving()

    def test_bad_part_size(self):
        for part_size in ("1000000", "0", str(MIB // 2), str(3 * MIB), str(8 * 1024 * MIB),
                          "-1048576", "1MiB"):
            with self.subTest(partSize=part_size):
                error = self.client_error(self.glacier.initiate_multipart_upload,
                                          vaultName=self.vault, partSize=part_size)
                self.assert_error(
                    error, 400, "InvalidParameterValueException",
                    f"Invalid part size: {part_size}. Part size must not be null, must be a "
                    "power of two and be between 1048576 and 4294967296 bytes.",
                    f"partSize {part_size}")
        for part_size in (MIB, 4096 * MIB):
            self.assertEqual(self.status(self.glacier.initiate_multipart_upload(
                vaultName=self.vault, partSize=str(part_size))), 201)

    def test_misaligned_content_range(self):
        upload_id = self.initiate(MIB)
        part = data_of(MIB)
        cases = [
            (f"bytes 100-{MIB + 99}/*", part,
             f"Invalid Content-Range: bytes 100-{MIB + 99}/*. The start must be a multiple of "
             f"the part size ({MIB} bytes)"),
            (f"bytes {MIB // 2}-{MIB // 2 + 9}/*", part[:10],
             f"Invalid Content-Range: bytes {MIB // 2}-{MIB // 2 + 9}/*. The start must be a "
             f"multiple of the part size ({MIB} bytes)"),
            (f"bytes 0-{2 * MIB - 1}/*", data_of(2 * MIB),
             f"Invalid Content-Range: bytes 0-{2 * MIB - 1}/*. A part may not be larger than "
             f"the part size ({MIB} bytes)"),
            (f"bytes 0-{MIB - 1}/*", part[:10],
             f"Content-Range: bytes 0-{MIB - 1}/* is incompatible with Content-Length: 10"),
            ("bytes 5-4/*", b"x", "Invalid Content-Range: bytes 5-4/*"),
            (f"bytes 0-{MIB - 1}/{MIB}", part, f"Invalid Content-Range: bytes 0-{MIB - 1}/{MIB}"),
        ]
        for content_range, body, message in cases:
            with self.subTest(range=content_range):
                error = self.part_error(upload_id, content_range, body)
                self.assert_error(error, 400, "InvalidParameterValueException", message,
                                  f"Content-Range {content_range}")
        self.assertEqual(self.glacier.list_parts(vaultName=self.vault,
                                                 uploadId=upload_id)["Parts"], [])
        # The upload is still usable.
        self.put_part(upload_id, f"bytes 0-{MIB - 1}/*", part)
        done = self.complete(upload_id, MIB, calculate_tree_hash(part))
        self.assertEqual(done["checksum"], calculate_tree_hash(part))

    def test_wrong_part_hash(self):
        upload_id = self.initiate(MIB)
        part = data_of(MIB + 1)[:MIB]
        wrong = "0" * 64
        error = self.part_error(upload_id, f"bytes 0-{MIB - 1}/*", part, checksum=wrong)
        self.assert_error(
            error, 400, "InvalidParameterValueException",
            f"Checksum mismatch: expected {wrong}, computed {calculate_tree_hash(part)}",
            "part with a wrong tree hash")
        error = self.part_error(upload_id, f"bytes 0-{MIB - 1}/*", part, checksum="not-hex")
        self.assert_error(error, 400, "InvalidParameterValueException",
                          f"Checksum mismatch: expected not-hex, computed {calculate_tree_hash(part)}",
                          "part with a malformed hash")
        self.assertEqual(self.glacier.list_parts(vaultName=self.vault,
                                                 uploadId=upload_id)["Parts"], [])

    def test_wrong_final_hash_then_retry(self):
        data = data_of(2 * MIB + 3)
        upload_id = self.initiate(MIB)
        self.upload_parts(self.vault, upload_id, data, MIB, [2, 0, 1])
        wrong = calculate_tree_hash(data[:-1])
        error = self.client_error(self.glacier.complete_multipart_upload, vaultName=self.vault,
                                  uploadId=upload_id, archiveSize=str(len(data)), checksum=wrong)
        self.assert_error(error, 400, "InvalidParameterValueException",
                          f"Invalid x-amz-sha256-tree-hash: {wrong}", "wrong final hash")
        # The upload stays open, and the caller can retry.
        self.assertEqual(len(self.list_all_parts(self.vault, upload_id)), 3)
        done = self.complete(upload_id, len(data), calculate_tree_hash(data))
        self.check_whole_retrieval(self.vault, done["archiveId"], data, "after a retry")

    def test_wrong_final_size_then_retry(self):
        data = data_of(2 * MIB + 3)
        upload_id = self.initiate(MIB)
        self.upload_parts(self.vault, upload_id, data, MIB, [0, 1, 2])
        checksum = calculate_tree_hash(data)
        for size in (len(data) - 1, len(data) + 1, 3 * MIB):
            with self.subTest(archiveSize=size):
                error = self.client_error(self.glacier.complete_multipart_upload,
                                          vaultName=self.vault, uploadId=upload_id,
                                          archiveSize=str(size), checksum=checksum)
                self.assert_error(
                    error, 400, "InvalidParameterValueException",
                    f"Invalid x-amz-archive-size: {size}. The uploaded parts hold "
                    f"{len(data)} bytes", f"archiveSize {size}")
        done = self.complete(upload_id, len(data), checksum)
        self.assertEqual(done["checksum"], checksum)

    def test_missing_part(self):
        data = data_of(3 * MIB)
        upload_id = self.initiate(MIB)
        self.upload_parts(self.vault, upload_id, data, MIB, [0, 2])
        error = self.client_error(self.glacier.complete_multipart_upload, vaultName=self.vault,
                                  uploadId=upload_id, archiveSize=str(2 * MIB),
                                  checksum=calculate_tree_hash(data[:2 * MIB]))
        self.assert_error(
            error, 400, "InvalidParameterValueException",
            f"The uploaded parts do not make up the archive: the part at bytes "
            f"{MIB}-{2 * MIB - 1} is missing or has the wrong size", "a missing part")
        self.upload_parts(self.vault, upload_id, data, MIB, [1])
        self.complete(upload_id, len(data), calculate_tree_hash(data))

    def test_unknown_upload_id(self):
        unknown = "U" * 92
        message = UPLOAD_ID_NOT_FOUND.format(unknown)
        calls = {
            "UploadMultipartPart": (self.glacier.upload_multipart_part,
                                    {"range": "bytes 0-2/*", "body": b"abc",
                                     "checksum": calculate_tree_hash(b"abc")}),
            "CompleteMultipartUpload": (self.glacier.complete_multipart_upload,
                                        {"archiveSize": "3", "checksum": "0" * 64}),
            "AbortMultipartUpload": (self.glacier.abort_multipart_upload, {}),
            "ListParts": (self.glacier.list_parts, {}),
        }
        for operation, (call, kwargs) in calls.items():
            with self.subTest(operation=operation):
                error = self.client_error(call, vaultName=self.vault, uploadId=unknown, **kwargs)
                self.assert_error(error, 404, "ResourceNotFoundException", message, operation)

    def test_complete_after_abort(self):
        data = data_of(MIB + 1)
        upload_id = self.initiate(MIB)
        self.upload_parts(self.vault, upload_id, data, MIB, [1, 0])
        self.assertEqual(self.status(self.glacier.abort_multipart_upload(
            vaultName=self.vault, uploadId=upload_id)), 204)
        # Aborting again succeeds "for a short time".
        self.assertEqual(self.status(self.glacier.abort_multipart_upload(
            vaultName=self.vault, uploadId=upload_id)), 204)
        message = UPLOAD_ID_NOT_FOUND.format(upload_id)
        error = self.client_error(self.glacier.complete_multipart_upload, vaultName=self.vault,
                                  uploadId=upload_id, archiveSize=str(len(data)),
                                  checksum=calculate_tree_hash(data))
        self.assert_error(error, 404, "ResourceNotFoundException", message, "complete after abort")
        error = self.part_error(upload_id, f"bytes 0-{MIB - 1}/*", data[:MIB])
        self.assert_error(error, 404, "ResourceNotFoundException", message, "part after abort")
        error = self.client_error(self.glacier.list_parts, vaultName=self.vault,
                                  uploadId=upload_id)
        self.assert_error(error, 404, "ResourceNotFoundException", message, "ListParts after abort")
        listed = self.glacier.list_multipart_uploads(vaultName=self.vault)["UploadsList"]
        self.assertNotIn(upload_id, [u["MultipartUploadId"] for u in listed])

    def test_abort_after_complete(self):
        data = data_of(5)
        upload_id = self.initiate(MIB)
        self.upload_parts(self.vault, upload_id, data, MIB, [0])
        self.complete(upload_id, len(data), calculate_tree_hash(data))
        error = self.client_error(self.glacier.abort_multipart_upload, vaultName=self.vault,
                                  uploadId=upload_id)
        self.assert_error(error, 400, "InvalidParameterValueException",
                          f"The upload has been completed and cannot be aborted: {upload_id}",
                          "abort after complete")


class InventoryPagingTest(GlacierCase):
    ARCHIVES = 2500
    LIMIT = 1000
    server_delays_ms = {"Expedited": 0, "Standard": 20, "Bulk": 60}

    @staticmethod
    def description(i):
        kind = i % 6
        if kind == 0:
            return f'report {i}, "final" version'      # comma and quotes
        if kind == 1:
            return f"plain {i}"
        if kind == 2:
            return f"back\\slash {i}, kept as is"       # a backslash in a quoted field
        if kind == 3:
            return None                                 # no description
        if kind == 4:
            return f'say "hi" {i}'                       # quotes, no comma
        return f'tricky \\"{i}",'                        # backslash before a quote, trailing comma

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vault = f"inventory-{id(cls) % 100000}"
        cls.glacier.create_vault(vaultName=cls.vault)
        local = threading.local()

        def upload(i):
            if not hasattr(local, "client"):
                local.client = make_client(cls.server.endpoint, max_pool_connections=2)
            body = f"archive {i}".encode()
            description = cls.description(i)
            kwargs = {"archiveDescription": description} if description is not None else {}
            response = local.client.upload_archive(vaultName=cls.vault, body=body, **kwargs)
            return response["archiveId"], (description or "", len(body),
                                           calculate_tree_hash(body))

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            cls.expected = dict(pool.map(upload, range(cls.ARCHIVES)))
        print(f"\nuploaded {cls.ARCHIVES} archives in {time.monotonic() - started:.1f} s",
              flush=True)
        assert len(cls.expected) == cls.ARCHIVES, "duplicate archive IDs"

    def run_inventory(self, fmt, limit, marker):
        parameters = {"Limit": str(limit)} | ({"Marker": marker} if marker else {})
        job_id = self.glacier.initiate_job(vaultName=self.vault, jobParameters={
            "Type": "inventory-retrieval", "Format": fmt,
            "InventoryRetrievalParameters": parameters})["jobId"]
        job = self.wait_succeeded(self.vault, job_id)
        self.assertEqual(job["Action"], "InventoryRetrieval")
        output = self.glacier.get_job_output(vaultName=self.vault, jobId=job_id)
        body = output["body"].read()
        self.assertEqual(output["status"], 200)
        self.assertEqual(output.get("contentType"), "application/json" if fmt == "JSON"
                         else "text/csv")
        self.assertIsNone(output.get("checksum"), "inventory output has no tree hash")
        self.assertEqual(job["InventorySizeInBytes"], len(body))
        echoed = job["InventoryRetrievalParameters"]
        self.assertEqual(echoed.get("Format"), fmt, echoed)
        self.assertEqual(echoed.get("Limit"), str(limit), echoed)
        return job_id, job, body

    def page_through(self, fmt, limit, parse):
        seen, marker, sizes = [], None, []
        for _ in range(self.ARCHIVES // limit + 2):
            job_id, job, body = self.run_inventory(fmt, limit, marker)
            rows = parse(body)
            seen += rows
            sizes.append(len(rows))
            marker = job["InventoryRetrievalParameters"].get("Marker")
            if not marker:
                break
            self.assertEqual(len(rows), limit, "a page before the last is full")
        else:
            self.fail(f"{fmt} inventory paging did not end: pages of {sizes}")
        return seen, sizes, job_id

    def check_rows(self, rows, sizes, limit):
        ids = [row[0] for row in rows]
        self.assertEqual(len(ids), len(set(ids)), "an archive was listed twice")
        self.assertEqual(set(ids), set(self.expected), "archives missing or unknown")
        full, rest = divmod(self.ARCHIVES, limit)
        self.assertEqual(sizes, [limit] * full + ([rest] if rest else []))
        for archive_id, description, creation_date, size, checksum in rows:
            self.assertEqual((description, size, checksum), self.expected[archive_id], archive_id)
            self.assertRegex(creation_date, ISO_SECONDS)

    def parse_json(self, body):
        document = json.loads(body)
        self.assertEqual(document["VaultARN"], vault_arn(self.vault))
        self.assertRegex(document["InventoryDate"], ISO_SECONDS)
        return [(a["ArchiveId"], a["ArchiveDescription"], a["CreationDate"], a["Size"],
                 a["SHA256TreeHash"]) for a in document["ArchiveList"]]

    def parse_csv(self, body):
        lines = body.decode("ascii").split("\n")
        self.assertEqual(lines[0], "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash")
        self.assertEqual(lines[-1], "", "the CSV ends with a newline")
        rows = []
        for line in lines[1:-1]:
            fields = parse_csv_line(line)
            self.assertEqual(len(fields), 5, line)
            rows.append((fields[0], fields[1], fields[2], int(fields[3]), fields[4]))
        return rows

    def test_json_paging(self):
        rows, sizes, last_job = self.page_through("JSON", self.LIMIT, self.parse_json)
        self.check_rows(rows, sizes, self.LIMIT)
        # A Range on inventory output: 206, never a tree hash.
        part = self.glacier.get_job_output(vaultName=self.vault, jobId=last_job,
                                           range="bytes=0-99")
        self.assertEqual(part["status"], 206)
        self.assertEqual(len(part["body"].read()), 100)
        self.assertIsNone(part.get("checksum"))

    def test_json_paging_with_exact_pages(self):
        # 2 x 1250: the second page is full and the last, so its marker is null.
        rows, sizes, _ = self.page_through("JSON", self.ARCHIVES // 2, self.parse_json)
        self.check_rows(rows, sizes, self.ARCHIVES // 2)

    def test_csv_paging(self):
        rows, sizes, _ = self.page_through("CSV", self.LIMIT, self.parse_csv)
        self.check_rows(rows, sizes, self.LIMIT)
        quoted = [r for r in rows if self.expected[r[0]][0].endswith(",")]
        self.assertTrue(quoted, "no description with a backslash before a quote was listed")


class UploadLimitTest(GlacierCase):
    LIMIT = 1000
    server_args = ("--max-upload-bytes", str(LIMIT))
    server_delays_ms = {"Expedited": 0, "Standard": 20, "Bulk": 60}

    def test_upload_over_the_limit(self):
        vault = self.unique("upload-limit")
        self.glacier.create_vault(vaultName=vault)
        at_limit = data_of(self.LIMIT)
        archive_id = self.glacier.upload_archive(vaultName=vault, body=at_limit)["archiveId"]
        for size in (self.LIMIT + 1, 5 * MIB):
            with self.subTest(size=size):
                error = self.client_error(self.glacier.upload_archive, vaultName=vault,
                                          body=data_of(size))
                self.assert_error(error, 400, "InvalidParameterValueException",
                                  f"Invalid Content-Length: {size}", f"UploadArchive of {size} bytes")
                self.assert_vault_counts(vault, 1, self.LIMIT)
                self.assert_serving()
        self.check_whole_retrieval(vault, archive_id, at_limit, "the upload at the limit")
        # The limit is for single requests: a multipart upload may be larger.
        data = data_of(MIB + 1)
        _, done = self.multipart_upload(vault, data, MIB)
        self.check_whole_retrieval(vault, done["archiveId"], data, "multipart past the limit")


class TotalBytesLimitTest(GlacierCase):
    LIMIT = 3 * MIB
    server_args = ("--max-total-archive-bytes", str(LIMIT))
    server_delays_ms = {"Expedited": 0, "Standard": 20, "Bulk": 60}

    def assert_storage_full(self, response, what):
        message = self.assert_error(response, 400, "LimitExceededException", None, what)
        self.assertTrue(message.startswith("Archive storage is full"), f"{what}: {message}")
        self.assertIn(str(self.LIMIT), message, what)

    def inventory_ids(self, vault):
        job_id = self.glacier.initiate_job(vaultName=vault, jobParameters={
            "Type": "inventory-retrieval"})["jobId"]
        self.wait_succeeded(vault, job_id)
        body = self.glacier.get_job_output(vaultName=vault, jobId=job_id)["body"].read()
        return sorted(a["ArchiveId"] for a in json.loads(body)["ArchiveList"])

    def test_uploads_past_the_total(self):
        vault = self.unique("total-limit")
        self.glacier.create_vault(vaultName=vault)
        first = data_of(2 * MIB)
        first_id = self.glacier.upload_archive(vaultName=vault, body=first)["archiveId"]
        self.assert_vault_counts(vault, 1, 2 * MIB)

        # A single upload that does not fit: refused, nothing stored.
        error = self.client_error(self.glacier.upload_archive, vaultName=vault,
                                  body=data_of(MIB + 1))
        self.assert_storage_full(error, "UploadArchive past the total")
        self.assert_vault_counts(vault, 1, 2 * MIB)
        self.assert_serving()

        # A multipart upload: the first part fits exactly, the second does not.
        upload_id = self.glacier.initiate_multipart_upload(
            vaultName=vault, partSize=str(MIB))["uploadId"]
        data = data_of(2 * MIB + 1)
        self.upload_parts(vault, upload_id, data, MIB, [0])
        error = self.client_error(self.glacier.upload_multipart_part, vaultName=vault,
                                  uploadId=upload_id, range=f"bytes {MIB}-{2 * MIB - 1}/*",
                                  body=data[MIB:2 * MIB],
                                  checksum=calculate_tree_hash(data[MIB:2 * MIB]))
        self.assert_storage_full(error, "UploadMultipartPart past the total")
        parts = self.list_all_parts(vault, upload_id)
        self.assertEqual(parts, [(f"0-{MIB - 1}", calculate_tree_hash(data[:MIB]))])
        # Storage is now exactly full: even 1 byte is refused.
        error = self.client_error(self.glacier.upload_archive, vaultName=vault, body=b"x")
        self.assert_storage_full(error, "UploadArchive of 1 byte when full")
        self.assert_vault_counts(vault, 1, 2 * MIB)
        self.assertEqual(self.inventory_ids(vault), [first_id])

        # Aborting frees the part's bytes.
        self.glacier.abort_multipart_upload(vaultName=vault, uploadId=upload_id)
        second = data_of(MIB)
        second_id = self.glacier.upload_archive(vaultName=vault, body=second)["archiveId"]
        self.assert_vault_counts(vault, 2, 3 * MIB)
        # Deleting frees the archive's bytes; the whole limit can then be used at once.
        self.glacier.delete_archive(vaultName=vault, archiveId=first_id)
        self.glacier.delete_archive(vaultName=vault, archiveId=second_id)
        self.assert_vault_counts(vault, 0, 0)
        whole = data_of(self.LIMIT)
        _, done = self.multipart_upload(vault, whole, MIB, shuffle_seed=3)
        self.assert_vault_counts(vault, 1, self.LIMIT)
        self.assertEqual(self.inventory_ids(vault), [done["archiveId"]])
        self.check_whole_retrieval(vault, done["archiveId"], whole, "archive filling the limit")


if __name__ == "__main__":
    unittest.main(verbosity=2)
