"""Vault Lock and vault access policies enforced, driven through boto3 and the AWS CLI.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_access_control
(from tests/e2e; ctest does this).
"""

import json
import os
import re
import urllib.request

from harness import (ACCOUNT, AwsCliTestCase, ServerTestCase, admin, fail_missing, refusal_of,
                     vault_arn)

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    fail_missing("boto3")

YEAR_AND_A_DAY_S = 366 * 24 * 3600
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def compliance_policy(vault, account=ACCOUNT):
    """The Developer Guide's Vault Lock example 1: no deletes of archives under a year old."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "deny-based-on-archive-age", "Principal": "*", "Effect": "Deny",
        "Action": "glacier:DeleteArchive", "Resource": vault_arn(vault, account),
        "Condition": {"NumericLessThan": {"glacier:ArchiveAgeInDays": "365"}}}]})


def denied_message(action, vault, principal=ROOT, account=ACCOUNT):
    return (f"User: {principal} is not authorized to perform: glacier:{action} on resource: "
            f"{vault_arn(vault, account)} with an explicit deny in a resource-based policy")


def metrics(endpoint):
    with urllib.request.urlopen(endpoint + "/_mock/metrics", timeout=10) as response:
        return response.read().decode()


def boto3_client(endpoint, key="x", secret="x"):
    return boto3.client(
        "glacier", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=15))


class Boto3ComplianceLockTest(ServerTestCase):

    def setUp(self):
        self.glacier = boto3_client(self.endpoint)

    def assert_denied(self, call, message, **kwargs):
        with self.assertRaises(ClientError, msg=f"{call.__name__} was not refused") as caught:
            call(**kwargs)
        response = caught.exception.response
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 403, response)
        self.assertEqual(response["Error"]["Code"], "AccessDeniedException", response)
        self.assertEqual(response["Error"]["Message"], message)

    def test_a_locked_vault_refuses_the_delete_until_the_clock_passes_a_year(self):
        vault = self.unique("compliance")
        self.glacier.create_vault(vaultName=vault)
        archive = self.glacier.upload_archive(vaultName=vault, body=b"record")["archiveId"]
        lock_id = self.glacier.initiate_vault_lock(
            vaultName=vault, policy={"Policy": compliance_policy(vault)})["lockId"]
        self.glacier.complete_vault_lock(vaultName=vault, lockId=lock_id)
        self.assertEqual(self.glacier.get_vault_lock(vaultName=vault)["State"], "Locked")

        self.assert_denied(self.glacier.delete_archive, denied_message("DeleteArchive", vault),
                           vaultName=vault, archiveId=archive)
        # The archive is still there: the inventory of the vault counts it.
        self.assertEqual(self.glacier.describe_vault(vaultName=vault)["NumberOfArchives"], 1)
        self.assertIn('glacier_access_denied_total{operation="DeleteArchive",'
                      'reason="vault lock policy"}', metrics(self.endpoint))
        self.assertIn(f"principal={ROOT}", self.server.output())

        admin(self.endpoint, "POST", "/_mock/clock/advance", {"seconds": YEAR_AND_A_DAY_S})
        self.glacier.delete_archive(vaultName=vault, archiveId=archive)
        self.assertEqual(self.glacier.describe_vault(vaultName=vault)["NumberOfArchives"], 0)

    def test_an_access_policy_deny_applies_to_the_owner_too(self):
        vault = self.unique("deny-all")
        self.glacier.create_vault(vaultName=vault)
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Effect": "Deny",
            "Action": ["glacier:DeleteVault", "glacier:Get*"], "Resource": vault_arn(vault)}]})
        self.glacier.set_vault_access_policy(vaultName=vault, policy={"Policy": policy})
        self.assert_denied(self.glacier.delete_vault, denied_message("DeleteVault", vault),
                           vaultName=vault)
        self.assert_denied(self.glacier.get_vault_notifications,
                           denied_message("GetVaultNotifications", vault), vaultName=vault)
        self.glacier.delete_vault_access_policy(vaultName=vault)
        self.glacier.delete_vault(vaultName=vault)

    def test_an_unsupported_policy_is_refused_and_the_vault_keeps_its_old_one(self):
        vault = self.unique("unsupported")
        self.glacier.create_vault(vaultName=vault)
        good = compliance_policy(vault)
        self.glacier.set_vault_access_policy(vaultName=vault, policy={"Policy": good})
        bad = json.loads(good)
        bad["Statement"][0]["Condition"] = {"NumericRoughly": {"glacier:ArchiveAgeInDays": "1"}}
        with self.assertRaises(ClientError) as caught:
            self.glacier.set_vault_access_policy(vaultName=vault,
                                                 policy={"Policy": json.dumps(bad)})
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "InvalidParameterValueException")
        self.assertIn("NumericRoughly", error["Message"])
        self.assertEqual(self.glacier.get_vault_access_policy(vaultName=vault)["policy"],
                         {"Policy": good})


    def refused(self, call, **kwargs):
        return refusal_of(self, call, **kwargs)

    def test_malformed_oversized_or_unsupported_policies_change_nothing(self):
        vault = self.unique("bad-input")
        self.glacier.create_vault(vaultName=vault)
        archive = self.glacier.upload_archive(vaultName=vault, body=b"kept")["archiveId"]
        good = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "no-deletes", "Principal": "*", "Effect": "Deny",
            "Action": "glacier:DeleteArchive", "Resource": vault_arn(vault)}]})
        self.glacier.set_vault_access_policy(vaultName=vault, policy={"Policy": good})
        before = self.glacier.describe_vault(vaultName=vault)

        statement = json.loads(good)["Statement"][0]
        # Just over 20 KB, and a valid document otherwise: padding statements that apply to
        # no one.
        padding = [dict(statement, Sid=f"pad-{i}", Principal={"AWS": f"{100000000000 + i}"})
                   for i in range(200)]
        oversized = json.dumps({"Version": "2012-10-17", "Statement": [statement] + padding})
        self.assertGreater(len(oversized), 20 * 1024)
        unsupported = json.dumps({"Version": "2012-10-17", "Statement": [dict(
            statement, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})]})
        cases = [
            ("not JSON", "{not json", "must be a JSON policy document"),
            ("JSON, not a policy", json.dumps(["Deny"]), "must be a JSON policy document"),
            ("no Statement", json.dumps({"Version": "2012-10-17"}), "The policy has no Statement"),
            ("an unknown Effect", json.dumps({"Statement": [dict(statement, Effect="Refuse")]}),
             "Invalid Effect: Refuse"),
            ("oversized", oversized, "the limit is 20 KB (20480 bytes)"),
            ("an unsupported condition key", unsupported,
             "Unsupported condition key: aws:PrincipalOrgID"),
        ]
        for what, document, message in cases:
            with self.subTest(what):
                for call, name in ((self.glacier.set_vault_access_policy, "access"),
                                   (self.glacier.initiate_vault_lock, "lock")):
                    status, code, text = self.refused(call, vaultName=vault,
                                                      policy={"Policy": document})
                    self.assertEqual((status, code), (400, "InvalidParameterValueException"),
                                     f"{name}: {text}")
                    self.assertIn(message, text, name)
        # The vault is as it was: the same access policy, still enforced; no lock begun.
        self.assertEqual(self.glacier.get_vault_access_policy(vaultName=vault)["policy"],
                         {"Policy": good})
        self.assertEqual(self.refused(self.glacier.get_vault_lock, vaultName=vault)[:2],
                         (404, "ResourceNotFoundException"))
        self.assert_denied(self.glacier.delete_archive, denied_message("DeleteArchive", vault),
                           vaultName=vault, archiveId=archive)
        after = self.glacier.describe_vault(vaultName=vault)
        for key in ("NumberOfArchives", "SizeInBytes", "VaultARN", "CreationDate"):
            self.assertEqual(after[key], before[key], key)

    def test_the_state_drops_an_in_progress_lock_that_lapsed(self):
        vault = self.unique("lapsing")
        self.glacier.create_vault(vaultName=vault)
        archive = self.glacier.upload_archive(vaultName=vault, body=b"record")["archiveId"]
        policy = compliance_policy(vault)
        self.glacier.initiate_vault_lock(vaultName=vault, policy={"Policy": policy})

        def effective():
            state = admin(self.endpoint, "GET", f"/_mock/state?vault={vault}")
            return state["accounts"][0]["vaults"][0]["effective_policies"]

        self.assertEqual(effective(), {"enforced": True, "vault_lock_policy": json.loads(policy),
                                       "vault_access_policy": None})
        self.assert_denied(self.glacier.delete_archive, denied_message("DeleteArchive", vault),
                           vaultName=vault, archiveId=archive)
        # Never completed, the lock lapses 24 hours after it began, on the mock clock.
        admin(self.endpoint, "POST", "/_mock/clock/advance", {"seconds": 24 * 3600})
        self.assertIsNone(effective()["vault_lock_policy"])
        self.glacier.delete_archive(vaultName=vault, archiveId=archive)


class EnforcementOffTest(ServerTestCase):
    server_args = ("--enforce-policies", "false")

    def test_policies_are_stored_but_not_applied(self):
        glacier = boto3_client(self.endpoint)
        glacier.create_vault(vaultName="v")
        archive = glacier.upload_archive(vaultName="v", body=b"record")["archiveId"]
        glacier.initiate_vault_lock(vaultName="v", policy={"Policy": compliance_policy("v")})
        glacier.delete_archive(vaultName="v", archiveId=archive)


class AwsCliComplianceLockTest(AwsCliTestCase):

    def test_a_locked_vault_refuses_the_delete_until_the_clock_passes_a_year(self):
        vault = self.unique("cli-compliance")
        self.aws("create-vault", "--account-id", "-", "--vault-name", vault)
        body = os.path.join(self.tmp.name, "record.txt")
        with open(body, "wb") as f:
            f.write(b"compliance record")
        archive = self.aws("upload-archive", "--account-id", "-", "--vault-name", vault,
                           "--body", body)["archiveId"]
        lock = self.aws("initiate-vault-lock", "--account-id", "-", "--vault-name", vault,
                        "--policy", json.dumps({"Policy": compliance_policy(vault)}))
        self.aws("complete-vault-lock", "--account-id", "-", "--vault-name", vault,
                 "--lock-id", lock["lockId"])

        stderr = self.aws("delete-archive", "--account-id", "-", "--vault-name", vault,
                          f"--archive-id={archive}", expect_ok=False)
        self.assertIn("AccessDeniedException", stderr)
        self.assertIn(denied_message("DeleteArchive", vault), re.sub(r"\s+", " ", stderr))

        admin(self.endpoint, "POST", "/_mock/clock/advance", {"seconds": YEAR_AND_A_DAY_S})
        self.aws("delete-archive", "--account-id", "-", "--vault-name", vault,
                 f"--archive-id={archive}")
        described = self.aws("describe-vault", "--account-id", "-", "--vault-name", vault)
        self.assertEqual(described["NumberOfArchives"], 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
