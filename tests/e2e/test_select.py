"""Glacier Select end to end: boto3 and the AWS CLI run select jobs on CSV archives; the
results are read from the admin API, from moto's S3, and from a stand-in S3 that checks
every PutObject's SigV4 signature. Every wait is bounded.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_select
(from tests/e2e; ctest does this).
"""

import hashlib
import hmac
import http.server
import json
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request

from harness import AwsCliTestCase, Server, ServerTestCase, admin, fail_missing, wait_until

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    fail_missing("boto3")

# As in test_notifications: Debian has no moto package, so on a fresh bookworm the moto
# tests are skipped (saying why) and the stand-in S3 below still proves the PutObject calls.
try:
    import moto.server  # noqa: F401  (its presence is the check; it runs as a subprocess)
    MOTO_MISSING = None
except ImportError as exc:
    MOTO_MISSING = (f"moto's server is not importable for {sys.executable} ({exc}); "
                    "Debian has no moto package, so only the stand-in S3 tests run")

CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test",
               "region_name": "us-east-1"}
CLIENT_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                       connect_timeout=5, read_timeout=15)
DELIVERY_TIMEOUT_S = 20.0

PEOPLE = (b"Id,Name,City,Age\n"
          b"1,Jane Doe,Seattle,34\n"
          b"2,\"Smith, John\",Portland,51\n"
          b"3,Ann \"Nan\" Lee,Seattle,28\n")


def glacier_client(endpoint):
    return boto3.client("glacier", endpoint_url=endpoint, config=CLIENT_CONFIG, **CREDENTIALS)


def select_parameters(expression, csv_input=None, csv_output=None):
    parameters = {"Expression": expression, "ExpressionType": "SQL"}
    if csv_input is not None:
        parameters["InputSerialization"] = {"csv": csv_input}
    if csv_output is not None:
        parameters["OutputSerialization"] = {"csv": csv_output}
    return parameters


def start_select(glacier, vault, archive_id, expression, csv_input=None, csv_output=None,
                 bucket="results", prefix="selects", **extra):
    parameters = {"Type": "select", "ArchiveId": archive_id, "Tier": "Expedited",
                  "SelectParameters": select_parameters(expression, csv_input, csv_output),
                  "OutputLocation": {"S3": {"BucketName": bucket, "Prefix": prefix}}}
    parameters.update(extra)
    return glacier.initiate_job(vaultName=vault, jobParameters=parameters)


def wait_for_job(glacier, vault, job_id):
    return wait_until(lambda: (lambda d: d if d["Completed"] else None)(
        glacier.describe_job(vaultName=vault, jobId=job_id)), what=f"select job {job_id[:12]}...")


def kept_objects(endpoint, job_id):
    """The select job's objects as the admin API keeps them: {key: bytes}."""
    listing = admin(endpoint, "GET", f"/_mock/jobs/{job_id}/select-output")
    objects = {}
    for o in listing["objects"]:
        url = (f"{endpoint}/_mock/jobs/{job_id}/select-output?"
               + urllib.parse.urlencode({"key": o["key"]}))
        with urllib.request.urlopen(url, timeout=10) as response:
            objects[o["key"]] = response.read()
    return listing, objects


def result_text(objects, path):
    """The result parts (named by the manifest) joined, after checking the layout of a job
    that succeeded: job.txt, results/... and result_manifest.txt, no error_manifest.txt."""
    assert path + "result_manifest.txt" in objects, sorted(objects)
    assert path + "error_manifest.txt" not in objects, sorted(objects)
    manifest = objects[path + "result_manifest.txt"].decode()
    parts = [line.split("/", 3)[3] for line in manifest.splitlines()]
    assert parts and all(key.startswith(path + "results/") for key in parts), manifest
    assert sorted(objects) == sorted([path + "job.txt", path + "result_manifest.txt", *parts]), \
        sorted(objects)
    return b"".join(objects[key] for key in parts)


def error_object(objects, path):
    """The error object (named by the error manifest) of a job that failed, after checking
    the layout: job.txt, errors/... and error_manifest.txt, no result_manifest.txt."""
    assert path + "error_manifest.txt" in objects, sorted(objects)
    assert path + "result_manifest.txt" not in objects, sorted(objects)
    manifest = objects[path + "error_manifest.txt"].decode().splitlines()
    keys = [line.split("/", 3)[3] for line in manifest]
    assert len(keys) == 1 and keys[0].startswith(path + "errors/"), manifest
    assert sorted(objects) == sorted([path + "job.txt", path + "error_manifest.txt", keys[0]]), \
        sorted(objects)
    return json.loads(objects[keys[0]])


class Boto3SelectCases:
    """Select jobs initiated with boto3 on CSV archives. A subclass starts the server and
    says where the job's objects are read from: `objects(job_id, path)`, {key: bytes}."""

    bucket = "results"

    def upload(self, data):
        vault = self.unique("select")
        self.glacier.create_vault(vaultName=vault)
        return vault, self.glacier.upload_archive(vaultName=vault, body=data)["archiveId"]

    def run_select(self, data, expression, csv_input=None, csv_output=None):
        vault, archive = self.upload(data)
        started = start_select(self.glacier, vault, archive, expression, csv_input, csv_output,
                               bucket=self.bucket)
        job_id = started["jobId"]
        self.assertEqual(started["jobOutputPath"], f"selects/{job_id}/")
        description = wait_for_job(self.glacier, vault, job_id)
        # DescribeJob says Completed only once every object is written.
        return job_id, description, self.objects(job_id, f"selects/{job_id}/")

    def test_header_names_where_and_cast(self):
        job_id, d, objects = self.run_select(
            PEOPLE, "SELECT s.Name, s.Age FROM archive s WHERE CAST(s.Age AS INT) > 30",
            {"FileHeaderInfo": "USE"}, {})
        self.assertEqual((d["StatusCode"], d["StatusMessage"], d["Action"]),
                         ("Succeeded", "Succeeded", "Select"))
        self.assertEqual(d["JobOutputPath"], f"selects/{job_id}/")
        self.assertEqual(d["SelectParameters"]["Expression"],
                         "SELECT s.Name, s.Age FROM archive s WHERE CAST(s.Age AS INT) > 30")
        self.assertEqual(d["OutputLocation"], {"S3": {"BucketName": self.bucket,
                                                      "Prefix": "selects"}})
        path = f"selects/{job_id}/"
        self.assertEqual(result_text(objects, path), b"Jane Doe,34\n\"Smith, John\",51\n")
        job_txt = json.loads(objects[path + "job.txt"])
        self.assertEqual((job_txt["JobId"], job_txt["Action"], job_txt["JobOutputPath"]),
                         (job_id, "Select", path))

    def test_no_header_quoted_fields_and_custom_delimiters(self):
        data = b"a|'x|y'|1;b|'it''s'|2;c|plain|3;"
        job_id, d, objects = self.run_select(
            data, "SELECT s._2, s._1 FROM archive s WHERE s._3 <> '2' OR s._1 = 'b'",
            {"FileHeaderInfo": "NONE", "FieldDelimiter": "|", "RecordDelimiter": ";",
             "QuoteCharacter": "'", "QuoteEscapeCharacter": "'"},
            {"FieldDelimiter": "\t", "QuoteFields": "ALWAYS"})
        self.assertEqual(d["StatusCode"], "Succeeded", d)
        self.assertEqual(result_text(objects, f"selects/{job_id}/"),
                         b'"x|y"\t"a"\n"it\'s"\t"b"\n"plain"\t"c"\n')

    def test_ignored_header_and_positions(self):
        job_id, d, objects = self.run_select(
            PEOPLE, "SELECT s._1 FROM archive s WHERE s._3 LIKE 'Sea%'",
            {"FileHeaderInfo": "IGNORE"})
        self.assertEqual(d["StatusCode"], "Succeeded", d)
        self.assertEqual(result_text(objects, f"selects/{job_id}/"), b"1\n3\n")

    def test_a_query_that_fails_on_a_record_ends_the_job_failed(self):
        job_id, d, objects = self.run_select(PEOPLE, "SELECT CAST(s.Name AS INT) FROM archive s",
                                             {"FileHeaderInfo": "USE"})
        self.assertEqual(d["StatusCode"], "Failed")
        self.assertTrue(d["StatusMessage"].startswith("CastFailed: "), d["StatusMessage"])
        error = error_object(objects, f"selects/{job_id}/")
        self.assertEqual(error["ErrorCode"], "CastFailed")
        self.assertEqual("CastFailed: " + error["ErrorMessage"], d["StatusMessage"])

    def test_csv_errors_end_the_job_failed(self):
        for data, code in ((b'a,"open\nb,c\n', "CSVParsingError"),
                           (b"a\n" + b"x" * (1024 * 1024 + 1) + b"\n", "OverMaxRecordSize")):
            with self.subTest(code=code):
                job_id, d, objects = self.run_select(data, "SELECT * FROM archive")
                self.assertEqual(d["StatusCode"], "Failed")
                self.assertTrue(d["StatusMessage"].startswith(code + ": "), d["StatusMessage"])
                self.assertEqual(error_object(objects, f"selects/{job_id}/")["ErrorCode"], code)

    def test_a_non_csv_archive_ends_the_job_failed(self):
        gzip_bytes = bytes.fromhex("1f8b0800000000000003cb48cdc9c95728cf2fca49e102004d9f1d")
        job_id, d, objects = self.run_select(gzip_bytes, "SELECT * FROM archive")
        self.assertEqual(d["StatusCode"], "Failed")
        self.assertTrue(d["StatusMessage"].startswith("InvalidTextEncoding: "),
                        d["StatusMessage"])
        error = error_object(objects, f"selects/{job_id}/")
        self.assertEqual(error["ErrorCode"], "InvalidTextEncoding")


class SelectThroughAdminApiTest(Boto3SelectCases, ServerTestCase):
    """boto3 without any S3: the output is kept and read back from the admin API."""

    server_delays_ms = {"Expedited": 50, "Standard": 100, "Bulk": 150}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.glacier = glacier_client(cls.server.endpoint)

    def objects(self, job_id, path):
        listing, objects = kept_objects(self.server.endpoint, job_id)
        self.assertEqual((listing["delivery"], listing["output_path"]), ("kept", path))
        return objects

    def test_a_bad_query_is_refused_at_initiation(self):
        vault, archive = self.upload(PEOPLE)
        for expression, code in (("SELECT COUNT(*) FROM archive", "UnsupportedFunction"),
                                 ("SELECT * FROM archive LIMIT 1", "UnsupportedSyntax"),
                                 ("SELECT * FROM archive WHERE 'open", "LexerNonTerminated")):
            with self.assertRaises(ClientError) as raised:
                start_select(self.glacier, vault, archive, expression)
            error = raised.exception.response["Error"]
            self.assertEqual(error["Code"], "InvalidParameterValueException")
            self.assertTrue(error["Message"].startswith("Invalid Expression: " + code),
                            error["Message"])
            self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"],
                             400)
        self.assertEqual(self.glacier.list_jobs(vaultName=vault)["JobList"], [])

    def test_list_jobs_shows_the_select_members(self):
        vault, archive = self.upload(PEOPLE)
        job_id = start_select(self.glacier, vault, archive, "SELECT * FROM archive")["jobId"]
        wait_for_job(self.glacier, vault, job_id)
        jobs = self.glacier.list_jobs(vaultName=vault)["JobList"]
        self.assertEqual([j["JobId"] for j in jobs], [job_id])
        self.assertEqual(jobs[0]["JobOutputPath"], f"selects/{job_id}/")
        self.assertEqual(jobs[0]["SelectParameters"]["ExpressionType"], "SQL")
        self.assertEqual(jobs[0]["OutputLocation"]["S3"]["BucketName"], "results")


class AwsCliSelectCases:
    """Select jobs initiated with the AWS CLI from a --job-parameters file. A subclass
    starts the server and says where the objects are read from (`objects`)."""

    server_delays_ms = {"Expedited": 50, "Standard": 100, "Bulk": 150}
    bucket = "cli-results"

    def upload(self, data):
        vault = self.unique("cli-select")
        self.aws("create-vault", "--account-id", "-", "--vault-name", vault)
        with tempfile.NamedTemporaryFile(suffix=".csv") as body:
            body.write(data)
            body.flush()
            archive = self.aws("upload-archive", "--account-id", "-", "--vault-name", vault,
                               "--body", body.name)["archiveId"]
        return vault, archive

    def select(self, data, parameters):
        vault, archive = self.upload(data)
        job = {"Type": "select", "ArchiveId": archive, "Tier": "Expedited",
               "SelectParameters": parameters,
               "OutputLocation": {"S3": {"BucketName": self.bucket, "Prefix": "cli"}}}
        with tempfile.NamedTemporaryFile("w", suffix=".json") as spec:
            json.dump(job, spec)
            spec.flush()
            started = self.aws("initiate-job", "--account-id", "-", "--vault-name", vault,
                               "--job-parameters", f"file://{spec.name}")
        job_id = started["jobId"]
        self.assertEqual(started["jobOutputPath"], f"cli/{job_id}/")
        description = wait_until(
            lambda: (lambda d: d if d["Completed"] else None)(
                self.aws("describe-job", "--account-id", "-", "--vault-name", vault,
                         f"--job-id={job_id}")),
            interval_s=0.2, what=f"select job {job_id[:12]}...")
        return job_id, description, self.objects(job_id, f"cli/{job_id}/")

    def test_select_with_a_header_row(self):
        job_id, d, objects = self.select(PEOPLE, select_parameters(
            "SELECT s.City, UPPER(s.Name) FROM archive s WHERE s.Id IN ('1', '3')",
            {"FileHeaderInfo": "USE"}, {"QuoteFields": "ASNEEDED"}))
        self.assertEqual(d["StatusCode"], "Succeeded", d)
        self.assertEqual(d["SelectParameters"]["InputSerialization"],
                         {"csv": {"FileHeaderInfo": "USE"}})
        self.assertEqual(result_text(objects, f"cli/{job_id}/"),
                         b'Seattle,JANE DOE\nSeattle,"ANN ""NAN"" LEE"\n')

    def test_select_without_a_header_row_quoted_fields_and_custom_delimiters(self):
        job_id, d, objects = self.select(b"x;'1;2'\ny;22\nz;'a ''q'' b'\n", select_parameters(
            "SELECT s._2, s._1 FROM archive s WHERE CHAR_LENGTH(s._2) > 2",
            {"FieldDelimiter": ";", "QuoteCharacter": "'", "QuoteEscapeCharacter": "'"},
            {"FieldDelimiter": "|", "RecordDelimiter": "\r", "QuoteFields": "ALWAYS"}))
        self.assertEqual(d["StatusCode"], "Succeeded", d)
        self.assertEqual(result_text(objects, f"cli/{job_id}/"),
                         b'"1;2"|"x"\r"a \'q\' b"|"z"\r')


class SelectWithAwsCliTest(AwsCliSelectCases, AwsCliTestCase):
    """The AWS CLI without any S3: the objects are read from the admin API."""

    def objects(self, job_id, path):
        listing, objects = kept_objects(self.endpoint, job_id)
        self.assertEqual(listing["delivery"], "kept")
        return objects

    def test_a_bad_query_is_refused(self):
        vault, archive = self.upload(b"a\n")
        job = json.dumps({"Type": "select", "ArchiveId": archive,
                          "SelectParameters": select_parameters("SELECT * FROM archive GROUP BY x"),
                          "OutputLocation": {"S3": {"BucketName": "b-1", "Prefix": "p"}}})
        stderr = self.aws("initiate-job", "--account-id", "-", "--vault-name", vault,
                          "--job-parameters", job, expect_ok=False)
        self.assertIn("InvalidParameterValueException", stderr)
        self.assertIn("GROUP BY is not supported", stderr)


def sigv4_signature(method, path, headers, secret, region, service):
    """The SigV4 signature S3 expects for a request whose payload hash is in
    x-amz-content-sha256 (written from the AWS documentation, not from glacier-mock)."""
    auth = headers["authorization"]
    fields = dict(part.strip().split("=", 1) for part in auth.split(" ", 1)[1].split(","))
    signed = fields["SignedHeaders"].split(";")
    canonical = "\n".join([
        method, path, "",
        "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed),
        ";".join(signed), headers["x-amz-content-sha256"]])
    date = headers["x-amz-date"]
    scope = f"{date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return fields["Signature"], hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), \
        fields["Credential"]


class StandInS3(http.server.ThreadingHTTPServer):
    """A loopback S3 that takes PutObject only: it checks each request's signature and
    payload hash, stores the object, and can be told to answer 503 a number of times."""

    secret = "standin-secret"

    def __init__(self):
        super().__init__(("127.0.0.1", 0), StandInS3Handler)
        self.objects = {}
        self.requests = []
        self.fail_next = 0
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


class StandInS3Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        got, expected, credential = sigv4_signature("PUT", self.path, headers,
                                                    StandInS3.secret, "us-east-1", "s3")
        with self.server.lock:
            self.server.requests.append({"path": self.path, "headers": headers,
                                         "signature_ok": got == expected,
                                         "credential": credential,
                                         "hash_ok": headers.get("x-amz-content-sha256") ==
                                         hashlib.sha256(body).hexdigest()})
            failing = self.server.fail_next > 0
            if failing:
                self.server.fail_next -= 1
            else:
                self.server.objects[urllib.parse.unquote(self.path)] = body
        if failing:
            answer = b"<Error><Code>SlowDown</Code><Message>Please reduce</Message></Error>"
            self.send_response(503)
        else:
            answer = b""
            self.send_response(200)
            self.send_header("ETag", '"' + hashlib.md5(body).hexdigest() + '"')
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class StandInS3DeliveryTest(unittest.TestCase):
    """Runs everywhere: the PutObject calls glacier-mock makes, as an S3 endpoint sees them."""

    def test_objects_are_signed_put_in_order_and_retried(self):
        s3 = StandInS3()
        s3.fail_next = 1  # the first PutObject answers 503: it must be retried
        try:
            with Server("--s3-endpoint", s3.endpoint, "--s3-access-key-id", "AKIDSELECT",
                        "--s3-secret-access-key", StandInS3.secret, "--s3-retry-backoff-ms", "20",
                        delays_ms={"Expedited": 50, "Standard": 100, "Bulk": 150}) as server:
                glacier = glacier_client(server.endpoint)
                glacier.create_vault(vaultName="standin")
                archive = glacier.upload_archive(vaultName="standin", body=PEOPLE)["archiveId"]
                job_id = start_select(
                    glacier, "standin", archive, "SELECT s.Id FROM archive s",
                    {"FileHeaderInfo": "USE"}, bucket="out-bucket", prefix="deep/prefix/",
                    Description="stand-in")["jobId"]
                d = wait_for_job(glacier, "standin", job_id)
                self.assertEqual(d["StatusCode"], "Succeeded", d)
                listing = admin(server.endpoint, "GET", f"/_mock/jobs/{job_id}/select-output")
        finally:
            s3.stop()
        path = f"/out-bucket/deep/prefix/{job_id}/"
        self.assertEqual([r["path"] for r in s3.requests],
                         [path + "job.txt", path + "job.txt", path + "results/part-00000.csv",
                          path + "result_manifest.txt"])
        for r in s3.requests:
            self.assertTrue(r["signature_ok"], r)
            self.assertTrue(r["hash_ok"], r)
            self.assertTrue(r["credential"].startswith("AKIDSELECT/"), r)
            self.assertTrue(r["credential"].endswith("/us-east-1/s3/aws4_request"), r)
        self.assertEqual(s3.objects[path + "results/part-00000.csv"], b"1\n2\n3\n")
        self.assertEqual(s3.objects[path + "result_manifest.txt"].decode(),
                         f"s3:/{path}results/part-00000.csv\n")
        self.assertEqual((listing["delivery"], listing["attempts"]), ("delivered", 4))

    def test_an_output_that_cannot_be_written_fails_the_job_with_the_reason(self):
        s3 = StandInS3()
        s3.fail_next = 100
        try:
            with Server("--s3-endpoint", s3.endpoint, "--s3-secret-access-key", StandInS3.secret,
                        "--s3-max-attempts", "2", "--s3-retry-backoff-ms", "10",
                        delays_ms={"Expedited": 50, "Standard": 100, "Bulk": 150}) as server:
                glacier = glacier_client(server.endpoint)
                glacier.create_vault(vaultName="broken")
                archive = glacier.upload_archive(vaultName="broken", body=PEOPLE)["archiveId"]
                job_id = start_select(glacier, "broken", archive, "SELECT * FROM archive",
                                      bucket="gone")["jobId"]
                d = wait_for_job(glacier, "broken", job_id)
                state = admin(server.endpoint, "GET", "/_mock/state?vault=broken")
        finally:
            s3.stop()
        self.assertEqual(d["StatusCode"], "Failed")
        self.assertIn("could not be written to S3", d["StatusMessage"])
        self.assertIn("HTTP 503 SlowDown", d["StatusMessage"])
        output = state["accounts"][0]["vaults"][0]["select_outputs"][0]
        self.assertEqual((output["job_id"], output["delivery"], output["attempts"]),
                         (job_id, "failed", 2))
        self.assertIn("s3://gone/selects/", output["delivery_error"])
        self.assertEqual(len(s3.requests), 2)


class Moto:
    """moto's server (S3, SNS and SQS) on a free loopback port."""

    def __init__(self):
        from test_notifications import Moto as MotoServer
        self._server = MotoServer()
        self.endpoint = self._server.endpoint

    def client(self, service):
        return self._server.client(service)

    def objects(self, bucket, prefix):
        """Every object under `prefix` in `bucket`: {key: bytes}."""
        s3 = self.client("s3")
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
        return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
                for o in listed.get("Contents", [])}

    def stop(self):
        self._server.stop()


def moto_server_args(moto):
    """glacier-mock writing select output to moto's S3 (small parts, so results split)."""
    return ("--s3-endpoint", moto.endpoint, "--s3-retry-backoff-ms", "20",
            "--select-part-bytes", "64")


@unittest.skipIf(MOTO_MISSING, MOTO_MISSING)
class SelectIntoMotoS3Test(Boto3SelectCases, ServerTestCase):
    """boto3's select jobs with their output in moto's S3, notifying moto's SNS."""

    server_delays_ms = {"Expedited": 50, "Standard": 100, "Bulk": 150}
    bucket = "select-results"

    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        try:
            cls.s3 = cls.moto.client("s3")
            cls.s3.create_bucket(Bucket=cls.bucket)
            sns = cls.moto.client("sns")
            cls.sqs = cls.moto.client("sqs")
            cls.topic = sns.create_topic(Name="select-events")["TopicArn"]
            cls.queue = cls.sqs.create_queue(QueueName="select-events-queue")["QueueUrl"]
            queue_arn = cls.sqs.get_queue_attributes(
                QueueUrl=cls.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=cls.topic, Protocol="sqs", Endpoint=queue_arn,
                          Attributes={"RawMessageDelivery": "true"})
            cls.server_args = (*moto_server_args(cls.moto), "--sns-endpoint", cls.moto.endpoint)
            super().setUpClass()
        except BaseException:
            cls.moto.stop()
            raise
        cls.glacier = glacier_client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.moto.stop()

    def objects(self, job_id, path):
        listing = admin(self.server.endpoint, "GET", f"/_mock/jobs/{job_id}/select-output")
        self.assertEqual((listing["delivery"], listing["delivery_error"]), ("delivered", None))
        return self.moto.objects(self.bucket, path)

    def test_results_are_split_into_parts_and_the_topic_hears(self):
        self.glacier.create_vault(vaultName="moto-select")
        rows = b"".join(b"%d,item-%d,%d\n" % (i, i, i * 25) for i in range(40))
        archive = self.glacier.upload_archive(vaultName="moto-select", body=rows)["archiveId"]
        job_id = start_select(
            self.glacier, "moto-select", archive,
            "SELECT s._1, s._2 FROM archive s WHERE CAST(s._3 AS INT) > 500",
            bucket=self.bucket, prefix="moto", SNSTopic=self.topic)["jobId"]
        d = wait_for_job(self.glacier, "moto-select", job_id)
        self.assertEqual(d["StatusCode"], "Succeeded", d)
        path = f"moto/{job_id}/"
        objects = self.objects(job_id, path)
        manifest = objects[path + "result_manifest.txt"].decode().splitlines()
        self.assertGreater(len(manifest), 1, "a 64-byte part size splits the result")
        self.assertTrue(all(line.startswith(f"s3://{self.bucket}/{path}results/")
                            for line in manifest), manifest)
        expected = b"".join(b"%d,item-%d\n" % (i, i) for i in range(40) if i * 25 > 500)
        self.assertEqual(result_text(objects, path), expected)

        deadline = time.monotonic() + DELIVERY_TIMEOUT_S
        messages = []
        while time.monotonic() < deadline and not messages:
            for m in self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10,
                                              WaitTimeSeconds=1).get("Messages", []):
                messages.append(json.loads(m["Body"]))
        self.assertEqual([(m["JobId"], m["Action"], m["StatusCode"], m["JobOutputPath"])
                          for m in messages], [(job_id, "Select", "Succeeded", path)])

    def test_a_missing_bucket_fails_the_job_with_the_reason_in_state(self):
        self.glacier.create_vault(vaultName="moto-missing")
        archive = self.glacier.upload_archive(vaultName="moto-missing", body=PEOPLE)["archiveId"]
        job_id = start_select(self.glacier, "moto-missing", archive, "SELECT * FROM archive",
                              bucket="no-such-bucket")["jobId"]
        d = wait_for_job(self.glacier, "moto-missing", job_id)
        self.assertEqual(d["StatusCode"], "Failed")
        self.assertIn("NoSuchBucket", d["StatusMessage"])
        state = admin(self.server.endpoint, "GET", "/_mock/state?vault=moto-missing")
        output = state["accounts"][0]["vaults"][0]["select_outputs"][0]
        self.assertEqual(output["delivery"], "failed")
        self.assertEqual(output["attempts"], 1, "a NoSuchBucket answer is not retried")
        self.assertIn("NoSuchBucket", output["delivery_error"])


@unittest.skipIf(MOTO_MISSING, MOTO_MISSING)
class SelectWithAwsCliIntoMotoS3Test(AwsCliSelectCases, AwsCliTestCase):
    """The AWS CLI's select jobs with their output in moto's S3."""

    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        try:
            cls.moto.client("s3").create_bucket(Bucket=cls.bucket)
            cls.server_args = moto_server_args(cls.moto)
            super().setUpClass()
        except BaseException:
            cls.moto.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.moto.stop()

    def objects(self, job_id, path):
        return self.moto.objects(self.bucket, path)


if __name__ == "__main__":
    unittest.main()
