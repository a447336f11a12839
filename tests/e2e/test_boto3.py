"""glacier-mock driven through boto3, as its users drive it.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_boto3
(from tests/e2e; ctest does this).
"""

import io
import json
import random
import re
import time
import unittest

from harness import ACCOUNT, ServerTestCase, fail_missing, vault_arn, wait_until

try:
    import boto3
    import botocore.utils
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    fail_missing("boto3")

MIB = 1024 * 1024
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ARCHIVE_ID = re.compile(r"^[A-Za-z0-9_-]{138}$")
# 2.5 MiB: three tree-hash leaves, so the tree hash differs from a plain SHA-256.
DATA = random.Random(20120601).randbytes(2 * MIB + MIB // 2)


def calculate_tree_hash(data):
    return botocore.utils.calculate_tree_hash(io.BytesIO(data))


def parse_iso(text):
    return time.mktime(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) + int(text[20:23]) / 1000


def squash(text):
    """Lower-case letters and digits only, so `status code` matches `statuscode`."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


class Boto3Test(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.glacier = boto3.client(
            "glacier", endpoint_url=cls.server.endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                          connect_timeout=5, read_timeout=15))
        # One vault holding one archive, shared by the job tests.
        cls.vault = f"jobs-vault-{id(cls) % 100000}"
        cls.glacier.create_vault(vaultName=cls.vault)
        upload = cls.glacier.upload_archive(vaultName=cls.vault, body=DATA,
                                            archiveDescription="shared archive")
        cls.archive_id = upload["archiveId"]

    # -- helpers -------------------------------------------------------------------------

    def status(self, response):
        return response["ResponseMetadata"]["HTTPStatusCode"]

    def client_error(self, call, **kwargs):
        with self.assertRaises(ClientError, msg=f"{call.__name__}({kwargs}) succeeded") as ctx:
            call(**kwargs)
        return ctx.exception.response

    def assert_error(self, response, status, code, what):
        error = response.get("Error", {})
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status,
                         f"{what}: {error}")
        self.assertEqual(error.get("Code"), code, f"{what}: {error}")
        return error.get("Message", "")

    def assert_invalid_parameter(self, response, parameter, what):
        message = self.assert_error(response, 400, "InvalidParameterValueException", what)
        self.assertIn(squash(parameter), squash(message),
                      f"{what}: message {message!r} does not name {parameter}")

    def initiate(self, vault=None, **parameters):
        return self.glacier.initiate_job(vaultName=vault or self.vault, jobParameters=parameters)

    def describe(self, job_id, vault=None):
        return self.glacier.describe_job(vaultName=vault or self.vault, jobId=job_id)

    def wait_succeeded(self, job_id, vault=None):
        def done():
            job = self.describe(job_id, vault)
            return job if job["Completed"] else None
        job = wait_until(done, what=f"job {job_id} to complete")
        self.assertEqual(job["StatusCode"], "Succeeded", job)
        return job

    def assert_in_progress(self, job):
        self.assertIs(job["Completed"], False, job)
        self.assertEqual(job["StatusCode"], "InProgress", job)
        self.assertIsNone(job.get("CompletionDate"), job)

    # -- vaults --------------------------------------------------------------------------

    def test_create_vault_is_idempotent(self):
        name = self.unique("created")
        for _ in range(2):
            response = self.glacier.create_vault(vaultName=name)
            self.assertEqual(self.status(response), 201)
            self.assertEqual(response["location"], f"/{ACCOUNT}/vaults/{name}")

    def test_describe_vault(self):
        name = self.unique("described")
        self.glacier.create_vault(vaultName=name)
        vault = self.glacier.describe_vault(vaultName=name)
        self.assertEqual(self.status(vault), 200)
        self.assertEqual(vault["VaultName"], name)
        self.assertEqual(vault["VaultARN"], vault_arn(name))
        self.assertRegex(vault["CreationDate"], ISO_MS)
        self.assertIn(vault.get("NumberOfArchives"), (None, 0), vault)

        self.glacier.upload_archive(vaultName=name, body=b"hello glacier")
        vault = self.glacier.describe_vault(vaultName=name)
        self.assertEqual(vault.get("NumberOfArchives"), 1, vault)
        self.assertGreaterEqual(vault.get("SizeInBytes", 0), len(b"hello glacier"), vault)

    def test_list_vaults_pages_with_limit_and_marker(self):
        created = sorted(self.unique("paged") for _ in range(13))
        for name in created:
            self.glacier.create_vault(vaultName=name)

        first = self.glacier.list_vaults()
        self.assertEqual(len(first["VaultList"]), 10, "default limit is 10")
        self.assertEqual(first.get("Marker"), first["VaultList"][-1]["VaultARN"])

        names, marker, pages = [], None, 0
        while True:
            kwargs = {"limit": "4"} | ({"marker": marker} if marker else {})
            page = self.glacier.list_vaults(**kwargs)
            pages += 1
            self.assertLessEqual(pages, 1000, "paging does not end")
            listed = page["VaultList"]
            self.assertLessEqual(len(listed), 4)
            for vault in listed:
                self.assertEqual(vault["VaultARN"], vault_arn(vault["VaultName"]))
            names += [vault["VaultName"] for vault in listed]
            marker = page.get("Marker")
            if not marker:
                break
            self.assertEqual(len(listed), 4, "a page before the last is full")
            self.assertEqual(marker, listed[-1]["VaultARN"], "marker is the last vault's ARN")
        self.assertEqual(names, sorted(names), "sorted by name")
        self.assertEqual(len(names), len(set(names)), f"duplicates across pages: {names}")
        self.assertTrue(set(created) <= set(names), f"missing: {set(created) - set(names)}")
        self.assertEqual(names[:10], [v["VaultName"] for v in first["VaultList"]])

    def test_unknown_vault_is_resource_not_found(self):
        name = self.unique("nosuch")
        expected = f"Vault not found for ARN: arn:aws:glacier:us-east-1:{ACCOUNT}:vaults/{name}"
        calls = {
            "DescribeVault": (self.glacier.describe_vault, {}),
            "DeleteVault": (self.glacier.delete_vault, {}),
            "UploadArchive": (self.glacier.upload_archive, {"body": b"x"}),
            "InitiateJob": (self.glacier.initiate_job,
                            {"jobParameters": {"Type": "inventory-retrieval"}}),
            "ListJobs": (self.glacier.list_jobs, {}),
        }
        for operation, (call, kwargs) in calls.items():
            with self.subTest(operation=operation):
                error = self.client_error(call, vaultName=name, **kwargs)
                message = self.assert_error(error, 404, "ResourceNotFoundException", operation)
                self.assertEqual(message, expected)

    def test_delete_vault(self):
        name = self.unique("deleted")
        self.glacier.create_vault(vaultName=name)
        self.glacier.upload_archive(vaultName=name, body=b"keep me")
        error = self.client_error(self.glacier.delete_vault, vaultName=name)
        message = self.assert_error(error, 400, "InvalidParameterValueException", "DeleteVault")
        self.assertTrue(message.startswith("Vault not empty or recently written to:"), message)
        self.assertEqual(message, f"Vault not empty or recently written to: {vault_arn(name)}")

        empty = self.unique("empty")
        self.glacier.create_vault(vaultName=empty)
        self.assertEqual(self.status(self.glacier.delete_vault(vaultName=empty)), 204)
        error = self.client_error(self.glacier.describe_vault, vaultName=empty)
        self.assert_error(error, 404, "ResourceNotFoundException", "DescribeVault after delete")

    # -- archives ------------------------------------------------------------------------

    def test_upload_archive(self):
        name = self.unique("uploads")
        self.glacier.create_vault(vaultName=name)
        response = self.glacier.upload_archive(vaultName=name, body=DATA,
                                               archiveDescription="my backup")
        self.assertEqual(self.status(response), 201)
        self.assertRegex(response["archiveId"], ARCHIVE_ID)
        self.assertEqual(len(response["archiveId"]), 138)
        self.assertEqual(response["checksum"], calculate_tree_hash(DATA))
        self.assertEqual(response["location"],
                         f"/{ACCOUNT}/vaults/{name}/archives/{response['archiveId']}")
        again = self.glacier.upload_archive(vaultName=name, body=DATA)
        self.assertNotEqual(again["archiveId"], response["archiveId"])

    # -- jobs ----------------------------------------------------------------------------

    def test_archive_retrieval_for_each_tier(self):
        started = {}
        seen_in_progress = []
        for tier in ("Expedited", "Standard", "Bulk"):
            delay_s = self.server.delays_ms[tier] / 1000
            t0 = time.monotonic()
            response = self.initiate(Type="archive-retrieval", ArchiveId=self.archive_id,
                                     Tier=tier, Description=f"{tier} retrieval")
            job_id = response["jobId"]
            started[tier] = (job_id, t0)
            self.assertEqual(self.status(response), 202)
            self.assertEqual(response["location"], f"/{ACCOUNT}/vaults/{self.vault}/jobs/{job_id}")
            job = self.describe(job_id)
            # An answer that came back before the tier's delay ran out must say InProgress;
            # a later one (a badly overloaded machine) proves nothing either way.
            if time.monotonic() - t0 < delay_s:
                self.assert_in_progress(job)
                seen_in_progress.append(tier)
            self.assertEqual(job["JobId"], job_id)
            self.assertEqual(job["Action"], "ArchiveRetrieval")
            self.assertEqual(job["ArchiveId"], self.archive_id)
            self.assertEqual(job["VaultARN"], vault_arn(self.vault))
            self.assertEqual(job["Tier"], tier)
            self.assertEqual(job["JobDescription"], f"{tier} retrieval")
            self.assertEqual(job["ArchiveSizeInBytes"], len(DATA))
            self.assertEqual(job["ArchiveSHA256TreeHash"], calculate_tree_hash(DATA))
            self.assertEqual(job["RetrievalByteRange"], f"0-{len(DATA) - 1}")
            self.assertRegex(job["CreationDate"], ISO_MS)
            try:
                self.glacier.get_job_output(vaultName=self.vault, jobId=job_id)
                self.assertGreaterEqual(time.monotonic() - t0, delay_s,
                                        f"GetJobOutput of a running {tier} job succeeded")
            except ClientError as e:
                message = self.assert_error(e.response, 400, "InvalidParameterValueException",
                                            "GetJobOutput while InProgress")
                self.assertEqual(message,
                                 f"The job is not currently available for download: {job_id}")
        self.assertTrue(seen_in_progress, "no job could be observed InProgress")

        for tier, (job_id, t0) in started.items():
            job = self.wait_succeeded(job_id)
            delay_s = self.server.delays_ms[tier] / 1000
            self.assertGreaterEqual(time.monotonic() - t0, delay_s - 0.03,
                                    f"{tier} job finished before its delay")
            self.assertRegex(job["CompletionDate"], ISO_MS)
            took = parse_iso(job["CompletionDate"]) - parse_iso(job["CreationDate"])
            self.assertAlmostEqual(took, delay_s, delta=0.25,
                                   msg=f"{tier}: CompletionDate - CreationDate = {took:.3f} s")
            self.assertEqual(job["SHA256TreeHash"], calculate_tree_hash(DATA))

            output = self.glacier.get_job_output(vaultName=self.vault, jobId=job_id)
            self.assertEqual(output["status"], 200)
            self.assertEqual(output["body"].read(), DATA, f"{tier}: output bytes differ")
            self.assertEqual(output.get("checksum"), calculate_tree_hash(DATA))
            self.assertEqual(output.get("contentType"), "application/octet-stream")
            self.assertEqual(output.get("archiveDescription"), "shared archive")

    def test_ranged_archive_retrieval(self):
        response = self.initiate(Type="archive-retrieval", ArchiveId=self.archive_id,
                                 Tier="Expedited", RetrievalByteRange=f"0-{MIB - 1}")
        job = self.wait_succeeded(response["jobId"])
        self.assertEqual(job["RetrievalByteRange"], f"0-{MIB - 1}")
        self.assertEqual(job["SHA256TreeHash"], calculate_tree_hash(DATA[:MIB]))
        self.assertEqual(job["ArchiveSHA256TreeHash"], calculate_tree_hash(DATA))
        output = self.glacier.get_job_output(vaultName=self.vault, jobId=response["jobId"])
        self.assertEqual(output["body"].read(), DATA[:MIB])
        self.assertEqual(output.get("checksum"), calculate_tree_hash(DATA[:MIB]))
        part = self.glacier.get_job_output(vaultName=self.vault, jobId=response["jobId"],
                                           range="bytes=0-1023")
        self.assertEqual(part["status"], 206)
        self.assertEqual(part.get("contentRange"), f"bytes 0-1023/{MIB}")
        self.assertEqual(part["body"].read(), DATA[:1024])

    def test_inventory_retrieval(self):
        name = self.unique("inventory")
        self.glacier.create_vault(vaultName=name)
        archive = self.glacier.upload_archive(vaultName=name, body=DATA,
                                              archiveDescription="inventoried")
        t0 = time.monotonic()
        response = self.initiate(vault=name, Type="inventory-retrieval")
        job_id = response["jobId"]
        self.assertEqual(self.status(response), 202)
        self.assertEqual(response["location"], f"/{ACCOUNT}/vaults/{name}/jobs/{job_id}")
        job = self.describe(job_id, name)
        if time.monotonic() - t0 < self.server.delays_ms["Standard"] / 1000:
            self.assert_in_progress(job)
        self.assertEqual(job["Action"], "InventoryRetrieval")
        self.assertIsNone(job.get("ArchiveId"))
        csv_job = self.initiate(vault=name, Type="inventory-retrieval", Format="CSV")["jobId"]

        job = self.wait_succeeded(job_id, name)
        self.assertGreaterEqual(time.monotonic() - t0,
                                self.server.delays_ms["Standard"] / 1000 - 0.03,
                                "a job without a Tier is Standard")
        self.assertEqual(job.get("InventoryRetrievalParameters", {}).get("Format"), "JSON", job)
        output = self.glacier.get_job_output(vaultName=name, jobId=job_id)
        self.assertEqual(output["status"], 200)
        self.assertEqual(output.get("contentType"), "application/json")
        self.assertIsNone(output.get("checksum"), "no tree hash for inventory output")
        body = output["body"].read()
        self.assertEqual(job.get("InventorySizeInBytes"), len(body))
        inventory = json.loads(body)
        self.assertEqual(inventory["VaultARN"], vault_arn(name))
        self.assertIn("InventoryDate", inventory)
        self.assertEqual(inventory["ArchiveList"], [{
            "ArchiveId": archive["archiveId"],
            "ArchiveDescription": "inventoried",
            "CreationDate": inventory["ArchiveList"][0]["CreationDate"],
            "Size": len(DATA),
            "SHA256TreeHash": calculate_tree_hash(DATA),
        }])

        self.wait_succeeded(csv_job, name)
        csv = self.glacier.get_job_output(vaultName=name, jobId=csv_job)
        self.assertEqual(csv.get("contentType"), "text/csv")
        lines = csv["body"].read().decode().splitlines()
        self.assertEqual(lines[0], "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash")
        self.assertEqual(len(lines), 2, lines)
        self.assertTrue(lines[1].startswith(archive["archiveId"] + ","), lines[1])

    def test_list_jobs_filters_and_pages(self):
        name = self.unique("listed")
        self.glacier.create_vault(vaultName=name)
        archive_id = self.glacier.upload_archive(vaultName=name, body=b"list me")["archiveId"]
        done = []
        for tier in ("Expedited", "Expedited", "Standard", "Expedited"):
            done.append(self.initiate(vault=name, Type="archive-retrieval",
                                      ArchiveId=archive_id, Tier=tier)["jobId"])
        for job_id in done:
            self.wait_succeeded(job_id, name)
        running = self.initiate(vault=name, Type="archive-retrieval", ArchiveId=archive_id,
                                Tier="Bulk")["jobId"]

        def ids(**filters):
            return [job["JobId"] for job in
                    self.glacier.list_jobs(vaultName=name, **filters)["JobList"]]

        self.assertEqual(ids(), done + [running], "all jobs, in initiation order")
        self.assertEqual(ids(completed="false"), [running])
        self.assertEqual(ids(statuscode="InProgress"), [running])
        self.assertEqual(ids(completed="true"), done)
        self.assertEqual(ids(statuscode="Succeeded"), done)
        self.assertEqual(ids(statuscode="Failed"), [])

        paged, marker, pages = [], None, 0
        while True:
            page = self.glacier.list_jobs(vaultName=name, limit="2",
                                          **({"marker": marker} if marker else {}))
            pages += 1
            self.assertLessEqual(pages, 10, "paging does not end")
            self.assertLessEqual(len(page["JobList"]), 2)
            paged += [job["JobId"] for job in page["JobList"]]
            marker = page.get("Marker")
            if not marker:
                break
        self.assertEqual(paged, done + [running])
        self.assertEqual(pages, 3)

        self.wait_succeeded(running, name)
        self.assertEqual(ids(completed="false"), [])
        self.assertEqual(ids(completed="true"), done + [running])

    def test_describe_unknown_job(self):
        job_id = "Z" * 92
        error = self.client_error(self.glacier.describe_job, vaultName=self.vault, jobId=job_id)
        message = self.assert_error(error, 404, "ResourceNotFoundException", "DescribeJob")
        self.assertEqual(message, f"The job ID was not found: {job_id}")

    def test_initiate_job_validation(self):
        archive = {"Type": "archive-retrieval", "ArchiveId": self.archive_id}
        inventory = {"Type": "inventory-retrieval"}
        cases = [
            ("Type", {"Type": "foo"}),
            ("ArchiveId", {"Type": "archive-retrieval"}),
            ("ArchiveId", inventory | {"ArchiveId": self.archive_id}),
            ("Tier", archive | {"Tier": "Fast"}),
            ("Format", inventory | {"Format": "XML"}),
            ("RetrievalByteRange", archive | {"RetrievalByteRange": f"1-{MIB - 1}"}),
            ("RetrievalByteRange", archive | {"RetrievalByteRange": "0-1000"}),
            ("RetrievalByteRange", archive | {"RetrievalByteRange": "everything"}),
            ("RetrievalByteRange", inventory | {"RetrievalByteRange": f"0-{MIB - 1}"}),
            ("SNSTopic", archive | {"SNSTopic": "not-a-topic"}),
            ("StartDate", inventory | {"InventoryRetrievalParameters": {"StartDate": "yesterday"}}),
            ("Limit", inventory | {"InventoryRetrievalParameters": {"Limit": "0"}}),
            ("Description", archive | {"Description": "bell\x07"}),
            ("Description", archive | {"Description": "x" * 1025}),
        ]
        for parameter, job_parameters in cases:
            shown = {k: (v[:40] + "..." if isinstance(v, str) and len(v) > 40 else v)
                     for k, v in job_parameters.items()}
            with self.subTest(parameter=parameter, jobParameters=shown):
                error = self.client_error(self.glacier.initiate_job, vaultName=self.vault,
                                          jobParameters=job_parameters)
                self.assert_invalid_parameter(error, parameter, f"InitiateJob {shown}")

        # An archive the vault does not hold: real AWS answers 404 with this wording
        # (seen in github.com/carlossg/glacier-cli/issues/15).
        unknown = "N" * 138
        error = self.client_error(self.glacier.initiate_job, vaultName=self.vault,
                                  jobParameters={"Type": "archive-retrieval", "ArchiveId": unknown})
        message = self.assert_error(error, 404, "ResourceNotFoundException", "unknown ArchiveId")
        self.assertEqual(message, f"The archive ID was not found: {unknown}")

        accepted = self.initiate(**archive, Description="x" * 1024, Tier="Expedited")
        self.assertEqual(self.status(accepted), 202, "a 1024-character description is allowed")

    def test_list_jobs_validation(self):
        for parameter, kwargs in [("limit", {"limit": "0"}), ("limit", {"limit": "51"}),
                                  ("statuscode", {"statuscode": "finished"})]:
            with self.subTest(**kwargs):
                error = self.client_error(self.glacier.list_jobs, vaultName=self.vault, **kwargs)
                self.assert_invalid_parameter(error, parameter, f"ListJobs {kwargs}")
        error = self.client_error(self.glacier.list_jobs, vaultName=self.vault,
                                  statuscode="finished")
        self.assertEqual(error["Error"]["Message"], "The job status code is not valid: finished")


if __name__ == "__main__":
    unittest.main(verbosity=2)
