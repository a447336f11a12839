"""Raw-socket abuse of the real glacier-mock binary; it must stay up and keep answering.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_robustness
(from tests/e2e; ctest does this). Standard library only.
"""

import json
import random
import socket
import time
import unittest

from harness import Server, ServerTestCase

MAX_HEADER_BYTES = 1024
MAX_BODY_BYTES = 64 * 1024
READ_TIMEOUT_MS = 300
IDLE_TIMEOUT_MS = 500
# Longest any single socket wait may take; the server's own timeouts are far shorter.
SOCKET_WAIT_S = 5.0


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.headers} {self.body[:200]!r}>"


def parse_response(data):
    """Splits the first response off `data`: (Response or None, rest)."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return None, data
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise AssertionError(f"not an HTTP response: {data[:200]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if len(rest) < length:
        return None, data
    return Response(int(parts[1]), headers, rest[:length]), rest[length:]


class Connection:
    """A raw TCP connection whose every read is bounded by SOCKET_WAIT_S overall."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_WAIT_S)
        self.buffer = b""
        self.closed = False

    def send(self, data):
        """Sends what the server will take; False once it has closed or reset."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def _recv(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or self.closed:
            return False
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def response(self, wait_s=SOCKET_WAIT_S):
        """The next complete response, or None if the server closed (or went quiet) first."""
        deadline = time.monotonic() + wait_s
        while True:
            if self.buffer:
                parsed, rest = parse_response(self.buffer)
                if parsed is not None:
                    self.buffer = rest
                    return parsed
            if not self._recv(deadline):
                return None

    def wait_closed(self, wait_s=SOCKET_WAIT_S):
        """Reads until the server closes; True if it did within wait_s."""
        deadline = time.monotonic() + wait_s
        while self._recv(deadline):
            pass
        return self.closed

    def close(self):
        self.sock.close()


def request_bytes(method, path, headers=None, body=b"", version_header=True):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if version_header:
        lines.append("x-amz-glacier-version: 2012-06-01")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body and "Content-Length" not in (headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class RobustnessTest(ServerTestCase):
    server_args = ("--max-header-bytes", str(MAX_HEADER_BYTES),
                   "--max-body-bytes", str(MAX_BODY_BYTES),
                   "--read-timeout-ms", str(READ_TIMEOUT_MS),
                   "--idle-timeout-ms", str(IDLE_TIMEOUT_MS))

    def connect(self):
        connection = Connection(self.server.port)
        self.addCleanup(connection.close)
        return connection

    def request(self, method, path, **kwargs):
        connection = self.connect()
        connection.send(request_bytes(method, path, {"Connection": "close"}, **kwargs))
        response = connection.response()
        self.assertIsNotNone(response, f"no response to {method} {path}")
        return response

    def assert_json_error(self, response, status):
        self.assertEqual(response.status, status, response)
        self.assertTrue(response.headers.get("content-type", "").startswith("application/json"),
                        response)
        error = response.json()
        self.assertIsInstance(error.get("code"), str, response)
        self.assertIsInstance(error.get("message"), str, response)
        return error

    def assert_still_serving(self):
        self.assert_server_alive()
        response = self.request("GET", "/-/vaults")
        self.assertEqual(response.status, 200, response)
        self.assertIn("VaultList", response.json())

    def assert_rejected(self, payload, what, statuses=range(400, 500)):
        """The server answers with an error status or just closes; it never hangs or dies."""
        connection = self.connect()
        connection.send(payload)
        response = connection.response()
        if response is not None:
            self.assertIn(response.status, statuses, f"{what}: {response}")
            self.assert_json_error(response, response.status)
        self.assertTrue(connection.wait_closed(), f"{what}: connection left open")
        self.assert_still_serving()
        return response

    def test_malformed_request_line(self):
        for payload in (b"THIS IS NOT HTTP\r\n\r\n", b"GET\r\n\r\n",
                        b"GET /-/vaults HTTP/1.1 extra\r\nHost: x\r\n\r\n"):
            with self.subTest(payload=payload):
                self.assert_rejected(payload, repr(payload))

    def test_garbage_bytes(self):
        garbage = random.Random(1).randbytes(4096)
        self.assert_rejected(garbage, "random bytes")
        self.assert_rejected(b"\x00" * 512 + b"\r\n\r\n", "NUL bytes")

    def test_bad_content_length(self):
        for value in ("abc", "-5", "99999999999999999999999999", "5, 6"):
            with self.subTest(content_length=value):
                payload = request_bytes("POST", "/-/vaults/v/archives",
                                        {"Content-Length": value}) + b"hello"
                self.assert_rejected(payload, f"Content-Length: {value}")
        payload = (b"POST /-/vaults/v/archives HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
        self.assert_rejected(payload, "two different Content-Length headers")

    def test_header_block_over_limit(self):
        payload = request_bytes("GET", "/-/vaults", {"X-Padding": "a" * (4 * MAX_HEADER_BYTES)})
        self.assert_rejected(payload, "oversized header block")
        many = {f"X-H{i}": "v" * 30 for i in range(100)}
        self.assert_rejected(request_bytes("GET", "/-/vaults", many), "too many headers")

    def check_too_large(self, response, connection, what):
        if response is not None:
            error = self.assert_json_error(response, 413)
            self.assertTrue(error["code"], f"{what}: {response}")
        self.assertTrue(connection.wait_closed(), f"{what}: connection left open after 413")
        self.assert_still_serving()

    def test_body_over_limit_with_content_length(self):
        self.glacier_vault("big")
        connection = self.connect()
        size = 4 * MAX_BODY_BYTES
        connection.send(request_bytes("POST", "/-/vaults/big/archives",
                                      {"Content-Length": str(size)}))
        response = connection.response()
        # The 413 may come before the body is sent; a server that waits gets the body too.
        if response is None and not connection.closed:
            connection.send(b"z" * size)
            response = connection.response()
        self.check_too_large(response, connection, "Content-Length over --max-body-bytes")

    def test_body_over_limit_chunked(self):
        self.glacier_vault("big")
        connection = self.connect()
        connection.send(request_bytes("POST", "/-/vaults/big/archives",
                                      {"Transfer-Encoding": "chunked"}))
        chunk = b"z" * (MAX_BODY_BYTES // 2)
        for _ in range(4):
            if not connection.send(b"%x\r\n" % len(chunk) + chunk + b"\r\n"):
                break
        connection.send(b"0\r\n\r\n")
        self.check_too_large(connection.response(), connection, "chunked body over the limit")

    def glacier_vault(self, name):
        response = self.request("PUT", f"/-/vaults/{name}")
        self.assertEqual(response.status, 201, response)

    def test_stalled_request_is_dropped_after_read_timeout(self):
        connection = self.connect()
        started = time.monotonic()
        connection.send(b"GET /-/vaults HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        # A stalled client must not hold up anybody else meanwhile.
        self.assert_still_serving()
        response = connection.response()
        if response is not None:
            self.assertIn(response.status, (400, 408), response)
        self.assertTrue(connection.wait_closed(), "stalled connection was never dropped")
        took = time.monotonic() - started
        self.assertGreaterEqual(took, READ_TIMEOUT_MS / 1000 * 0.8, "dropped too early")
        self.assertLess(took, READ_TIMEOUT_MS / 1000 + 2.0, "dropped too late")
        self.assert_still_serving()

    def test_stalled_body_is_dropped(self):
        connection = self.connect()
        started = time.monotonic()
        connection.send(request_bytes("PUT", "/-/vaults/stalled", {"Content-Length": "100"})
                        + b"only part")
        connection.response()
        self.assertTrue(connection.wait_closed(), "stalled body was never dropped")
        self.assertLess(time.monotonic() - started, READ_TIMEOUT_MS / 1000 + 2.0)
        self.assert_still_serving()

    def test_silent_connection_is_dropped(self):
        connection = self.connect()
        self.assertTrue(connection.wait_closed(), "a connection that never sends is kept")
        self.assert_still_serving()

    def test_unknown_path_is_json_404(self):
        for path in ("/-/no-such-thing", "/not/a/glacier/path", "/-/vaults/v/bogus/deeper",
                     "/"):
            with self.subTest(path=path):
                self.assert_json_error(self.request("GET", path), 404)

    def test_wrong_method_is_json_405(self):
        for method, path in (("DELETE", "/-/vaults"), ("PATCH", "/-/vaults/v"),
                             ("POST", "/-/vaults/v")):
            with self.subTest(method=method, path=path):
                self.assert_json_error(self.request(method, path), 405)

    def test_keep_alive_pipelining(self):
        connection = self.connect()
        connection.send(request_bytes("GET", "/-/vaults") * 2)
        for _ in range(2):
            response = connection.response()
            self.assertIsNotNone(response)
            self.assertEqual(response.status, 200, response)
        connection.send(request_bytes("GET", "/-/vaults", {"Connection": "close"}))
        self.assertEqual(connection.response().status, 200)
        self.assertTrue(connection.wait_closed(), "Connection: close not honoured")

    def test_missing_version_header(self):
        response = self.request("GET", "/-/vaults", version_header=False)
        error = self.assert_json_error(response, 400)
        self.assertEqual(error["code"], "MissingParameterValueException")

    def test_zz_list_vaults_after_all_that(self):
        self.assert_still_serving()


class ShutdownTest(unittest.TestCase):
    def test_sigterm_with_open_connections_exits_zero(self):
        # A stalled request may be waited for until the shutdown deadline, no longer.
        server = Server("--read-timeout-ms", "30000", "--idle-timeout-ms", "30000",
                        "--shutdown-deadline-ms", "1000")
        server.start()
        try:
            stalled = Connection(server.port)
            stalled.send(b"GET /-/vaults HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle = Connection(server.port)
            idle.send(request_bytes("GET", "/-/vaults"))
            self.assertEqual(idle.response().status, 200)
        finally:
            started = time.monotonic()
            code = server.stop()
        self.assertEqual(code, 0, server.output())
        self.assertLess(time.monotonic() - started, 5.0)
        stalled.close()
        idle.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
