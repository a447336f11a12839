#!/usr/bin/env python3
"""Regenerates fuzz/corpus/request/ from what real clients send.

Starts glacier-mock (--port 0), puts a recording TCP proxy in front of it, drives it with
boto3 and the AWS CLI through the Glacier operations, and writes every request the clients
sent, byte for byte, as one seed file. Ids the server handed out are then replaced by the
harness's placeholders ({archive}, {job}, {pending}, {upload}) and checksums of a body by
{tree} / {sha}, so a seed reaches a live resource in the fuzzer's world and keeps passing
checksum checks while its body mutates (see fuzz/README.md). Content-Length is fixed up.

usage: fuzz/capture_corpus.py [path/to/glacier-mock]   (default build/dev/glacier-mock)
"""

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "fuzz", "corpus", "request")
JSON_OUT = os.path.join(REPO, "fuzz", "corpus", "json")
VAULT = "examplevault"
MIB = 1024 * 1024


def tree_hash(data):
    chunks = [hashlib.sha256(data[i:i + MIB]).digest() for i in range(0, len(data), MIB)]
    chunks = chunks or [hashlib.sha256(b"").digest()]
    while len(chunks) > 1:
        pairs = [chunks[i:i + 2] for i in range(0, len(chunks), 2)]
        chunks = [hashlib.sha256(b"".join(p)).digest() if len(p) == 2 else p[0] for p in pairs]
    return chunks[0].hex()


class recorder:
    """Splits the client-to-server byte stream of each connection into requests."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()

    def feed(self, buffer):
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return buffer
            head = buffer[:end + 4]
            match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            length = int(match.group(1)) if match else 0
            if len(buffer) < end + 4 + length:
                return buffer
            with self.lock:
                self.requests.append(buffer[:end + 4 + length])
            buffer = buffer[end + 4 + length:]


def pump(src, dst, rec=None):
    buffer = b""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
            if rec:
                buffer = rec.feed(buffer + data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def proxy(listener, upstream_port, rec):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        server = socket.create_connection(("127.0.0.1", upstream_port))
        threading.Thread(target=pump, args=(client, server, rec), daemon=True).start()
        threading.Thread(target=pump, args=(server, client), daemon=True).start()


def admin(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")


def drive_boto3(endpoint, server_port):
    import boto3
    from botocore.config import Config

    g = boto3.client("glacier", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                     config=Config(retries={"max_attempts": 1}))
    g.create_vault(vaultName=VAULT)
    g.describe_vault(vaultName=VAULT)
    g.list_vaults(limit="10")
    data = bytes((i * 7 + 3) % 251 for i in range(3000))
    archive = g.upload_archive(vaultName=VAULT, body=data, archiveDescription="seed archive")
    archive_id = archive["archiveId"]
    job = g.initiate_job(vaultName=VAULT, jobParameters={
        "Type": "archive-retrieval", "ArchiveId": archive_id, "Tier": "Expedited",
        "Description": "seed retrieval", "RetrievalByteRange": "0-2999"})
    g.initiate_job(vaultName=VAULT, jobParameters={
        "Type": "inventory-retrieval", "Format": "JSON",
        "InventoryRetrievalParameters": {"StartDate": "2020-01-01T00:00:00Z",
                                         "EndDate": "2030-01-01T00:00:00Z", "Limit": "10"}})
    g.initiate_job(vaultName=VAULT, jobParameters={
        "Type": "inventory-retrieval", "Format": "CSV",
        "SNSTopic": "arn:aws:sns:us-east-1:123456789012:topic"})
    g.describe_job(vaultName=VAULT, jobId=job["jobId"])
    g.list_jobs(vaultName=VAULT)
    g.list_jobs(vaultName=VAULT, completed="false", statuscode="InProgress", limit="1")
    admin(server_port, "POST", "/_mock/clock/advance", {"seconds": 3600})
    g.get_job_output(vaultName=VAULT, jobId=job["jobId"], range="bytes=0-999")
    g.get_job_output(vaultName=VAULT, jobId=job["jobId"])
    upload = g.initiate_multipart_upload(vaultName=VAULT, partSize=str(MIB),
                                         archiveDescription="seed multipart")
    part = b"q" * 2048
    g.upload_multipart_part(vaultName=VAULT, uploadId=upload["uploadId"],
                            range="bytes 0-2047/*", body=part)
    g.list_parts(vaultName=VAULT, uploadId=upload["uploadId"])
    g.list_multipart_uploads(vaultName=VAULT)
    g.complete_multipart_upload(vaultName=VAULT, uploadId=upload["uploadId"],
                                archiveSize="2048", checksum=tree_hash(part))
    second = g.initiate_multipart_upload(vaultName=VAULT, partSize=str(MIB))
    g.abort_multipart_upload(vaultName=VAULT, uploadId=second["uploadId"])
    g.add_tags_to_vault(vaultName=VAULT, Tags={"team": "storage", "env": "seed"})
    g.list_tags_for_vault(vaultName=VAULT)
    g.remove_tags_from_vault(vaultName=VAULT, TagKeys=["env"])
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "deny-delete", "Effect": "Deny", "Principal": "*",
        "Action": "glacier:DeleteArchive",
        "Resource": f"arn:aws:glacier:us-east-1:123456789012:vaults/{VAULT}",
        "Condition": {"NumericLessThanEquals": {"glacier:ArchiveAgeinDays": "365"}}}]})
    g.set_vault_access_policy(vaultName=VAULT, policy={"Policy": policy})
    g.get_vault_access_policy(vaultName=VAULT)
    g.delete_vault_access_policy(vaultName=VAULT)
    g.set_vault_notifications(vaultName=VAULT, vaultNotificationConfig={
        "SNSTopic": "arn:aws:sns:us-east-1:123456789012:topic",
        "Events": ["ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"]})
    g.get_vault_notifications(vaultName=VAULT)
    g.delete_vault_notifications(vaultName=VAULT)
    lock = g.initiate_vault_lock(vaultName=VAULT, policy={"Policy": policy})
    g.get_vault_lock(vaultName=VAULT)
    g.abort_vault_lock(vaultName=VAULT)
    lock = g.initiate_vault_lock(vaultName=VAULT, policy={"Policy": policy})
    g.complete_vault_lock(vaultName=VAULT, lockId=lock["lockId"])
    g.set_data_retrieval_policy(Policy={"Rules": [{"Strategy": "BytesPerHour",
                                                   "BytesPerHour": 10737418240}]})
    g.get_data_retrieval_policy()
    g.purchase_provisioned_capacity()
    g.list_provisioned_capacity()
    g.create_vault(vaultName="scratch")
    g.delete_vault(vaultName="scratch")
    try:
        g.delete_archive(vaultName=VAULT, archiveId=archive_id)
    except g.exceptions.ClientError:
        pass  # the vault lock forbids it: an error response is a fine seed too


def drive_awscli(endpoint):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
               AWS_DEFAULT_REGION="eu-west-1", AWS_MAX_ATTEMPTS="1")

    def aws(*args):
        subprocess.run(["aws", "--endpoint-url", endpoint, "glacier", *args, "--account-id", "-"],
                       env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    aws("create-vault", "--vault-name", "cli-vault")
    aws("list-vaults")
    aws("initiate-job", "--vault-name", "cli-vault", "--job-parameters",
        '{"Type": "inventory-retrieval", "Tier": "Bulk"}')
    aws("list-jobs", "--vault-name", "cli-vault", "--completed", "true")
    aws("describe-vault", "--vault-name", "cli-vault")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build/dev/glacier-mock")
    server = subprocess.Popen([binary, "--port", "0", "--log-level", "info"],
                              stdout=subprocess.PIPE, text=True)
    try:
        server_port = None
        while server_port is None:
            line = server.stdout.readline()
            if not line:
                sys.exit("glacier-mock exited before listening")
            match = re.search(r"listening on http://[^:]+:(\d+)", line)
            server_port = int(match.group(1)) if match else None
        # The access log must keep flowing, or the server blocks on a full pipe.
        threading.Thread(target=server.stdout.read, daemon=True).start()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        rec = recorder()
        threading.Thread(target=proxy, args=(listener, server_port, rec), daemon=True).start()
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
        drive_boto3(endpoint, server_port)
        drive_awscli(endpoint)
        state = admin(server_port, "GET", "/_mock/state")
    finally:
        server.terminate()
        server.wait()
    write_seeds(rec.requests, state)


def write_seeds(requests, state):
    ids = {}
    for account in state["accounts"]:
        for vault in account["vaults"]:
            for a in vault["archives"]:
                ids[a["archive_id"]] = "{archive}"
            for j in vault["jobs"]:
                ids[j["JobId"]] = "{job}" if j["Completed"] else "{pending}"
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(JSON_OUT, exist_ok=True)
    for n, raw in enumerate(requests):
        head, _, body = raw.partition(b"\r\n\r\n")
        text = head.decode("latin-1")
        for real, placeholder in ids.items():
            text = text.replace(real, placeholder)
            body = body.replace(real.encode(), placeholder.encode())
        # Upload ids are gone from the state once completed or aborted; match their shape.
        text = re.sub(r"multipart-uploads/[A-Za-z0-9_-]{92}", "multipart-uploads/{upload}", text)
        text = re.sub(r"archives/[A-Za-z0-9_-]{138}", "archives/{archive}", text)
        body = re.sub(rb'("ArchiveId":\s*")[A-Za-z0-9_-]{138}"', rb'\g<1>{archive}"', body)
        if body:
            text = re.sub(r"(?im)^(x-amz-sha256-tree-hash:\s*)[0-9a-f]{64}", r"\g<1>{tree}", text)
            text = re.sub(r"(?im)^(x-amz-content-sha256:\s*)[0-9a-f]{64}", r"\g<1>{sha}", text)
        text = re.sub(r"(?im)^content-length:.*$", f"Content-Length: {len(body)}", text)
        line = text.split("\r\n", 1)[0]
        name = re.sub(r"[^A-Za-z0-9]+", "_", line.split(" HTTP/")[0])[:60].strip("_")
        raw = text.encode("latin-1") + b"\r\n\r\n" + body
        with open(os.path.join(OUT, f"{n:03d}_{name}"), "wb") as f:
            f.write(raw)
        json_seed(line, body)
    # Several requests in one input: the fuzzer then mutates sequences, not just requests.
    for n in range(0, len(requests), 8):
        with open(os.path.join(OUT, f"flow_{n // 8:02d}"), "wb") as f:
            f.write(b"".join(read_seed(i) for i in range(n, min(n + 8, len(requests)))))
    for name, raw in EXTRA_REQUESTS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(raw)
    for name, raw in EXTRA_JSON.items():
        with open(os.path.join(JSON_OUT, name), "wb") as f:
            f.write(raw)
    print(f"wrote {len(requests)} captured seeds to {OUT}, JSON bodies to {JSON_OUT}")


def read_seed(n):
    (path,) = [p for p in os.listdir(OUT) if p.startswith(f"{n:03d}_")]
    with open(os.path.join(OUT, path), "rb") as f:
        return f.read()


# The JSON harness's first byte picks the operation (fuzz/json_body_fuzzer.cpp).
JSON_SELECTORS = [
    (r"^POST /-/vaults/[^/]+/jobs$", b"j"),
    (r"^PUT /-/vaults/[^/]+/notification-configuration$", b"n"),
    (r"^PUT /-/vaults/[^/]+/access-policy$", b"p"),
    (r"^POST /-/vaults/[^/]+/lock-policy$", b"l"),
    (r"^POST /-/vaults/[^/]+/tags\?operation=add$", b"t"),
    (r"^POST /-/vaults/[^/]+/tags\?operation=remove$", b"r"),
    (r"^PUT /-/policies/data-retrieval$", b"d"),
]


def json_seed(line, body):
    request = line.split(" HTTP/")[0]
    for pattern, selector in JSON_SELECTORS:
        if re.match(pattern, request):
            os.makedirs(JSON_OUT, exist_ok=True)
            digest = hashlib.sha1(body).hexdigest()[:12]
            with open(os.path.join(JSON_OUT, f"{selector.decode()}_{digest}"), "wb") as f:
                f.write(selector + body)


def raw_request(method, target, headers=(), body=b""):
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost",
             "x-amz-glacier-version: 2012-06-01", *headers, f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


V = f"/-/vaults/{VAULT}"
# Hand-written requests for what the clients above do not send: the admin API, the
# harness's x-fuzz-advance header, HTTP oddities the session tolerates.
EXTRA_REQUESTS = {
    "extra_admin_advance": raw_request("POST", "/_mock/clock/advance", body=b'{"seconds": 86400}'),
    "extra_admin_complete": raw_request("POST", "/_mock/jobs/{pending}/complete"),
    "extra_admin_fail": raw_request("POST", "/_mock/jobs/{pending}/fail", body=b'{"message":"x"}'),
    "extra_admin_state": raw_request("GET", "/_mock/state?vault=examplevault"),
    "extra_admin_fault": raw_request(
        "POST", "/_mock/faults",
        body=b'{"operation":"DescribeJob","error":"ThrottlingException","count":2,"latency_ms":5}')
    + raw_request("GET", V + "/jobs/{job}") + raw_request("DELETE", "/_mock/faults"),
    "extra_admin_misc": raw_request("GET", "/_mock/notifications") + raw_request("GET", "/_mock/metrics")
    + raw_request("GET", "/_mock/health") + raw_request("POST", "/_mock/reset"),
    "extra_pending_then_output": raw_request("GET", V + "/jobs/{pending}/output",
                                             ["x-fuzz-advance: 20000"])
    + raw_request("GET", V + "/jobs/{pending}/output", ["Range: bytes=0-99"]),
    "extra_complete_multipart": raw_request(
        "POST", V + "/multipart-uploads/{upload}",
        ["x-amz-archive-size: 2000", "x-amz-sha256-tree-hash: {part_tree}"]),
    "extra_upload_part_tail": raw_request(
        "PUT", V + "/multipart-uploads/{upload}",
        ["Content-Range: bytes 1048576-1048675/*", "x-amz-sha256-tree-hash: {tree}",
         "x-amz-content-sha256: {sha}"], b"t" * 100),
    "extra_ranged_retrieval": raw_request(
        "POST", V + "/jobs", ["Content-Type: application/json"],
        b'{"Type":"archive-retrieval","ArchiveId":"{archive}","RetrievalByteRange":"0-1048575"}'),
    "extra_select_account": raw_request(
        "GET", "/111122223333/vaults",
        ["Authorization: AWS4-HMAC-SHA256 Credential=999988887777/20240101/eu-west-1/glacier/"
         "aws4_request, SignedHeaders=host, Signature=00"]),
    "extra_chunked": b"PUT /-/vaults/chunky HTTP/1.1\r\nHost: h\r\nx-amz-glacier-version: 2012-06-01"
    b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "extra_http10": b"GET /-/vaults HTTP/1.0\r\nx-amz-glacier-version: 2012-06-01\r\n\r\n",
    "extra_percent_path": raw_request("GET", "/-/vaults/example%76ault/jobs/%7Bjob%7D?limit=1&marker=x"),
    "extra_admin_reads": raw_request("GET", "/_mock/clock") + raw_request("GET", "/_mock/faults"),
    # {big_archive} / {big_job}: 2 MiB + 1000 bytes, so tree-hash alignment is in play.
    "extra_big_output_aligned": raw_request("GET", V + "/jobs/{big_job}/output",
                                            ["Range: bytes=1048576-2097151"]),
    "extra_big_output_tail": raw_request("GET", V + "/jobs/{big_job}/output",
                                         ["Range: bytes=2097152-2098151"]),
    "extra_big_output_unaligned": raw_request("GET", V + "/jobs/{big_job}/output",
                                              ["Range: bytes=100-1048675"]),
    "extra_big_ranged_retrieval": raw_request(
        "POST", V + "/jobs", ["Content-Type: application/json", "x-fuzz-advance: 3600"],
        b'{"Type":"archive-retrieval","ArchiveId":"{big_archive}",'
        b'"RetrievalByteRange":"1048576-2098151"}')
    + raw_request("GET", V + "/jobs?completed=true"),
    "extra_inventory_paging": raw_request(
        "POST", V + "/jobs", ["x-fuzz-advance: 20000"],
        b'{"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Limit":"1"}}')
    + raw_request("GET", V + "/jobs?statuscode=Succeeded&limit=1")
    + raw_request("GET", V + "/jobs/{big_job}"),
}

EXTRA_JSON = {
    "j_select": b'j{"Type":"select","ArchiveId":"{archive}","SelectParameters":{"Expression":'
    b'"select * from archive","ExpressionType":"SQL","InputSerialization":{"csv":{}},'
    b'"OutputSerialization":{"csv":{}}},"OutputLocation":{"S3":{"BucketName":"b","Prefix":"p"}}}',
    "j_inventory_paged": b'j{"Type":"inventory-retrieval","Format":"JSON","Tier":"Standard",'
    b'"InventoryRetrievalParameters":{"StartDate":"2023-12-31T00:00:00Z","EndDate":'
    b'"2024-01-02T00:00:00+01:00","Limit":"1","Marker":"abc"}}',
    "j_big_range": b'j{"Type":"archive-retrieval","ArchiveId":"{big_archive}",'
    b'"RetrievalByteRange":"1048576-2098151","Tier":"Standard"}',
    "j_big_unaligned": b'j{"Type":"archive-retrieval","ArchiveId":"{big_archive}",'
    b'"RetrievalByteRange":"0-1048576"}',
    "j_range": b'j{"Type":"archive-retrieval","ArchiveId":"{archive}","RetrievalByteRange":"0-2999",'
    b'"Tier":"Bulk","SNSTopic":"arn:aws:sns:us-east-1:123456789012:t","Description":"d"}',
    "c_advance": b'c{"seconds": 3600.5}',
    "f_fault": b'f{"operation":"GetJobOutput","error":"ServiceUnavailableException",'
    b'"message":"down","probability":0.5,"count":3,"latency_ms":10}',
    "x_fail": b'x{"message":"tape jammed"}',
    "d_free_tier": b'd{"Policy":{"Rules":[{"Strategy":"FreeTier"}]}}',
    "d_none": b'd{"Policy":{"Rules":[{"Strategy":"None"}]}}',
    "t_many": b't{"Tags":{"a":"1","b":"2","c":"","aws:reserved":"x"}}',
    "r_keys": b'r{"TagKeys":["a","team","missing"]}',
    "n_events": b'n{"SNSTopic":"arn:aws:sns:eu-west-1:123456789012:t",'
    b'"Events":["ArchiveRetrievalCompleted"]}',
}


if __name__ == "__main__":
    main()
