"""boto3 for tests written in another language: one Glacier client, driven over stdin.

Run as `python3 boto3_bridge.py ENDPOINT`. Each line in is a JSON object
{"operation": "upload_archive", "params": {...}} (a "body" given as text is uploaded
as its UTF-8 bytes); each line out answers it, in order, with
{"result": ...} (the response without ResponseMetadata; a streaming body read as text) or
{"error": {"code": ..., "message": ..., "status": ...}}. Retries are off, so an injected
error reaches the caller exactly as the server sent it. Exits at end of input.
"""

import json
import sys

from harness import fail_missing

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from botocore.response import StreamingBody
except ImportError:
    fail_missing("boto3")


def plain(value):
    """The response as JSON can carry it."""
    if isinstance(value, StreamingBody):
        return value.read().decode("utf-8", "replace")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return value


def main():
    glacier = boto3.client(
        "glacier", endpoint_url=sys.argv[1], region_name="us-east-1",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=30))
    for line in sys.stdin:
        request = json.loads(line)
        params = request.get("params", {})
        # JSON has no bytes: an upload's body is sent as text and uploaded as its UTF-8.
        if isinstance(params.get("body"), str):
            params["body"] = params["body"].encode()
        try:
            answer = {"result": plain(getattr(glacier, request["operation"])(**params))}
        except ClientError as e:
            answer = {"error": {"code": e.response["Error"]["Code"],
                                "message": e.response["Error"]["Message"],
                                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
