"""Callers from a credentials file, SigV4 verification and cross-account access, with
the real binary and boto3 (and raw HTTP where a client cannot be made to misbehave).

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_auth
(from tests/e2e; ctest does this).
"""

import datetime
import hashlib
import json
import os
import urllib.error
import urllib.request
from unittest import mock

from harness import REGION, ServerTestCase, fail_missing, refusal_of, vault_arn

try:
    import boto3
    import botocore.auth
    from botocore.config import Config
except ImportError:
    fail_missing("boto3")

CREDENTIALS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "config",
                                           "credentials.example.json"))
with open(CREDENTIALS, encoding="utf-8") as f:
    USERS = {c["user"]: c for c in json.load(f)["credentials"]}
ALICE, BOB, CAROL = USERS["alice"], USERS["bob"], USERS["carol"]
OWNER = ALICE["account_id"]  # alice and bob share it; carol is in another account


def client(endpoint, user, secret=None):
    return boto3.client(
        "glacier", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=user["access_key_id"],
        aws_secret_access_key=secret or user["secret_access_key"],
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=15))


def user_arn(user):
    return f"arn:aws:iam::{user['account_id']}:user/{user['user']}"


def policy(*statements):
    return {"Policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


class CallerTestCase(ServerTestCase):

    def error_of(self, call, **kwargs):
        return refusal_of(self, call, **kwargs)


class TwoUsersTest(CallerTestCase):
    """The default --auth accept with declared callers: who signs decides the principal."""
    server_args = ("--credentials", CREDENTIALS)

    def test_an_access_policy_denies_one_user_and_not_the_other(self):
        alice, bob = client(self.endpoint, ALICE), client(self.endpoint, BOB)
        vault = self.unique("shared")
        alice.create_vault(vaultName=vault)
        first = alice.upload_archive(vaultName=vault, body=b"one")["archiveId"]
        second = alice.upload_archive(vaultName=vault, body=b"two")["archiveId"]
        alice.set_vault_access_policy(vaultName=vault, policy=policy({
            "Sid": "no-deletes-by-bob", "Effect": "Deny",
            "Principal": {"AWS": user_arn(BOB)},
            "Action": "glacier:DeleteArchive", "Resource": vault_arn(vault, OWNER)}))

        self.assertEqual(self.error_of(bob.delete_archive, vaultName=vault, archiveId=first), (
            403, "AccessDeniedException",
            f"User: {user_arn(BOB)} is not authorized to perform: glacier:DeleteArchive on "
            f"resource: {vault_arn(vault, OWNER)} with an explicit deny in a resource-based "
            "policy"))
        # Bob may still do what the policy leaves alone; alice may delete.
        self.assertEqual(bob.describe_vault(vaultName=vault)["NumberOfArchives"], 2)
        alice.delete_archive(vaultName=vault, archiveId=first)
        alice.delete_archive(vaultName=vault, archiveId=second)
        self.assertIn(f"principal={user_arn(BOB)}", self.server.output())
        self.assertIn(f"principal={user_arn(ALICE)}", self.server.output())

    def test_an_undeclared_key_keeps_the_default_rules(self):
        other = boto3.client("glacier", endpoint_url=self.endpoint, region_name=REGION,
                             aws_access_key_id="210987654321", aws_secret_access_key="x")
        vault = self.unique("own")
        self.assertEqual(other.create_vault(vaultName=vault)["location"],
                         f"/210987654321/vaults/{vault}")


class VerifyTest(CallerTestCase):
    server_args = ("--auth", "verify", "--credentials", CREDENTIALS)

    def raw(self, method, path, headers=None, body=None):
        request = urllib.request.Request(self.endpoint + path, data=body, method=method,
                                         headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def test_correct_keys_work_and_a_wrong_secret_is_refused(self):
        alice = client(self.endpoint, ALICE)
        vault = self.unique("verified")
        self.assertEqual(alice.create_vault(vaultName=vault)["location"],
                         f"/{OWNER}/vaults/{vault}")
        alice.upload_archive(vaultName=vault, body=b"x" * 5000)
        status, code, message = self.error_of(client(self.endpoint, ALICE, "wrong").describe_vault,
                                              vaultName=vault)
        self.assertEqual((status, code), (403, "InvalidSignatureException"))
        self.assertTrue(message.startswith(
            "The request signature we calculated does not match the signature you provided."),
            message)
        self.assertIn("The Canonical String for this request should have been", message)

    def test_an_unknown_key_is_not_recognised(self):
        stranger = boto3.client("glacier", endpoint_url=self.endpoint, region_name=REGION,
                                aws_access_key_id="AKIDSTRANGER", aws_secret_access_key="x",
                                config=Config(retries={"total_max_attempts": 1}))
        self.assertEqual(self.error_of(stranger.list_vaults), (
            400, "UnrecognizedClientException",
            "The security token included in the request is invalid."))

    def test_a_request_without_authorization_is_refused(self):
        status, body = self.raw("GET", "/-/vaults", {"x-amz-glacier-version": "2012-06-01"})
        self.assertEqual(status, 400)
        # AWS's authentication layer writes the message first.
        self.assertEqual(body, b'{"message":"Missing Authentication Token",'
                               b'"code":"MissingAuthenticationTokenException","type":"Client"}')

    def test_a_tampered_body_is_refused(self):
        alice = client(self.endpoint, ALICE)
        vault = self.unique("tamper")
        alice.create_vault(vaultName=vault)

        def tamper(request, **kwargs):
            # After signing, as a proxy on the way would: same length, other bytes.
            request.body = request.body.replace(b"inventory-retrieval", b"inventory-retrievaL")

        alice.meta.events.register("before-send.glacier.InitiateJob", tamper)
        status, code, message = self.error_of(
            alice.initiate_job, vaultName=vault, jobParameters={"Type": "inventory-retrieval"})
        self.assertEqual((status, code), (403, "InvalidSignatureException"))
        self.assertTrue(message.startswith("The request signature we calculated does not match"))

        upload = client(self.endpoint, ALICE)

        def tamper_upload(request, **kwargs):
            request.body = b"Y" + request.body[1:]

        upload.meta.events.register("before-send.glacier.UploadArchive", tamper_upload)
        status, code, message = self.error_of(upload.upload_archive, vaultName=vault,
                                              body=b"X" * 100)
        self.assertEqual((status, code), (403, "InvalidSignatureException"))
        self.assertTrue(message.startswith("The value passed in as x-amz-content-sha256 does not "
                                           "match the computed payload hash."), message)
        self.assertEqual(alice.describe_vault(vaultName=vault)["NumberOfArchives"], 0)

    def test_upload_payload_hashes_are_checked_on_signed_requests(self):
        # The uploads' x-amz-content-sha256 check holds in verify mode too: a value signed
        # as the payload hash that is not the body's, or no header at all, is refused.
        def signed(operation, value):
            rewritten = client(self.endpoint, ALICE)

            def rewrite(request, **kwargs):
                del request.headers["x-amz-content-sha256"]
                if value is not None:
                    request.headers["x-amz-content-sha256"] = value

            rewritten.meta.events.register(f"before-sign.glacier.{operation}", rewrite)
            return rewritten

        alice = client(self.endpoint, ALICE)
        vault = self.unique("payload")
        alice.create_vault(vaultName=vault)
        wrong = "0" * 64
        mismatch = ("The value passed in as x-amz-content-sha256 does not match the computed "
                    "payload hash. Computed digest: {} expected hash: " + wrong)
        missing = (400, "MissingParameterValueException",
                   "Required parameter missing: x-amz-content-sha256")
        body = b"signed body"
        self.assertEqual(
            self.error_of(signed("UploadArchive", wrong).upload_archive, vaultName=vault,
                          body=body),
            (403, "InvalidSignatureException",
             mismatch.format(hashlib.sha256(body).hexdigest())))
        self.assertEqual(self.error_of(signed("UploadArchive", None).upload_archive,
                                       vaultName=vault, body=body), missing)
        upload_id = alice.initiate_multipart_upload(vaultName=vault, partSize=str(1 << 20))[
            "uploadId"]
        part = {"vaultName": vault, "uploadId": upload_id, "range": "bytes 0-10/*", "body": body}
        self.assertEqual(
            self.error_of(signed("UploadMultipartPart", wrong).upload_multipart_part, **part),
            (403, "InvalidSignatureException",
             mismatch.format(hashlib.sha256(body).hexdigest())))
        self.assertEqual(
            self.error_of(signed("UploadMultipartPart", None).upload_multipart_part, **part),
            missing)
        self.assertEqual(alice.describe_vault(vaultName=vault)["NumberOfArchives"], 0)
        self.assertEqual(alice.list_parts(vaultName=vault, uploadId=upload_id)["Parts"], [])

    def test_a_stale_signing_date_is_refused(self):
        alice = client(self.endpoint, ALICE)
        stale = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=stale):
            status, code, message = self.error_of(alice.list_vaults)
        self.assertEqual((status, code), (403, "InvalidSignatureException"))
        self.assertRegex(message, r"^Signature expired: \d{8}T\d{6}Z is now earlier than "
                                  r"\d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$")
        ahead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=ahead):
            status, code, message = self.error_of(alice.list_vaults)
        self.assertEqual((status, code), (403, "InvalidSignatureException"))
        self.assertTrue(message.startswith("Signature not yet current: "), message)

    def refusal(self, method, path, headers):
        status, body = self.raw(method, path, {"x-amz-glacier-version": "2012-06-01", **headers})
        error = json.loads(body)
        self.assertEqual(error["type"], "Client", body)
        return status, error["code"], error["message"]

    def test_malformed_authorization_headers_get_awss_answers(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        credential = f"{ALICE['access_key_id']}/{day}/{REGION}/glacier/aws4_request"

        def authorization(algorithm="AWS4-HMAC-SHA256", scope=credential,
                          signed="host;x-amz-date;x-amz-glacier-version"):
            return {"X-Amz-Date": amz_date,
                    "Authorization": f"{algorithm} Credential={scope}, SignedHeaders={signed}, "
                                     f"Signature={'0' * 64}"}

        self.assertEqual(self.refusal("GET", "/-/vaults", {"Authorization": "X"}), (
            400, "IncompleteSignatureException",
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. Authorization=X"))
        self.assertEqual(
            self.refusal("GET", "/-/vaults", {"X-Amz-Date": amz_date,
                                              "Authorization": f"AWS4-HMAC-SHA256 "
                                                               f"Credential={credential}"}),
            (400, "IncompleteSignatureException",
             "Authorization header requires 'Signature' parameter. Authorization header requires "
             f"'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential={credential}"))
        self.assertEqual(self.refusal("GET", "/-/vaults", authorization("AWS4-HMAC-SHA512")), (
            400, "IncompleteSignatureException",
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "))
        self.assertEqual(
            self.refusal("GET", "/-/vaults", authorization(scope=credential.replace("glacier",
                                                                                    "s3"))),
            (403, "InvalidSignatureException",
             "Credential should be scoped to correct service: 'glacier'. "))
        short_scope = f"{ALICE['access_key_id']}/{day}"
        self.assertEqual(
            self.refusal("GET", "/-/vaults", authorization(scope=short_scope)),
            (400, "IncompleteSignatureException",
             "Credential must have exactly 5 slash-delimited elements, e.g. "
             f"keyid/date/region/service/term, got '{short_scope}'"))
        self.assertEqual(
            self.refusal("GET", "/-/vaults", authorization(signed="x-amz-date")),
            (403, "InvalidSignatureException",
             "'Host' must be a 'SignedHeader' in the AWS Authorization."))

    def presigned_describe(self, vault, expires_in, signed_at=None):
        """botocore's presigned DescribeVault URL, fetched with the version header it signs."""
        alice = client(self.endpoint, ALICE)
        when = signed_at or datetime.datetime.now(datetime.timezone.utc)
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
            url = alice.generate_presigned_url(
                "describe_vault", Params={"accountId": "-", "vaultName": vault},
                ExpiresIn=expires_in)
        self.assertIn(f"X-Amz-Expires={expires_in}", url)
        request = urllib.request.Request(url, headers={"x-amz-glacier-version": "2012-06-01"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def test_presigned_urls_expire_as_aws_says(self):
        vault = self.unique("presigned")
        client(self.endpoint, ALICE).create_vault(vaultName=vault)
        status, body = self.presigned_describe(vault, 60)
        self.assertEqual((status, body["VaultName"]), (200, vault))

        two_minutes_ago = (datetime.datetime.now(datetime.timezone.utc)
                           - datetime.timedelta(minutes=2))
        status, body = self.presigned_describe(vault, 60, two_minutes_ago)
        self.assertEqual((status, body["code"]), (403, "InvalidSignatureException"))
        self.assertRegex(body["message"], r"^Signature expired: \d{8}T\d{6}Z is now earlier than "
                                          r"\d{8}T\d{6}Z \(\d{8}T\d{6}Z - 60 sec\.\)$")
        # AWS's 5 minutes bound a URL that names more.
        ten_minutes_ago = (datetime.datetime.now(datetime.timezone.utc)
                           - datetime.timedelta(minutes=10))
        status, body = self.presigned_describe(vault, 3600, ten_minutes_ago)
        self.assertEqual((status, body["code"]), (403, "InvalidSignatureException"))
        self.assertTrue(body["message"].endswith(" - 5 min.)"), body["message"])

        status, body = self.presigned_describe(vault, 604801)
        self.assertEqual((status, body["code"], body["message"]), (
            400, "IncompleteSignatureException",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given "
            "X-Amz-Expires must be less than 604800 seconds"))

    def test_another_accounts_vault_needs_its_access_policy(self):
        alice, carol = client(self.endpoint, ALICE), client(self.endpoint, CAROL)
        vault = self.unique("partner")
        alice.create_vault(vaultName=vault)
        alice.upload_archive(vaultName=vault, body=b"for the partner")
        denied = (403, "AccessDeniedException", f"Access denied for account ID: {OWNER}")
        self.assertEqual(self.error_of(carol.describe_vault, accountId=OWNER, vaultName=vault),
                         denied)
        # Even for a vault that does not exist, as an AWS maintainer observed.
        self.assertEqual(self.error_of(carol.describe_vault, accountId=OWNER, vaultName="nope"),
                         denied)

        alice.set_vault_access_policy(vaultName=vault, policy=policy({
            "Sid": "partner-reads", "Effect": "Allow",
            "Principal": {"AWS": CAROL["account_id"]},
            "Action": ["glacier:DescribeVault", "glacier:ListJobs"],
            "Resource": vault_arn(vault, OWNER)}))
        described = carol.describe_vault(accountId=OWNER, vaultName=vault)
        # The request acts on the owner's vault.
        self.assertEqual(described["VaultARN"], vault_arn(vault, OWNER))
        self.assertEqual(described["NumberOfArchives"], 1)
        self.assertEqual(carol.list_jobs(accountId=OWNER, vaultName=vault)["JobList"], [])
        # What the policy does not grant stays refused, and "-" is carol's own account.
        self.assertEqual(self.error_of(carol.delete_vault, accountId=OWNER, vaultName=vault),
                         denied)
        self.assertEqual(self.error_of(carol.list_vaults, accountId=OWNER), denied)
        self.assertEqual(self.error_of(carol.describe_vault, vaultName=vault)[:2],
                         (404, "ResourceNotFoundException"))
        with urllib.request.urlopen(self.endpoint + "/_mock/metrics", timeout=10) as response:
            self.assertIn('glacier_access_denied_total{operation="DescribeVault",'
                          'reason="account"}', response.read().decode())


if __name__ == "__main__":
    import unittest
    unittest.main()
