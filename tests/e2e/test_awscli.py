"""glacier-mock driven through the `aws` command (AWS CLI v1 or v2).

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_awscli
(from tests/e2e; ctest does this). $AWS_CLI may name another `aws` executable.
"""

import json
import os
import random
import time
import unittest

from harness import ACCOUNT, AwsCliTestCase, tree_hash, vault_arn, wait_until

MIB = 1024 * 1024
DATA = random.Random(42).randbytes(MIB + 12345)


class AwsCliTest(AwsCliTestCase):
    # One `aws` call takes about half a second, so the Bulk job runs long enough to be
    # seen InProgress through the CLI.
    server_delays_ms = {"Expedited": 300, "Standard": 600, "Bulk": 4000}

    def describe_job(self, vault, job_id):
        return self.aws("describe-job", "--account-id", "-", "--vault-name", vault,
                        f"--job-id={job_id}")

    def wait_succeeded(self, vault, job_id):
        def done():
            job = self.describe_job(vault, job_id)
            return job if job["Completed"] else None
        job = wait_until(done, interval_s=0.1, what=f"job {job_id} to complete")
        self.assertEqual(job["StatusCode"], "Succeeded", job)
        return job

    def test_core_workflow(self):
        vault = self.unique("cli")
        created = self.aws("create-vault", "--account-id", "-", "--vault-name", vault)
        self.assertEqual(created["location"], f"/{ACCOUNT}/vaults/{vault}")
        again = self.aws("create-vault", "--account-id", "-", "--vault-name", vault)
        self.assertEqual(again["location"], created["location"])

        described = self.aws("describe-vault", "--account-id", "-", "--vault-name", vault)
        self.assertEqual(described["VaultName"], vault)
        self.assertEqual(described["VaultARN"], vault_arn(vault))

        listed = self.aws("list-vaults", "--account-id", "-")
        self.assertIn(vault, [v["VaultName"] for v in listed["VaultList"]])

        body = os.path.join(self.tmp.name, "archive.bin")
        with open(body, "wb") as f:
            f.write(DATA)
        uploaded = self.aws("upload-archive", "--account-id", "-", "--vault-name", vault,
                            "--archive-description", "from the cli", "--body", body)
        archive_id = uploaded["archiveId"]
        self.assertEqual(len(archive_id), 138)
        self.assertEqual(uploaded["checksum"], tree_hash(DATA))
        self.assertEqual(uploaded["location"], f"/{ACCOUNT}/vaults/{vault}/archives/{archive_id}")

        inventory = self.aws("initiate-job", "--account-id", "-", "--vault-name", vault,
                             "--job-parameters", '{"Type":"inventory-retrieval"}')
        started = time.monotonic()
        retrieval = self.aws("initiate-job", "--account-id", "-", "--vault-name", vault,
                             "--job-parameters", json.dumps({
                                 "Type": "archive-retrieval", "ArchiveId": archive_id,
                                 "Tier": "Bulk"}))
        for job in (inventory, retrieval):
            self.assertEqual(job["location"], f"/{ACCOUNT}/vaults/{vault}/jobs/{job['jobId']}")

        bulk_s = self.server.delays_ms["Bulk"] / 1000

        def before_bulk_done():
            # Only an answer that came back before the Bulk delay ran out proves anything.
            if time.monotonic() - started < bulk_s:
                return True
            print("warning: the CLI was too slow to observe the Bulk job InProgress", flush=True)
            return False

        job = self.describe_job(vault, retrieval["jobId"])
        self.assertEqual(job["Action"], "ArchiveRetrieval")
        self.assertEqual(job["Tier"], "Bulk")
        if before_bulk_done():
            self.assertEqual(job["StatusCode"], "InProgress", job)
            self.assertIs(job["Completed"], False, job)

        in_progress = self.aws("list-jobs", "--account-id", "-", "--vault-name", vault,
                               "--completed", "false")
        if before_bulk_done():
            self.assertIn(retrieval["jobId"], [j["JobId"] for j in in_progress["JobList"]])
        running = self.aws("list-jobs", "--account-id", "-", "--vault-name", vault,
                           "--statuscode", "InProgress")
        if before_bulk_done():
            self.assertIn(retrieval["jobId"], [j["JobId"] for j in running["JobList"]])

        self.assertEqual(self.wait_succeeded(vault, retrieval["jobId"])["SHA256TreeHash"],
                         tree_hash(DATA))
        self.wait_succeeded(vault, inventory["jobId"])

        succeeded = self.aws("list-jobs", "--account-id", "-", "--vault-name", vault,
                             "--statuscode", "Succeeded")
        self.assertEqual([j["JobId"] for j in succeeded["JobList"]],
                         [inventory["jobId"], retrieval["jobId"]])
        self.assertEqual(self.aws("list-jobs", "--account-id", "-", "--vault-name", vault,
                                  "--completed", "false")["JobList"], [])

        outfile = os.path.join(self.tmp.name, "retrieved.bin")
        output = self.aws("get-job-output", "--account-id", "-", "--vault-name", vault,
                          f"--job-id={retrieval['jobId']}", outfile)
        self.assertEqual(output["status"], 200)
        self.assertEqual(output.get("checksum"), tree_hash(DATA))
        with open(outfile, "rb") as f:
            self.assertEqual(f.read(), DATA)

        listing = os.path.join(self.tmp.name, "inventory.json")
        self.aws("get-job-output", "--account-id", "-", "--vault-name", vault,
                 f"--job-id={inventory['jobId']}", listing)
        with open(listing, "rb") as f:
            archives = json.load(f)["ArchiveList"]
        self.assertEqual([(a["ArchiveId"], a["Size"]) for a in archives],
                         [(archive_id, len(DATA))])

    def test_errors_and_delete(self):
        vault = self.unique("cli-errors")
        stderr = self.aws("describe-vault", "--account-id", "-", "--vault-name", vault,
                          expect_ok=False)
        self.assertIn("ResourceNotFoundException", stderr)
        self.assertIn(f"Vault not found for ARN: {vault_arn(vault)}", stderr)

        self.aws("create-vault", "--account-id", "-", "--vault-name", vault)
        stderr = self.aws("initiate-job", "--account-id", "-", "--vault-name", vault,
                          "--job-parameters", '{"Type":"bogus"}', expect_ok=False)
        self.assertIn("InvalidParameterValueException", stderr)

        self.aws("delete-vault", "--account-id", "-", "--vault-name", vault)
        stderr = self.aws("describe-vault", "--account-id", "-", "--vault-name", vault,
                          expect_ok=False)
        self.assertIn("ResourceNotFoundException", stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
