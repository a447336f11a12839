"""Requests AWS refuses are refused the same way, through the clients that can send them.

botocore adds a correct x-amz-content-sha256 to every upload, so the wrong and missing
header cases go through a botocore event hook (the request is still signed and sent by
boto3) and through raw HTTP.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_fidelity
(from tests/e2e; ctest does this).
"""

import hashlib
import http.client
import json
import unittest

from harness import ACCOUNT, ServerTestCase, fail_missing, tree_hash, wait_until

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    fail_missing("boto3")

MIB = 1024 * 1024


def content_hash_mismatch(computed, sent):
    """AWS's message for a body that is not what x-amz-content-sha256 says (spec 3A.3)."""
    return ("The value passed in as x-amz-content-sha256 does not match the computed payload "
            f"hash. Computed digest: {computed} expected hash: {sent}")


class FidelityTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.glacier = cls.client()

    @classmethod
    def client(cls):
        return boto3.client(
            "glacier", endpoint_url=cls.server.endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                          connect_timeout=5, read_timeout=15))

    def client_with_content_sha256(self, operation, value):
        """A boto3 client whose `operation` goes out with x-amz-content-sha256 set to
        `value` (None: without the header), after botocore has added its own."""
        client = self.client()

        def rewrite(request, **_):
            del request.headers["x-amz-content-sha256"]
            if value is not None:
                request.headers["x-amz-content-sha256"] = value

        client.meta.events.register(f"before-sign.glacier.{operation}", rewrite)
        return client

    def raw(self, method, path, body=b"", headers=None, chunked=False):
        """One HTTP request with the version header: (status, headers, body bytes). With
        `chunked` the body goes out with Transfer-Encoding: chunked and no Content-Length."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            all_headers = {"x-amz-glacier-version": "2012-06-01", **(headers or {})}
            if chunked:
                body = iter([body])  # an iterable of unknown length is sent chunked
            connection.request(method, path, body=body, headers=all_headers,
                               encode_chunked=chunked)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def client_error(self, call, **kwargs):
        with self.assertRaises(ClientError, msg=f"{call.__name__}({kwargs}) succeeded") as ctx:
            call(**kwargs)
        return ctx.exception.response

    def assert_error(self, response, status, code, message=None):
        error = response.get("Error", {})
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status, error)
        self.assertEqual(error.get("Code"), code, error)
        if message is not None:
            self.assertEqual(error.get("Message"), message)
        return error.get("Message", "")

    def archive_count(self, vault):
        return self.glacier.describe_vault(vaultName=vault).get("NumberOfArchives") or 0

    # -- x-amz-content-sha256 ------------------------------------------------------------

    def test_upload_archive_with_a_wrong_content_sha256_is_refused(self):
        vault = self.unique("content-hash")
        self.glacier.create_vault(vaultName=vault)
        data = b"a" * (MIB + 17)
        sent = hashlib.sha256(b"not the body").hexdigest()
        client = self.client_with_content_sha256("UploadArchive", sent)
        response = self.client_error(client.upload_archive, vaultName=vault, body=data)
        self.assert_error(response, 403, "InvalidSignatureException",
                          content_hash_mismatch(hashlib.sha256(data).hexdigest(), sent))
        self.assertEqual(self.archive_count(vault), 0)

    def test_upload_archive_without_content_sha256_is_refused(self):
        vault = self.unique("content-hash")
        self.glacier.create_vault(vaultName=vault)
        client = self.client_with_content_sha256("UploadArchive", None)
        response = self.client_error(client.upload_archive, vaultName=vault, body=b"data")
        self.assert_error(response, 400, "MissingParameterValueException",
                          "Required parameter missing: x-amz-content-sha256")
        self.assertEqual(self.archive_count(vault), 0)

    def test_upload_multipart_part_with_a_wrong_or_no_content_sha256_is_refused(self):
        vault = self.unique("content-hash")
        self.glacier.create_vault(vaultName=vault)
        upload_id = self.glacier.initiate_multipart_upload(
            vaultName=vault, partSize=str(MIB))["uploadId"]
        part = b"p" * MIB
        sent = "0" * 64
        wrong = self.client_with_content_sha256("UploadMultipartPart", sent)
        response = self.client_error(wrong.upload_multipart_part, vaultName=vault,
                                     uploadId=upload_id, range=f"bytes 0-{MIB - 1}/*", body=part)
        self.assert_error(response, 403, "InvalidSignatureException",
                          content_hash_mismatch(hashlib.sha256(part).hexdigest(), sent))
        missing = self.client_with_content_sha256("UploadMultipartPart", None)
        response = self.client_error(missing.upload_multipart_part, vaultName=vault,
                                     uploadId=upload_id, range=f"bytes 0-{MIB - 1}/*", body=part)
        self.assert_error(response, 400, "MissingParameterValueException",
                          "Required parameter missing: x-amz-content-sha256")
        parts = self.glacier.list_parts(vaultName=vault, uploadId=upload_id)
        self.assertEqual(parts["Parts"], [])

    def test_raw_uploads_are_checked_against_content_sha256(self):
        vault = self.unique("content-hash")
        self.glacier.create_vault(vaultName=vault)
        data = b"raw body"
        path = f"/-/vaults/{vault}/archives"
        tree = {"x-amz-sha256-tree-hash": tree_hash(data)}
        status, _, body = self.raw("POST", path, data, tree)
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["code"], "MissingParameterValueException")
        sent = hashlib.sha256(b"other").hexdigest()
        status, headers, body = self.raw("POST", path, data,
                                         {**tree, "x-amz-content-sha256": sent})
        self.assertEqual(status, 403, body)
        self.assertEqual(headers.get("Content-Type"), "application/json")
        # Byte for byte as AWS's authentication layer writes it: message first.
        self.assertEqual(json.loads(body), {
            "message": content_hash_mismatch(hashlib.sha256(data).hexdigest(), sent),
            "code": "InvalidSignatureException", "type": "Client"})
        self.assertTrue(body.startswith(b'{"message":'), body)
        self.assertEqual(self.archive_count(vault), 0)
        status, _, body = self.raw(
            "POST", path, data, {**tree, "x-amz-content-sha256": hashlib.sha256(data).hexdigest()})
        self.assertEqual(status, 201, body)

    def test_a_chunked_upload_archive_is_refused(self):
        # Content-Length is required on UploadArchive; SDKs always send it.
        vault = self.unique("chunked")
        self.glacier.create_vault(vaultName=vault)
        data = b"chunked body"
        status, _, body = self.raw("POST", f"/-/vaults/{vault}/archives", data, {
            "x-amz-sha256-tree-hash": tree_hash(data),
            "x-amz-content-sha256": hashlib.sha256(data).hexdigest()}, chunked=True)
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body), {
            "code": "MissingParameterValueException",
            "message": "Required parameter missing: Content-Length", "type": "Client"})
        self.assertEqual(self.archive_count(vault), 0)

    # -- the upload path's messages ------------------------------------------------------

    def test_upload_path_messages_are_aws_words(self):
        vault = self.unique("upload-words")
        self.glacier.create_vault(vaultName=vault)
        response = self.client_error(self.glacier.upload_archive, vaultName=vault, body=b"data",
                                     checksum="not-a-tree-hash")
        self.assert_error(response, 400, "InvalidParameterValueException",
                          "Checksum mismatch: expected not-a-tree-hash, computed "
                          + tree_hash(b"data"))
        self.assertEqual(self.archive_count(vault), 0)

        upload_id = self.glacier.initiate_multipart_upload(
            vaultName=vault, partSize=str(MIB))["uploadId"]
        part = b"q" * 1000
        response = self.client_error(self.glacier.upload_multipart_part, vaultName=vault,
                                     uploadId=upload_id, range=f"bytes 0-{MIB - 1}/*", body=part)
        self.assert_error(response, 400, "InvalidParameterValueException",
                          f"Content-Range: bytes 0-{MIB - 1}/* is incompatible with "
                          "Content-Length: 1000")
        start = 10_000 * MIB
        response = self.client_error(self.glacier.upload_multipart_part, vaultName=vault,
                                     uploadId=upload_id, range=f"bytes {start}-{start}/*",
                                     body=b"z")
        self.assert_error(response, 400, "InvalidParameterValueException",
                          "This is part number 10001 for the current multipart upload. It "
                          "exceeds the limit of 10000 parts.")
        response = self.client_error(self.glacier.upload_multipart_part, vaultName=vault,
                                     uploadId=upload_id, range="bytes 0-999/*", body=part,
                                     checksum="zz")
        self.assert_error(response, 400, "InvalidParameterValueException",
                          f"Checksum mismatch: expected zz, computed {tree_hash(part)}")
        self.assertEqual(self.glacier.list_parts(vaultName=vault, uploadId=upload_id)["Parts"],
                         [])

    def test_tree_hashes_are_compared_as_lowercase_hex(self):
        vault = self.unique("hash-case")
        self.glacier.create_vault(vaultName=vault)
        data = b"case"
        upper = tree_hash(data).upper()
        response = self.client_error(self.glacier.upload_archive, vaultName=vault, body=data,
                                     checksum=upper)
        self.assert_error(response, 400, "InvalidParameterValueException",
                          f"Checksum mismatch: expected {upper}, computed {tree_hash(data)}")
        self.assertEqual(self.archive_count(vault), 0)
        upload_id = self.glacier.initiate_multipart_upload(
            vaultName=vault, partSize=str(MIB))["uploadId"]
        self.glacier.upload_multipart_part(vaultName=vault, uploadId=upload_id,
                                           range="bytes 0-3/*", body=data)
        response = self.client_error(self.glacier.complete_multipart_upload, vaultName=vault,
                                     uploadId=upload_id, archiveSize="4", checksum=upper)
        self.assert_error(response, 400, "InvalidParameterValueException",
                          f"Invalid x-amz-sha256-tree-hash: {upper}")
        done = self.glacier.complete_multipart_upload(vaultName=vault, uploadId=upload_id,
                                                      archiveSize="4", checksum=tree_hash(data))
        self.assertEqual(done["checksum"], tree_hash(data))

    # -- archive ids are bound to their vault ------------------------------------------

    def test_an_archive_id_of_another_vault_is_refused(self):
        owner, other = self.unique("owner"), self.unique("other")
        for vault in (owner, other):
            self.glacier.create_vault(vaultName=vault)
        archive_id = self.glacier.upload_archive(vaultName=owner, body=b"bound")["archiveId"]
        invalid = f"Invalid vault name: arn:aws:glacier:us-east-1:{ACCOUNT}:vaults/{other}"
        response = self.client_error(self.glacier.delete_archive, vaultName=other,
                                     archiveId=archive_id)
        self.assert_error(response, 400, "InvalidParameterValueException", invalid)
        self.assertEqual(self.archive_count(owner), 1)
        response = self.client_error(
            self.glacier.initiate_job, vaultName=other,
            jobParameters={"Type": "archive-retrieval", "ArchiveId": archive_id})
        self.assert_error(response, 400, "InvalidParameterValueException", invalid)
        self.assertEqual(self.glacier.list_jobs(vaultName=other)["JobList"], [])
        # Through its own vault the id works as before.
        self.assertEqual(self.glacier.delete_archive(vaultName=owner, archiveId=archive_id)
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)


    # -- list markers ----------------------------------------------------------------------

    def test_an_empty_marker_lists_from_the_start(self):
        vault = self.unique("markers")
        self.glacier.create_vault(vaultName=vault)
        first_vault = self.glacier.list_vaults(limit="1")["VaultList"][0]["VaultName"]
        page = self.glacier.list_vaults(marker="", limit="1")
        self.assertEqual([v["VaultName"] for v in page["VaultList"]], [first_vault])

        self.glacier.upload_archive(vaultName=vault, body=b"x")
        job_id = self.glacier.initiate_job(
            vaultName=vault, jobParameters={"Type": "inventory-retrieval"})["jobId"]
        jobs = self.glacier.list_jobs(vaultName=vault, marker="")["JobList"]
        self.assertEqual([j["JobId"] for j in jobs], [job_id])

        upload_id = self.glacier.initiate_multipart_upload(
            vaultName=vault, partSize=str(MIB))["uploadId"]
        uploads = self.glacier.list_multipart_uploads(vaultName=vault, marker="")["UploadsList"]
        self.assertEqual([u["MultipartUploadId"] for u in uploads], [upload_id])
        self.glacier.upload_multipart_part(vaultName=vault, uploadId=upload_id,
                                           range="bytes 0-2/*", body=b"abc")
        parts = self.glacier.list_parts(vaultName=vault, uploadId=upload_id, marker="")["Parts"]
        self.assertEqual([p["RangeInBytes"] for p in parts], ["0-2"])


    def test_list_vaults_answers_a_limit_above_ten_with_ten(self):
        # AWS answered limit=1000 with 10 vaults (github.com/aws/aws-sdk-net/issues/895).
        account = "555566667777"  # its own account: the count of vaults is this test's
        names = sorted(self.unique("many") + f"-{i:02d}" for i in range(11))
        for name in names:
            self.glacier.create_vault(accountId=account, vaultName=name)
        page = self.glacier.list_vaults(accountId=account, limit="1000")
        self.assertEqual([v["VaultName"] for v in page["VaultList"]], names[:10])
        self.assertEqual(page["Marker"], f"arn:aws:glacier:us-east-1:{account}:vaults/{names[9]}")
        rest = self.glacier.list_vaults(accountId=account, limit="11", marker=page["Marker"])
        self.assertEqual([v["VaultName"] for v in rest["VaultList"]], names[10:])
        response = self.client_error(self.glacier.list_vaults, accountId=account, limit="0")
        self.assert_error(response, 400, "InvalidParameterValueException")
        # The other lists' maximum of 50 keeps its 400: no AWS answer above it is known.
        response = self.client_error(self.glacier.list_multipart_uploads, accountId=account,
                                     vaultName=names[0], limit="51")
        self.assert_error(response, 400, "InvalidParameterValueException")

    # -- GetJobOutput's Range header ---------------------------------------------------

    def test_a_malformed_range_header_is_ignored(self):
        vault = self.unique("ranges")
        self.glacier.create_vault(vaultName=vault)
        data = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and 4 bytes: two tree-hash leaves
        archive_id = self.glacier.upload_archive(vaultName=vault, body=data)["archiveId"]
        job_id = self.glacier.initiate_job(vaultName=vault, jobParameters={
            "Type": "archive-retrieval", "ArchiveId": archive_id, "Tier": "Expedited"})["jobId"]
        wait_until(lambda: self.glacier.describe_job(vaultName=vault, jobId=job_id)["Completed"],
                   what=f"job {job_id} to complete")
        for header in ("bytes 0-1023/3146728", "pages=1-2", "bytes=9-3"):
            with self.subTest(range=header):
                output = self.glacier.get_job_output(vaultName=vault, jobId=job_id, range=header)
                self.assertEqual(output["status"], 200)
                self.assertEqual(output["body"].read(), data)
                self.assertIsNone(output.get("contentRange"))
                self.assertEqual(output["checksum"], tree_hash(data))
        # A well-formed range that starts past the end keeps AWS's documented answer.
        header = f"bytes={len(data)}-{len(data) + 9}"
        response = self.client_error(self.glacier.get_job_output, vaultName=vault, jobId=job_id,
                                     range=header)
        self.assert_error(response, 400, "InvalidParameterValueException",
                          f"The start of the range is larger than size of retrieved data: {header}")
        part = self.glacier.get_job_output(vaultName=vault, jobId=job_id, range="bytes=0-9")
        self.assertEqual((part["status"], part["body"].read()), (206, data[:10]))


    # -- data retrieval policy scope -----------------------------------------------------

    def test_a_data_retrieval_policy_limits_standard_retrievals_only(self):
        # An account of its own, so the policy touches no other test's retrievals.
        account = "444455556666"
        vault = self.unique("policy")
        self.glacier.create_vault(accountId=account, vaultName=vault)
        archive = self.glacier.upload_archive(accountId=account, vaultName=vault,
                                              body=b"p" * 3000)["archiveId"]
        self.glacier.set_data_retrieval_policy(
            accountId=account,
            Policy={"Rules": [{"Strategy": "BytesPerHour", "BytesPerHour": 5000}]})

        def retrieve(tier):
            return self.glacier.initiate_job(accountId=account, vaultName=vault, jobParameters={
                "Type": "archive-retrieval", "ArchiveId": archive, "Tier": tier})

        for _ in range(3):  # 9000 bytes of Bulk in the hour: not limited, not counted
            self.assertEqual(retrieve("Bulk")["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(retrieve("Standard")["ResponseMetadata"]["HTTPStatusCode"], 202)
        response = self.client_error(retrieve, tier="Standard")
        self.assert_error(response, 400, "PolicyEnforcedException",
                          "InitiateJob request denied by current data retrieval policy.")

if __name__ == "__main__":
    unittest.main()
