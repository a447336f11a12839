"""The admin API, seeds and --data-dir through the real binary, as a test suite uses them.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_admin
(from tests/e2e; ctest does this).
"""

import hashlib
import json
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error

from harness import Server, ServerTestCase, admin, fail_missing, server_binary, wait_until

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    fail_missing("boto3")

TOPIC = "arn:aws:sns:us-east-1:123456789012:jobs"


def client(endpoint):
    # No retries: an injected 503 must reach the caller exactly as the server sent it.
    return boto3.client(
        "glacier", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=30))


class AdminTest(ServerTestCase):
    # Hour-long delays: only the admin API can make these jobs complete in time.
    server_delays_ms = {"Expedited": 3_600_000, "Standard": 3_600_000, "Bulk": 5 * 3_600_000}

    def setUp(self):
        admin(self.endpoint, "POST", "/_mock/reset")
        self.glacier = client(self.endpoint)
        self.glacier.create_vault(vaultName="v")

    def test_advancing_the_clock_completes_a_bulk_job_without_waiting(self):
        job = self.glacier.initiate_job(vaultName="v", jobParameters={
            "Type": "inventory-retrieval", "Tier": "Bulk"})["jobId"]
        before = admin(self.endpoint, "GET", "/_mock/clock")["now"]
        result = admin(self.endpoint, "POST", "/_mock/clock/advance", {"seconds": 5 * 3600})
        self.assertEqual(result["completed_jobs"], 1)
        described = self.glacier.describe_job(vaultName="v", jobId=job)
        self.assertEqual(described["StatusCode"], "Succeeded")
        # CompletionDate is the job's due time: five hours after it was created.
        created = time.mktime(time.strptime(described["CreationDate"][:19], "%Y-%m-%dT%H:%M:%S"))
        completed = time.mktime(time.strptime(described["CompletionDate"][:19],
                                              "%Y-%m-%dT%H:%M:%S"))
        self.assertEqual(completed - created, 5 * 3600)
        self.assertGreater(admin(self.endpoint, "GET", "/_mock/clock")["now"], before)

    def test_a_forced_failure_shows_in_describe_job_and_notifications(self):
        job = self.glacier.initiate_job(vaultName="v", jobParameters={
            "Type": "inventory-retrieval", "SNSTopic": TOPIC})["jobId"]
        admin(self.endpoint, "POST", f"/_mock/jobs/{job}/fail", {"message": "tape jammed"})
        described = self.glacier.describe_job(vaultName="v", jobId=job)
        self.assertEqual(described["StatusCode"], "Failed")
        self.assertEqual(described["StatusMessage"], "tape jammed")
        notes = admin(self.endpoint, "GET", "/_mock/notifications")["notifications"]
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes[0]["topic_arn"], TOPIC)
        self.assertEqual(notes[0]["message"]["StatusCode"], "Failed")
        self.assertEqual(notes[0]["message"]["JobId"], job)

    def test_an_injected_capacity_error_is_raised_once(self):
        admin(self.endpoint, "POST", "/_mock/faults", {
            "operation": "InitiateJob", "error": "InsufficientCapacityException", "count": 1})
        with self.assertRaises(ClientError) as caught:
            self.glacier.initiate_job(vaultName="v", jobParameters={"Type": "inventory-retrieval"})
        self.assertEqual(caught.exception.response["Error"]["Code"],
                         "InsufficientCapacityException")
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        job = self.glacier.initiate_job(vaultName="v",
                                        jobParameters={"Type": "inventory-retrieval"})
        self.assertTrue(job["jobId"])
        # The access log reaches us through a pipe, a moment after the answer.
        wait_until(lambda: "fault=" in self.server.output(), timeout_s=5,
                   what="the injected fault in the access log")

    def test_reset_leaves_an_empty_state(self):
        self.glacier.upload_archive(vaultName="v", body=b"x")
        admin(self.endpoint, "POST", "/_mock/reset")
        self.assertEqual(self.glacier.list_vaults()["VaultList"], [])
        state = admin(self.endpoint, "GET", "/_mock/state")
        self.assertEqual(state["accounts"], [])


class AdminSwitchedOffTest(ServerTestCase):
    """--admin false: /_mock/ answers like any unknown path; Glacier and the probe work."""
    server_args = ("--admin", "false")

    def test_every_admin_path_and_the_console_answer_a_glacier_404(self):
        for method, path in (("GET", "/_mock/health"), ("GET", "/_mock/ui"),
                             ("GET", "/_mock/state"), ("POST", "/_mock/reset"),
                             ("POST", "/_mock/clock/advance")):
            with self.assertRaises(urllib.error.HTTPError) as caught:
                admin(self.endpoint, method, path)
            self.assertEqual(caught.exception.code, 404, path)
            self.assertEqual(json.loads(caught.exception.read()), {
                "code": "ResourceNotFoundException",
                "message": f"No operation matches {method} {path}", "type": "Client"})
        glacier = client(self.endpoint)
        glacier.create_vault(vaultName="still-served")
        self.assertEqual(glacier.list_vaults()["VaultList"][0]["VaultName"], "still-served")

    def test_the_healthcheck_probe_still_passes_with_the_same_setting(self):
        probe = [server_binary(), "--healthcheck", "--port", str(self.server.port)]
        result = subprocess.run(probe + ["--admin", "false"], capture_output=True, text=True,
                                timeout=10, stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 0, result.stderr)
        # A probe that expects the admin API reports what it got instead.
        result = subprocess.run(probe, capture_output=True, text=True, timeout=10,
                                stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 1)
        self.assertIn("answered 404", result.stderr)


def scenario_ids(endpoint):
    """Runs a fixed scenario and returns every id the server generated in it."""
    glacier = client(endpoint)
    ids = []
    r = glacier.create_vault(vaultName="seeded")
    ids.append(r["ResponseMetadata"]["RequestId"])
    r = glacier.upload_archive(vaultName="seeded", body=b"same bytes")
    ids += [r["archiveId"], r["ResponseMetadata"]["RequestId"]]
    r = glacier.initiate_job(vaultName="seeded", jobParameters={"Type": "inventory-retrieval"})
    ids.append(r["jobId"])
    r = glacier.initiate_multipart_upload(vaultName="seeded", partSize=str(1024 * 1024))
    ids.append(r["uploadId"])
    r = glacier.purchase_provisioned_capacity()
    ids.append(r["capacityId"])
    return ids


class SeedTest(unittest.TestCase):

    def test_the_same_seed_gives_the_same_ids(self):
        runs = []
        for _ in range(2):
            with Server("--seed", "1234") as server:
                runs.append(scenario_ids(server.endpoint))
        self.assertEqual(runs[0], runs[1])
        with Server("--seed", "4321") as server:
            self.assertNotEqual(scenario_ids(server.endpoint), runs[0])


class PersistenceTest(unittest.TestCase):

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="glacier-mock-data-")

    def tearDown(self):
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def test_archives_acknowledged_before_sigkill_survive_byte_identical(self):
        server = Server("--data-dir", self.data_dir).start()
        acknowledged = {}
        lock = threading.Lock()
        stop = threading.Event()
        try:
            client(server.endpoint).create_vault(vaultName="durable")

            def upload_forever(worker):
                glacier = client(server.endpoint)
                n = 0
                while not stop.is_set() and n < 400:
                    body = hashlib.sha256(f"{worker}-{n}".encode()).digest() * (1 + n % 50)
                    try:
                        r = glacier.upload_archive(vaultName="durable", body=body)
                    except Exception:  # the kill lands mid-request
                        return
                    with lock:
                        acknowledged[r["archiveId"]] = body
                    n += 1

            workers = [threading.Thread(target=upload_forever, args=(w,)) for w in range(4)]
            for w in workers:
                w.start()
            wait_until(lambda: len(acknowledged) >= 40, timeout_s=20, what="40 uploads")
            server.process.kill()  # SIGKILL while uploads are in flight
            server.process.wait(5)
            stop.set()
            for w in workers:
                w.join(10)
        finally:
            server.stop()

        with Server("--data-dir", self.data_dir, delays_ms={
                "Expedited": 0, "Standard": 0, "Bulk": 0}) as restarted:
            glacier = client(restarted.endpoint)
            vault = glacier.describe_vault(vaultName="durable")
            self.assertGreaterEqual(vault["NumberOfArchives"], len(acknowledged))
            for archive_id, body in acknowledged.items():
                job = glacier.initiate_job(vaultName="durable", jobParameters={
                    "Type": "archive-retrieval", "ArchiveId": archive_id,
                    "Tier": "Expedited"})["jobId"]
                wait_until(lambda: glacier.describe_job(vaultName="durable", jobId=job)[
                    "Completed"], what="retrieval job")
                output = glacier.get_job_output(vaultName="durable", jobId=job)["body"].read()
                self.assertEqual(output, body, f"archive {archive_id} differs after restart")


if __name__ == "__main__":
    unittest.main()
