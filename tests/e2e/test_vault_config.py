"""Vault configuration and account operations through boto3 and the AWS CLI: access
policy, notifications, vault lock, tags, data retrieval policy, provisioned capacity.

Run: GLACIER_MOCK_BIN=$PWD/../../build/dev/glacier-mock python3 -m unittest -v test_vault_config
(from tests/e2e; ctest does this).
"""

import json
import unittest

from harness import AwsCliTestCase, ServerTestCase, admin, fail_missing, vault_arn

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    fail_missing("boto3")

TOPIC = "arn:aws:sns:us-east-1:123456789012:glacier-events"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "deny-delete", "Principal": "*", "Effect": "Deny",
    "Action": ["glacier:DeleteArchive"], "Resource": [vault_arn("v")]}]})


class Boto3VaultConfigTest(ServerTestCase):

    def setUp(self):
        admin(self.endpoint, "POST", "/_mock/reset")
        self.glacier = boto3.client(
            "glacier", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        self.glacier.create_vault(vaultName="v")

    def assert_error(self, status, code, message_part, call, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(**kwargs)
        error = caught.exception.response
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status, error)
        self.assertEqual(error["Error"]["Code"], code, error)
        self.assertIn(message_part, error["Error"]["Message"])

    def test_access_policy(self):
        self.assert_error(404, "ResourceNotFoundException", "No vault access policy",
                          self.glacier.get_vault_access_policy, vaultName="v")
        self.glacier.set_vault_access_policy(vaultName="v", policy={"Policy": POLICY})
        self.assertEqual(self.glacier.get_vault_access_policy(vaultName="v")["policy"],
                         {"Policy": POLICY})
        self.assert_error(400, "InvalidParameterValueException", "20 KB",
                          self.glacier.set_vault_access_policy, vaultName="v",
                          policy={"Policy": json.dumps({"pad": "x" * 21000})})
        self.glacier.delete_vault_access_policy(vaultName="v")
        self.glacier.delete_vault_access_policy(vaultName="v")
        self.assert_error(404, "ResourceNotFoundException", "No vault access policy",
                          self.glacier.get_vault_access_policy, vaultName="v")

    def test_notifications(self):
        self.assert_error(404, "ResourceNotFoundException", "No notification configuration",
                          self.glacier.get_vault_notifications, vaultName="v")
        config = {"SNSTopic": TOPIC, "Events": ["ArchiveRetrievalCompleted",
                                                "InventoryRetrievalCompleted"]}
        self.glacier.set_vault_notifications(vaultName="v", vaultNotificationConfig=config)
        self.assertEqual(
            self.glacier.get_vault_notifications(vaultName="v")["vaultNotificationConfig"],
            config)
        self.assert_error(400, "InvalidParameterValueException", "Invalid Events",
                          self.glacier.set_vault_notifications, vaultName="v",
                          vaultNotificationConfig={"SNSTopic": TOPIC, "Events": ["Nope"]})
        self.assert_error(400, "InvalidParameterValueException", "Invalid SNSTopic",
                          self.glacier.set_vault_notifications, vaultName="v",
                          vaultNotificationConfig={"SNSTopic": "topic",
                                                   "Events": ["ArchiveRetrievalCompleted"]})
        self.glacier.delete_vault_notifications(vaultName="v")
        self.assert_error(404, "ResourceNotFoundException", "No notification configuration",
                          self.glacier.get_vault_notifications, vaultName="v")

    def test_vault_lock_state_machine(self):
        self.assert_error(404, "ResourceNotFoundException", "No vault lock policy",
                          self.glacier.get_vault_lock, vaultName="v")
        lock_id = self.glacier.initiate_vault_lock(vaultName="v", policy={"Policy": POLICY})[
            "lockId"]
        self.assertEqual(len(lock_id), 24)
        lock = self.glacier.get_vault_lock(vaultName="v")
        self.assertEqual((lock["State"], lock["Policy"]), ("InProgress", POLICY))
        self.assertTrue(lock["ExpirationDate"])
        self.assert_error(403, "AccessDeniedException", "already in progress",
                          self.glacier.initiate_vault_lock, vaultName="v",
                          policy={"Policy": POLICY})
        self.assert_error(400, "InvalidParameterValueException", "Invalid lock ID",
                          self.glacier.complete_vault_lock, vaultName="v", lockId="X" * 24)
        self.glacier.complete_vault_lock(vaultName="v", lockId=lock_id)
        self.glacier.complete_vault_lock(vaultName="v", lockId=lock_id)
        self.assertEqual(self.glacier.get_vault_lock(vaultName="v")["State"], "Locked")
        self.assert_error(403, "AccessDeniedException", "another lock ID",
                          self.glacier.complete_vault_lock, vaultName="v", lockId="X" * 24)
        self.assert_error(403, "AccessDeniedException", "cannot be aborted",
                          self.glacier.abort_vault_lock, vaultName="v")

    def test_an_unlocked_lock_expires_after_a_day_of_the_clock(self):
        self.glacier.initiate_vault_lock(vaultName="v", policy={"Policy": POLICY})
        admin(self.endpoint, "POST", "/_mock/clock/advance", {"seconds": 24 * 3600})
        self.assert_error(404, "ResourceNotFoundException", "No vault lock policy",
                          self.glacier.get_vault_lock, vaultName="v")
        self.glacier.abort_vault_lock(vaultName="v")

    def test_tags(self):
        self.assertEqual(self.glacier.list_tags_for_vault(vaultName="v")["Tags"], {})
        self.glacier.add_tags_to_vault(vaultName="v", Tags={"team": "data", "env": "test"})
        self.glacier.add_tags_to_vault(vaultName="v", Tags={"env": "prod"})
        self.glacier.remove_tags_from_vault(vaultName="v", TagKeys=["team", "absent"])
        self.assertEqual(self.glacier.list_tags_for_vault(vaultName="v")["Tags"],
                         {"env": "prod"})
        self.assert_error(400, "InvalidParameterValueException", "aws:",
                          self.glacier.add_tags_to_vault, vaultName="v", Tags={"aws:x": "1"})
        self.glacier.add_tags_to_vault(vaultName="v",
                                       Tags={f"k{i}": "v" for i in range(49)})
        self.assert_error(400, "LimitExceededException", "at most 50 tags",
                          self.glacier.add_tags_to_vault, vaultName="v", Tags={"one": "more"})

    def test_data_retrieval_policy_is_enforced_and_lifted_by_the_clock(self):
        self.assertEqual(self.glacier.get_data_retrieval_policy()["Policy"],
                         {"Rules": [{"Strategy": "None"}]})
        archive = self.glacier.upload_archive(vaultName="v", body=b"x" * 3000)["archiveId"]
        self.glacier.set_data_retrieval_policy(
            Policy={"Rules": [{"Strategy": "BytesPerHour", "BytesPerHour": 5000}]})
        self.assertEqual(self.glacier.get_data_retrieval_policy()["Policy"]["Rules"],
                         [{"Strategy": "BytesPerHour", "BytesPerHour": 5000}])
        job = {"Type": "archive-retrieval", "ArchiveId": archive}
        self.glacier.initiate_job(vaultName="v", jobParameters=job)
        self.assert_error(400, "PolicyEnforcedException",
                          "InitiateJob request denied by current data retrieval policy.",
                          self.glacier.initiate_job, vaultName="v", jobParameters=job)
        admin(self.endpoint, "POST", "/_mock/clock/advance", {"seconds": 3600})
        self.glacier.initiate_job(vaultName="v", jobParameters=job)
        self.assert_error(400, "InvalidParameterValueException", "BytesPerHour is required",
                          self.glacier.set_data_retrieval_policy,
                          Policy={"Rules": [{"Strategy": "BytesPerHour"}]})
        self.assert_error(400, "InvalidParameterValueException", "only allowed",
                          self.glacier.set_data_retrieval_policy,
                          Policy={"Rules": [{"Strategy": "None", "BytesPerHour": 5}]})

    def test_provisioned_capacity(self):
        first = self.glacier.purchase_provisioned_capacity()["capacityId"]
        self.glacier.purchase_provisioned_capacity()
        self.assert_error(400, "LimitExceededException", "at most 2",
                          self.glacier.purchase_provisioned_capacity)
        units = self.glacier.list_provisioned_capacity()["ProvisionedCapacityList"]
        self.assertEqual(len(units), 2)
        self.assertEqual(units[0]["CapacityId"], first)
        self.assertLess(units[0]["StartDate"], units[0]["ExpirationDate"])


class CapacityLimitTest(ServerTestCase):
    # No on-demand Expedited capacity at all: only purchased units give some.
    server_args = ("--expedited-on-demand-per-5min", "0")

    def test_expedited_needs_capacity_and_the_clock_frees_it(self):
        glacier = boto3.client(
            "glacier", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        glacier.create_vault(vaultName="v")
        archive = glacier.upload_archive(vaultName="v", body=b"data")["archiveId"]
        job = {"Type": "archive-retrieval", "ArchiveId": archive, "Tier": "Expedited"}
        with self.assertRaises(ClientError) as caught:
            glacier.initiate_job(vaultName="v", jobParameters=job)
        self.assertEqual(caught.exception.response["Error"]["Code"],
                         "InsufficientCapacityException")
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        glacier.purchase_provisioned_capacity()
        for _ in range(3):
            glacier.initiate_job(vaultName="v", jobParameters=job)
        with self.assertRaises(ClientError):
            glacier.initiate_job(vaultName="v", jobParameters=job)
        admin(self.endpoint, "POST", "/_mock/clock/advance", {"seconds": 300})
        glacier.initiate_job(vaultName="v", jobParameters=job)


class AwsCliVaultConfigTest(AwsCliTestCase):

    def aws(self, *args, error=None):
        """`aws glacier ARGS --account-id -`; with `error`, asserts it failed saying so."""
        if error:
            self.assertIn(error, super().aws(*args, "--account-id", "-", expect_ok=False))
            return None
        return super().aws(*args, "--account-id", "-")

    def test_every_configuration_operation(self):
        self.aws("create-vault", "--vault-name", "cli")
        self.aws("set-vault-access-policy", "--vault-name", "cli",
                 "--policy", json.dumps({"Policy": POLICY}))
        self.assertEqual(self.aws("get-vault-access-policy", "--vault-name", "cli")["policy"],
                         {"Policy": POLICY})
        self.aws("delete-vault-access-policy", "--vault-name", "cli")
        self.aws("set-vault-notifications", "--vault-name", "cli", "--vault-notification-config",
                 json.dumps({"SNSTopic": TOPIC, "Events": ["InventoryRetrievalCompleted"]}))
        self.assertEqual(self.aws("get-vault-notifications", "--vault-name", "cli")[
            "vaultNotificationConfig"]["SNSTopic"], TOPIC)
        self.aws("delete-vault-notifications", "--vault-name", "cli")
        self.aws("get-vault-notifications", "--vault-name", "cli",
                 error="ResourceNotFoundException")
        lock_id = self.aws("initiate-vault-lock", "--vault-name", "cli",
                           "--policy", json.dumps({"Policy": POLICY}))["lockId"]
        self.assertEqual(self.aws("get-vault-lock", "--vault-name", "cli")["State"], "InProgress")
        self.aws("abort-vault-lock", "--vault-name", "cli")
        lock_id = self.aws("initiate-vault-lock", "--vault-name", "cli",
                           "--policy", json.dumps({"Policy": POLICY}))["lockId"]
        self.aws("complete-vault-lock", "--vault-name", "cli", f"--lock-id={lock_id}")
        self.aws("abort-vault-lock", "--vault-name", "cli", error="AccessDeniedException")
        self.aws("add-tags-to-vault", "--vault-name", "cli", "--tags", "owner=ops,env=ci")
        self.aws("remove-tags-from-vault", "--vault-name", "cli", "--tag-keys", "env")
        self.assertEqual(self.aws("list-tags-for-vault", "--vault-name", "cli")["Tags"],
                         {"owner": "ops"})
        self.aws("set-data-retrieval-policy", "--policy",
                 json.dumps({"Rules": [{"Strategy": "FreeTier"}]}))
        self.assertEqual(self.aws("get-data-retrieval-policy")["Policy"]["Rules"][0]["Strategy"],
                         "FreeTier")
        self.aws("set-data-retrieval-policy", "--policy",
                 json.dumps({"Rules": [{"Strategy": "Lots"}]}), error="Invalid Strategy")
        capacity = self.aws("purchase-provisioned-capacity")["capacityId"]
        units = self.aws("list-provisioned-capacity")["ProvisionedCapacityList"]
        self.assertEqual([u["CapacityId"] for u in units], [capacity])


if __name__ == "__main__":
    unittest.main()
