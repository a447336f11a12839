"""Job notifications delivered over real SNS Publish calls into SQS, and the --healthcheck probe.

moto's server stands in for SNS and SQS: each queue is subscribed to a topic with raw
message delivery, so a message body is exactly what glacier-mock published. Every wait is
bounded.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_notifications
(from tests/e2e; ctest does this).
"""

import collections
import http.server
import json
import re
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import urllib.request

from harness import Server, server_binary, wait_until, fail_missing

try:
    import boto3
    from botocore.config import Config
except ImportError:
    fail_missing("boto3")

# moto is on these machines but Debian packages no moto, so a fresh bookworm cannot have
# it: there the moto test is skipped (saying why) and the stand-in SNS test below, which
# needs nothing but the standard library, still proves the signed Publish calls.
try:
    import moto.server  # noqa: F401  (its presence is the check; it runs as a subprocess)
    MOTO_MISSING = None
except ImportError as exc:
    MOTO_MISSING = (f"moto's server is not importable for {sys.executable} ({exc}); "
                    "Debian has no moto package, so only the stand-in SNS test runs")

MOTO_STARTUP_S = 20.0
DELIVERY_TIMEOUT_S = 20.0
# After the expected messages arrived, keep listening this long for duplicates.
DUPLICATE_WINDOW_S = 1.5
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test",
               "region_name": "us-east-1"}
CLIENT_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                       connect_timeout=5, read_timeout=15)


def free_port():
    """A loopback port nothing listens on (free when asked; nobody else is expected to take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def without_nulls(value):
    """The JSON value minus null members: boto3 drops them from what it parses."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


class Moto:
    """moto's server on a free loopback port, output kept for failure messages."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._output = collections.deque(maxlen=100)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()
        try:
            wait_until(self._ready, timeout_s=MOTO_STARTUP_S, interval_s=0.1,
                       what=f"moto's server on port {self.port}")
        except AssertionError as exc:
            self.stop()
            raise AssertionError(f"{exc}; moto output:\n{self.output()}") from None

    def _drain(self):
        for raw in iter(self.process.stdout.readline, b""):
            self._output.append(raw.decode("utf-8", "replace").rstrip("\n"))
        self.process.stdout.close()

    def _ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"moto's server exited with {self.process.returncode}; "
                                 f"output:\n{self.output()}")
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def output(self):
        return "\n".join(self._output)

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, config=CLIENT_CONFIG,
                            **CREDENTIALS)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._thread.join(5)


def admin_notifications(server):
    with urllib.request.urlopen(f"{server.endpoint}/_mock/notifications", timeout=5) as response:
        return json.load(response)["notifications"]


def glacier_client(server):
    return boto3.client("glacier", endpoint_url=server.endpoint, config=CLIENT_CONFIG,
                        **CREDENTIALS)


def upload_archive(glacier, vault):
    glacier.create_vault(vaultName=vault)
    return glacier.upload_archive(vaultName=vault, body=b"notify me" * 100)["archiveId"]


def describe_job(glacier, vault, job_id):
    description = glacier.describe_job(vaultName=vault, jobId=job_id)
    description.pop("ResponseMetadata")
    return description


def wait_for_jobs(glacier, jobs):
    """Waits until every (vault, job_id) has completed."""
    for vault, job_id in jobs:
        wait_until(lambda: describe_job(glacier, vault, job_id)["Completed"],
                   what=f"job {job_id[:12]}... to complete")


@unittest.skipIf(MOTO_MISSING, MOTO_MISSING)
class SnsDeliveryTest(unittest.TestCase):
    """glacier-mock publishing to moto's SNS; SQS queues subscribed to its topics."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto = Moto()
        try:
            cls.sns = cls.moto.client("sns")
            cls.sqs = cls.moto.client("sqs")
            cls.job_topic, cls.job_queue = cls.topic_with_queue("glacier-job-events")
            cls.vault_topic, cls.vault_queue = cls.topic_with_queue("glacier-vault-events")
            cls.server = Server("--sns-endpoint", cls.moto.endpoint, "--sns-max-attempts", "3",
                                "--sns-retry-backoff-ms", "50", "--sns-timeout-ms", "2000").start()
        except BaseException:
            cls.moto.stop()
            raise
        cls.glacier = glacier_client(cls.server)

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.server.stop()
            if code != 0:
                raise AssertionError(f"glacier-mock exited with {code} after SIGTERM; output:\n"
                                     + cls.server.output())
        finally:
            cls.moto.stop()
            super().tearDownClass()

    @classmethod
    def topic_with_queue(cls, name):
        topic_arn = cls.sns.create_topic(Name=name)["TopicArn"]
        queue_url = cls.sqs.create_queue(QueueName=f"{name}-queue")["QueueUrl"]
        queue_arn = cls.sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        cls.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                          Attributes={"RawMessageDelivery": "true"})
        return topic_arn, queue_url

    def receive(self, queue_url, expected):
        """Every message body on the queue as JSON: at least `expected` of them (or fail),
        plus any that arrive within DUPLICATE_WINDOW_S after that."""
        messages = []
        deadline = time.monotonic() + DELIVERY_TIMEOUT_S
        quiet_until = None
        while True:
            now = time.monotonic()
            if quiet_until is not None and now >= quiet_until:
                return messages
            if quiet_until is None and now >= deadline:
                self.fail(f"{len(messages)} of {expected} messages arrived on {queue_url} within "
                          f"{DELIVERY_TIMEOUT_S} s: {messages}; notifications: "
                          f"{admin_notifications(self.server)}")
            batch = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=1).get("Messages", [])
            for message in batch:
                messages.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=queue_url,
                                        ReceiptHandle=message["ReceiptHandle"])
            if quiet_until is None and len(messages) >= expected:
                quiet_until = time.monotonic() + DUPLICATE_WINDOW_S

    def assert_one_message_per_job(self, messages, expected_jobs, what):
        by_job = collections.defaultdict(list)
        for message in messages:
            by_job[message.get("JobId")].append(message)
        self.assertEqual(set(by_job), set(expected_jobs), f"{what}: jobs notified")
        for job_id, description in expected_jobs.items():
            self.assertEqual(len(by_job[job_id]), 1, f"{what}: messages for job {job_id}")
            self.assertEqual(without_nulls(by_job[job_id][0]), description,
                             f"{what}: the message is the job's DescribeJob")

    def test_each_completed_job_reaches_each_of_its_topics_once(self):
        glacier = self.glacier
        # Vault 1 has no notification configuration: only per-job topics apply.
        plain = f"plain-{id(self) % 100000}"
        plain_archive = upload_archive(glacier, plain)
        # Vault 2 notifies its topic of both events.
        notified = f"notified-{id(self) % 100000}"
        notified_archive = upload_archive(glacier, notified)
        glacier.set_vault_notifications(
            vaultName=notified, vaultNotificationConfig={
                "SNSTopic": self.vault_topic,
                "Events": ["ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"]})

        job_a = glacier.initiate_job(vaultName=plain, jobParameters={
            "Type": "archive-retrieval", "ArchiveId": plain_archive, "Tier": "Expedited",
            "SNSTopic": self.job_topic, "Description": "per-job topic"})["jobId"]
        job_b = glacier.initiate_job(vaultName=notified, jobParameters={
            "Type": "inventory-retrieval", "Description": "vault topic"})["jobId"]
        job_c = glacier.initiate_job(vaultName=notified, jobParameters={
            "Type": "archive-retrieval", "ArchiveId": notified_archive, "Tier": "Standard",
            "SNSTopic": self.job_topic, "Description": "both topics"})["jobId"]
        # A job that fails is announced too, with its Failed status.
        job_d = glacier.initiate_job(vaultName=plain, jobParameters={
            "Type": "archive-retrieval", "ArchiveId": plain_archive, "Tier": "Bulk",
            "SNSTopic": self.job_topic, "Description": "fails"})["jobId"]
        request = urllib.request.Request(
            f"{self.server.endpoint}/_mock/jobs/{job_d}/fail", method="POST",
            data=json.dumps({"message": "failed on purpose"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            self.assertEqual(response.status, 200)

        jobs = [(plain, job_a), (notified, job_b), (notified, job_c), (plain, job_d)]
        wait_for_jobs(glacier, jobs)
        descriptions = {job_id: describe_job(glacier, vault, job_id) for vault, job_id in jobs}
        self.assertEqual(descriptions[job_d]["StatusCode"], "Failed")

        self.assert_one_message_per_job(
            self.receive(self.job_queue, 3),
            {job: descriptions[job] for job in (job_a, job_c, job_d)}, "per-job topic")
        self.assert_one_message_per_job(
            self.receive(self.vault_queue, 2),
            {job: descriptions[job] for job in (job_b, job_c)}, "vault topic")

        ours = [n for n in admin_notifications(self.server)
                if n["job_id"] in (job_a, job_b, job_c, job_d)]
        self.assertEqual(len(ours), 5, ours)
        for n in ours:
            self.assertEqual((n["status"], n["attempts"], n["error"]), ("delivered", 1, None), n)
            self.assertTrue(n["sns_message_id"], n)


class StandInSns(http.server.ThreadingHTTPServer):
    """A loopback SNS endpoint that only takes Publish: it records each call and answers
    with a MessageId, as SNS's query API does."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), StandInSnsHandler)
        self.published = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self):
        self.shutdown()
        self.server_close()
        self.thread.join(5)


class StandInSnsHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        call = {k: v[0] for k, v in form.items()}
        call["Authorization"] = self.headers.get("Authorization", "")
        call["X-Amz-Date"] = self.headers.get("X-Amz-Date", "")
        with self.server.lock:
            self.server.published.append(call)
            message_id = f"standin-{len(self.server.published)}"
        body = (f"<PublishResponse><PublishResult><MessageId>{message_id}</MessageId>"
                "</PublishResult></PublishResponse>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class StandInSnsDeliveryTest(unittest.TestCase):
    """Runs everywhere: the Publish calls glacier-mock makes, as an SNS endpoint sees them."""

    def test_publish_calls_are_signed_and_carry_describe_job(self):
        sns = StandInSns()
        try:
            with Server("--sns-endpoint", sns.endpoint, "--sns-retry-backoff-ms", "20",
                        "--sns-access-key-id", "AKIDSTANDIN") as server:
                glacier = glacier_client(server)
                archive = upload_archive(glacier, "standin")
                vault_topic = "arn:aws:sns:eu-west-1:123456789012:vault-events"
                job_topic = "arn:aws:sns:us-west-2:123456789012:job-events"
                glacier.set_vault_notifications(vaultName="standin", vaultNotificationConfig={
                    "SNSTopic": vault_topic, "Events": ["ArchiveRetrievalCompleted"]})
                job = glacier.initiate_job(vaultName="standin", jobParameters={
                    "Type": "archive-retrieval", "ArchiveId": archive, "Tier": "Expedited",
                    "SNSTopic": job_topic})["jobId"]
                wait_for_jobs(glacier, [("standin", job)])
                description = describe_job(glacier, "standin", job)
                calls = wait_until(lambda: len(sns.published) >= 2 and list(sns.published),
                                   timeout_s=DELIVERY_TIMEOUT_S, what="two Publish calls")
                time.sleep(DUPLICATE_WINDOW_S / 3)
                self.assertEqual(len(sns.published), 2, sns.published)
                by_topic = {c["TopicArn"]: c for c in calls}
                self.assertEqual(set(by_topic), {vault_topic, job_topic})
                for topic, call in by_topic.items():
                    region = topic.split(":")[3]
                    self.assertEqual((call["Action"], call["Version"]), ("Publish", "2010-03-31"))
                    self.assertEqual(without_nulls(json.loads(call["Message"])), description)
                    self.assertRegex(call["Authorization"], re.compile(
                        rf"^AWS4-HMAC-SHA256 Credential=AKIDSTANDIN/\d{{8}}/{region}/sns/"
                        r"aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$"))
                    self.assertRegex(call["X-Amz-Date"], r"^\d{8}T\d{6}Z$")
                records = [n for n in admin_notifications(server) if n["job_id"] == job]
                self.assertEqual(sorted(n["status"] for n in records), ["delivered"] * 2)
                self.assertEqual({n["sns_message_id"] for n in records},
                                 {"standin-1", "standin-2"})
        finally:
            sns.stop()


    def test_a_topic_named_by_job_and_vault_gets_both_publish_calls(self):
        # AWS's InitiateJob page: Glacier sends both notifications, one per source.
        sns = StandInSns()
        try:
            with Server("--sns-endpoint", sns.endpoint, "--sns-retry-backoff-ms", "20") as server:
                glacier = glacier_client(server)
                archive = upload_archive(glacier, "same-topic")
                topic = "arn:aws:sns:us-east-1:123456789012:one-topic"
                glacier.set_vault_notifications(vaultName="same-topic", vaultNotificationConfig={
                    "SNSTopic": topic, "Events": ["ArchiveRetrievalCompleted"]})
                job = glacier.initiate_job(vaultName="same-topic", jobParameters={
                    "Type": "archive-retrieval", "ArchiveId": archive, "Tier": "Expedited",
                    "SNSTopic": topic})["jobId"]
                wait_for_jobs(glacier, [("same-topic", job)])
                description = describe_job(glacier, "same-topic", job)
                wait_until(lambda: len(sns.published) >= 2, timeout_s=DELIVERY_TIMEOUT_S,
                           what="two Publish calls")
                time.sleep(DUPLICATE_WINDOW_S / 3)
                self.assertEqual([c["TopicArn"] for c in sns.published], [topic, topic])
                for call in sns.published:
                    self.assertEqual(without_nulls(json.loads(call["Message"])), description)
                records = [n for n in admin_notifications(server) if n["job_id"] == job]
                self.assertEqual([n["status"] for n in records], ["delivered"] * 2)
        finally:
            sns.stop()


class SnsEndpointDownTest(unittest.TestCase):
    """With nothing listening at the SNS endpoint, delivery fails and nothing else does."""

    def test_requests_keep_succeeding_and_delivery_is_recorded_as_failed(self):
        down = f"http://127.0.0.1:{free_port()}"
        with Server("--sns-endpoint", down, "--sns-max-attempts", "3",
                    "--sns-retry-backoff-ms", "20", "--sns-timeout-ms", "500") as server:
            glacier = glacier_client(server)
            archive = upload_archive(glacier, "down")
            topic = "arn:aws:sns:us-east-1:123456789012:nobody-listens"
            job_ids = [glacier.initiate_job(vaultName="down", jobParameters={
                "Type": "archive-retrieval", "ArchiveId": archive, "Tier": "Expedited",
                "SNSTopic": topic})["jobId"] for _ in range(2)]
            wait_for_jobs(glacier, [("down", job_id) for job_id in job_ids])

            def settled():
                records = [n for n in admin_notifications(server) if n["job_id"] in job_ids]
                done = len(records) == 2 and all(n["status"] != "pending" for n in records)
                return records if done else None

            records = wait_until(settled, timeout_s=DELIVERY_TIMEOUT_S,
                                 what="both deliveries to give up")
            for n in records:
                self.assertEqual(n["status"], "failed", n)
                self.assertEqual(n["attempts"], 3, n)
                self.assertIn("cannot connect", n["error"], n)
                self.assertIsNone(n["sns_message_id"], n)
                self.assertEqual(n["topic_arn"], topic)
            # The service is unaffected.
            self.assertEqual(glacier.list_vaults()["VaultList"][0]["VaultName"], "down")
            self.assertTrue(describe_job(glacier, "down", job_ids[0])["Completed"])


class HealthcheckTest(unittest.TestCase):
    """`glacier-mock --healthcheck`, as a Docker HEALTHCHECK runs it."""

    def probe(self, *args):
        return subprocess.run([server_binary(), "--healthcheck", *args], capture_output=True,
                              text=True, timeout=10, stdin=subprocess.DEVNULL)

    def test_exit_0_for_a_running_server(self):
        with Server() as server:
            result = self.probe("--port", str(server.port))
            self.assertEqual(result.returncode, 0, result.stderr)
            # The image listens on 0.0.0.0: that means loopback to the probe.
            result = self.probe("--host", "0.0.0.0", "--port", str(server.port))
            self.assertEqual(result.returncode, 0, result.stderr)

    def test_exit_1_with_one_line_when_nothing_listens(self):
        port = free_port()
        started = time.monotonic()
        result = self.probe("--port", str(port))
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(result.returncode, 1)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn(str(port), lines[0])

    def test_exit_1_for_a_bad_flag(self):
        result = self.probe("--port", "not-a-port")
        self.assertEqual(result.returncode, 1)
        self.assertIn("port", result.stderr)


if __name__ == "__main__":
    unittest.main()
