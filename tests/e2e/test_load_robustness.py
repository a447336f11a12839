"""Load and abuse of the real glacier-mock binary, beyond one bad request at a time.

test_robustness.py sends single malformed or stalled requests; this module checks what
only shows under volume or over time: more idle connections than the default descriptor
limit, a request header or body trickled a byte at a time, ten thousand malformed requests
over concurrent connections, memory after a burst of large archives, and SIGTERM while
uploads are in flight with --data-dir.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_load_robustness
(from tests/e2e; ctest does this). Standard library only, loopback only; every wait is
bounded, and the module takes well under a minute.
"""

import collections
import hashlib
import http.client
import json
import os
import random
import resource
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import test_robustness as raw
from harness import Server, tree_hash, wait_until

VERSION_HEADER = {"x-amz-glacier-version": "2012-06-01"}
# Longest any single socket operation may take; a hang shows up as this timeout.
SOCKET_WAIT_S = 5.0


def rss_bytes(pid):
    """Resident set size of a process, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS line for pid {pid}")


def open_descriptors(pid):
    """Descriptors a process holds: the only outside proof that it accepted a connection
    rather than leaving it queued in the kernel."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_seconds(pid):
    """User plus system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name may hold spaces; the fields after it are fixed.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mib(size):
    return f"{size / (1024 * 1024):.1f} MiB"


def is_glacier_error(status, body):
    """True for a 4xx whose body is Glacier's JSON error: code, message and type."""
    if not 400 <= status < 500:
        return False
    try:
        error = json.loads(body)
    except ValueError:
        return False
    return (isinstance(error, dict) and error.get("type") == "Client"
            and all(isinstance(error.get(key), str) and error[key]
                    for key in ("code", "message")))


class Client:
    """A keep-alive HTTP client for well-formed Glacier calls, each bounded in time."""

    def __init__(self, port, timeout_s=SOCKET_WAIT_S):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)

    def call(self, method, path, body=None, headers=None):
        """(status, http.client response, body bytes) of one request."""
        all_headers = dict(VERSION_HEADER)
        all_headers.update(headers or {})
        self.connection.request(method, path, body=body, headers=all_headers)
        response = self.connection.getresponse()
        return response.status, response, response.read()

    def expect(self, status, method, path, body=None, headers=None):
        """The response, asserting its status (AssertionError names the request)."""
        got, response, data = self.call(method, path, body, headers)
        if got != status:
            raise AssertionError(f"{method} {path}: expected {status}, got {got}: {data[:300]!r}")
        return response, data

    def upload(self, vault, data, hashes=None):
        """UploadArchive with correct checksum headers; returns the archive id."""
        linear, tree = hashes or (hashlib.sha256(data).hexdigest(), tree_hash(data))
        response, _ = self.expect(201, "POST", f"/-/vaults/{vault}/archives", data, {
            "x-amz-sha256-tree-hash": tree, "x-amz-content-sha256": linear})
        self.check_tree_hash(response, tree)
        return response.getheader("x-amz-archive-id")

    @staticmethod
    def check_tree_hash(response, tree):
        got = response.getheader("x-amz-sha256-tree-hash")
        if got != tree:
            raise AssertionError(f"server tree hash {got}, expected {tree}")

    def initiate_job(self, vault, parameters):
        response, _ = self.expect(202, "POST", f"/-/vaults/{vault}/jobs",
                                  json.dumps(parameters).encode())
        return response.getheader("x-amz-job-id")

    def wait_job(self, vault, job_id, timeout_s=10.0):
        """Polls DescribeJob until the job is complete; returns the description."""
        def completed():
            _, data = self.expect(200, "GET", f"/-/vaults/{vault}/jobs/{job_id}")
            job = json.loads(data)
            return job if job["Completed"] else None
        return wait_until(completed, timeout_s, 0.05, f"job {job_id} to complete")

    def close(self):
        self.connection.close()


def collecting(errors, function, *args):
    """Runs function(*args), keeping what it raises in `errors`: a failure in a worker
    thread must fail the test, which only the test's own thread can do."""
    try:
        function(*args)
    except BaseException as e:
        errors.append(e)


def run_threads(count, target):
    """Runs target(index) on `count` threads; re-raises the first failure of any."""
    errors = []
    threads = [threading.Thread(target=collecting, args=(errors, target, i), daemon=True)
               for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        if thread.is_alive():
            raise AssertionError("a worker thread is still running after 120 s")
    if errors:
        raise errors[0]


def raise_own_descriptor_limit(wanted):
    """Lets this process hold `wanted` sockets; returns the previous (soft, hard) limits."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if limit < wanted:
        raise AssertionError(f"the hard open-file limit {hard} is below the {wanted} this test "
                             "needs; raise it (ulimit -Hn) to run the test")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, limit), hard))
    return soft, hard


class IdleConnectionsTest(unittest.TestCase):
    """Idle connections beyond the usual 1024-descriptor soft limit do not lock anyone out.

    The server is started with that common default soft limit, as a shell or a service
    manager would give it, so the test shows the server copes with it by itself.
    """

    IDLE_CONNECTIONS = 1200
    DEFAULT_SOFT_LIMIT = 1024

    def setUp(self):
        soft, hard = raise_own_descriptor_limit(self.IDLE_CONNECTIONS + 200)
        self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        self.sockets = []
        self.addCleanup(self.close_sockets)

    def close_sockets(self):
        for sock in self.sockets:
            sock.close()
        self.sockets = []

    def start_server_with_default_limit(self, *args):
        # The child inherits this process's limits at fork; lower ours just for that moment.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.DEFAULT_SOFT_LIMIT, hard))
        try:
            server = Server(*args).start()
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        self.addCleanup(self.stop, server)
        return server

    def stop(self, server):
        self.close_sockets()
        self.assertEqual(server.stop(), 0, server.output())

    def open_idle(self, port, count):
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_WAIT_S)
            self.sockets.append(sock)

    def test_new_clients_are_served_while_1200_connections_sit_idle(self):
        # Timeouts far beyond the test, so the server keeps every idle connection open.
        server = self.start_server_with_default_limit(
            "--read-timeout-ms", "120000", "--idle-timeout-ms", "120000")
        pid = server.process.pid
        before = open_descriptors(pid)
        self.open_idle(server.port, self.IDLE_CONNECTIONS)
        # Connected is not accepted: the kernel queues connections the server never takes.
        try:
            wait_until(lambda: open_descriptors(pid) >= before + self.IDLE_CONNECTIONS, 15.0,
                       0.05, f"the server to accept {self.IDLE_CONNECTIONS} connections")
        except AssertionError as e:
            raise AssertionError(f"{e}; it holds {open_descriptors(pid)} descriptors") from None

        started = time.monotonic()
        client = Client(server.port)
        self.addCleanup(client.close)
        _, data = client.expect(200, "GET", "/-/vaults")
        self.assertIn("VaultList", json.loads(data))
        client.expect(201, "PUT", "/-/vaults/idle-crowd")
        job_id = client.initiate_job("idle-crowd", {"Type": "inventory-retrieval"})
        client.expect(200, "GET", f"/-/vaults/idle-crowd/jobs/{job_id}")
        took = time.monotonic() - started
        self.assertLess(took, 3.0, f"a fresh client took {took:.2f} s among idle connections")

        # The idle connections are real sessions, still open and able to make a request.
        for sock in self.sockets[::100]:
            sock.setblocking(False)
            with self.assertRaises(BlockingIOError, msg="an idle connection was dropped"):
                sock.recv(1)
            sock.setblocking(True)
        last = self.sockets[-1]
        last.sendall(raw.request_bytes("GET", "/-/vaults", {"Connection": "close"}))
        response, _ = raw.parse_response(self.read_until_closed(last))
        self.assertIsNotNone(response, "no answer on the last idle connection")
        self.assertEqual(response.status, 200, response)
        self.assertIsNone(server.process.poll(), server.output())

    @staticmethod
    def read_until_closed(sock):
        data = b""
        deadline = time.monotonic() + SOCKET_WAIT_S
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data

    def test_acceptor_survives_running_out_of_descriptors(self):
        """EMFILE on accept must neither spin nor stop the acceptor for good."""
        server = self.start_server_with_default_limit(
            "--read-timeout-ms", "120000", "--idle-timeout-ms", "120000")
        pid = server.process.pid
        _, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        # Far below what the server raised itself to at start-up; only the soft limit counts.
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (64, hard))
        self.open_idle(server.port, 100)
        wait_until(lambda: "Too many open files" in server.output(), 10.0, 0.05,
                   "the server to run out of descriptors")
        cpu_before = cpu_seconds(pid)
        time.sleep(1.0)
        spent = cpu_seconds(pid) - cpu_before
        # A retry every 100 ms costs milliseconds; a spinning acceptor burns a core.
        self.assertLess(spent, 0.25, f"the acceptor spun on EMFILE: {spent:.2f} s CPU in 1 s")

        waiting = raw.Connection(server.port)
        self.addCleanup(waiting.close)
        waiting.send(raw.request_bytes("GET", "/-/vaults", {"Connection": "close"}))
        # Closing frees descriptors, also for connections still queued in the backlog:
        # the server accepts those and sees them end at once.
        for sock in self.sockets[:90]:
            sock.close()
        del self.sockets[:90]
        started = time.monotonic()
        response = waiting.response(wait_s=SOCKET_WAIT_S)
        self.assertIsNotNone(response, "the acceptor never recovered after EMFILE:\n"
                             + server.output())
        self.assertEqual(response.status, 200, response)
        self.assertLess(time.monotonic() - started, 3.0)
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (hard, hard))


class SlowlorisTest(unittest.TestCase):
    """A request header or body trickled a byte a second is cut off by the read timeout.

    The timeout must bound the whole request, not the gap between bytes, or a client can
    hold a connection (and a descriptor) for ever at one byte a second. A body may outlast
    the read timeout only while it keeps --min-body-bytes-per-second (default 1024), which
    a byte a second never does.
    """

    READ_TIMEOUT_S = 1.5
    MARGIN_S = 2.5
    SLOW_CONNECTIONS = 20
    # A SIGTERM deadline far beyond the read timeout: only the read timeout can end a
    # trickling client in time.
    SHUTDOWN_DEADLINE_S = 20

    def start_server(self):
        server = Server("--read-timeout-ms", str(int(self.READ_TIMEOUT_S * 1000)),
                        "--idle-timeout-ms", "60000",
                        "--shutdown-deadline-ms", str(self.SHUTDOWN_DEADLINE_S * 1000)).start()
        self.addCleanup(lambda: self.assertEqual(server.stop(), 0, server.output()))
        return server

    def connect(self, server, count):
        socks = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=SOCKET_WAIT_S)
            self.addCleanup(sock.close)
            socks.append(sock)
        return socks

    def test_trickled_headers_are_cut_off_while_others_are_served(self):
        server = self.start_server()
        # Never complete: a header line that keeps growing, well under the header limit.
        trickle = (b"GET /-/vaults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"x-amz-glacier-version: 2012-06-01\r\nX-Slow: " + b"a" * 1000)
        slow = self.connect(server, self.SLOW_CONNECTIONS)
        self.check_cut_off_while_others_are_served(server, slow, trickle)

    def test_trickled_bodies_are_cut_off_while_others_are_served(self):
        server = self.start_server()
        client = Client(server.port)
        self.addCleanup(client.close)
        client.expect(201, "PUT", "/-/vaults/slow-body")
        # The whole header at once, then a body far larger than the test can trickle.
        slow = self.connect(server, self.SLOW_CONNECTIONS)
        for sock in slow:
            sock.sendall(raw.request_bytes("POST", "/-/vaults/slow-body/archives",
                                           {"Content-Length": "100000"}))
        self.check_cut_off_while_others_are_served(server, slow, b"b" * 1000)

    def test_sigterm_is_not_held_up_by_a_trickled_body(self):
        server = self.start_server()
        sock = self.connect(server, 1)[0]
        sock.sendall(raw.request_bytes("POST", "/-/vaults/any/archives",
                                       {"Content-Length": "100000"}))
        started = time.monotonic()
        sock.sendall(b"b")
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        limit = self.READ_TIMEOUT_S + self.MARGIN_S
        code = None
        while code is None and time.monotonic() - started < limit:
            try:
                sock.sendall(b"b")
            except OSError:
                pass  # dropped: the wait is only for the exit now
            try:
                code = server.process.wait(0.25)
            except subprocess.TimeoutExpired:
                pass
        took = time.monotonic() - started
        self.assertEqual(code, 0, f"no clean exit {took:.1f} s into the trickled body (SIGTERM "
                         f"at 0.3 s; the body should be cut at {self.READ_TIMEOUT_S} s):\n"
                         + server.output())
        self.assertNotIn("shutdown deadline passed", server.output())

    def check_cut_off_while_others_are_served(self, server, slow, trickle):
        """Trickles `trickle` a byte a second on every `slow` socket while another client
        keeps listing vaults; each slow one must be cut at the read timeout, no one else
        slowed down."""
        latencies = []
        stop = threading.Event()

        def others():
            client = Client(server.port)
            try:
                while not stop.is_set():
                    started = time.monotonic()
                    client.expect(200, "GET", "/-/vaults")
                    latencies.append(time.monotonic() - started)
                    stop.wait(0.1)
            finally:
                client.close()

        errors = []
        watcher = threading.Thread(target=collecting, args=(errors, others), daemon=True)
        watcher.start()
        try:
            closed_after, sent = self.trickle(slow, trickle)
        finally:
            stop.set()
            watcher.join(SOCKET_WAIT_S * 2)
        if errors:
            raise errors[0]

        limit = self.READ_TIMEOUT_S + self.MARGIN_S
        for index, after in enumerate(closed_after):
            self.assertIsNotNone(after, f"slow connection {index} still open after {limit} s "
                                 f"({sent[index]} bytes trickled)")
            self.assertGreaterEqual(after, self.READ_TIMEOUT_S * 0.9,
                                    f"slow connection {index} dropped early")
            # A byte arrived after the first one and before the cut: the timer was not reset.
            self.assertGreaterEqual(sent[index], 2)
        self.assertGreater(len(latencies), 5, "the other client made too few requests")
        # Had the slow clients held the server up, others would wait for the cut-off.
        self.assertLess(max(latencies), self.READ_TIMEOUT_S * 0.8,
                        f"others were slowed down: worst ListVaults {max(latencies):.2f} s")
        self.assertIsNone(server.process.poll(), server.output())

    def trickle(self, socks, payload):
        """Sends one more byte a second on every open socket; returns (seconds until each
        was closed or None, bytes sent on each)."""
        started = time.monotonic()
        closed_after = [None] * len(socks)
        sent = [0] * len(socks)
        deadline = started + self.READ_TIMEOUT_S + self.MARGIN_S
        next_tick = started
        while time.monotonic() < deadline and None in closed_after:
            now = time.monotonic()
            if now >= next_tick:
                for index, sock in enumerate(socks):
                    if closed_after[index] is None and sent[index] < len(payload):
                        try:
                            sock.sendall(payload[sent[index]:sent[index] + 1])
                            sent[index] += 1
                        except OSError:
                            closed_after[index] = time.monotonic() - started
                next_tick += 1.0
            open_socks = [s for i, s in enumerate(socks) if closed_after[i] is None]
            wait = max(0.0, min(next_tick, deadline) - time.monotonic())
            readable, _, _ = select.select(open_socks, [], [], wait)
            for sock in readable:
                index = socks.index(sock)
                if self.read_closed(sock):
                    closed_after[index] = time.monotonic() - started
        return closed_after, sent

    def read_closed(self, sock):
        """Reads what is there; True once the server has closed. A 408 first is fine."""
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            return True
        if data:
            response, _ = raw.parse_response(data)
            if response is not None:
                self.assertTrue(is_glacier_error(response.status, response.body), response)
            return False
        return True


class MalformedFloodTest(unittest.TestCase):
    """Ten thousand malformed requests of many kinds, eight connections at a time.

    Each must get a 4xx Glacier-shaped JSON error or a clean close: never a 5xx, never
    silence. The cases come from a seeded generator, so a failure names a reproducible
    case. Requests whose framing is intact reuse keep-alive connections; the rest need a
    fresh connection each, since the server closes after a framing error.
    """

    SEED = 20240611
    CASES = 10_000
    THREADS = 8
    MAX_HEADER_BYTES = 4096
    MAX_BODY_BYTES = 64 * 1024
    VAULT = "flood"

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--max-header-bytes", str(cls.MAX_HEADER_BYTES),
                            "--max-body-bytes", str(cls.MAX_BODY_BYTES),
                            "--read-timeout-ms", "3000", "--idle-timeout-ms", "10000").start()
        client = Client(cls.server.port)
        client.expect(201, "PUT", f"/-/vaults/{cls.VAULT}")
        client.close()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code != 0:
            raise AssertionError(f"exit code {code} after SIGTERM:\n{cls.server.output()}")

    def test_ten_thousand_malformed_requests(self):
        cases = generate_cases(random.Random(self.SEED), self.CASES, {
            "vault": self.VAULT, "max_header": self.MAX_HEADER_BYTES,
            "max_body": self.MAX_BODY_BYTES})
        outcomes = collections.Counter()
        failures = []
        lock = threading.Lock()
        started = time.monotonic()

        def worker(index):
            keep_alive = None
            try:
                for number in range(index, len(cases), self.THREADS):
                    kind, fresh, payload = cases[number]
                    if fresh:
                        outcome, problem = send_on_fresh_connection(self.server.port, payload)
                    else:
                        if keep_alive is None:
                            keep_alive = raw.Connection(self.server.port)
                        outcome, problem = send_on_keep_alive(keep_alive, payload)
                        if outcome != "error-kept-open":
                            keep_alive.close()
                            keep_alive = None
                    if kind in ALWAYS_ANSWERED_KINDS and outcome == "closed":
                        problem = "closed without the 4xx error this request deserves"
                    with lock:
                        outcomes[(kind, outcome)] += 1
                        if problem:
                            failures.append(f"case {number} ({kind}): {problem}; "
                                            f"sent {payload[:160]!r}")
            finally:
                if keep_alive is not None:
                    keep_alive.close()

        run_threads(self.THREADS, worker)
        took = time.monotonic() - started
        summary = "\n".join(f"  {kind}: {outcome} x{count}"
                            for (kind, outcome), count in sorted(outcomes.items()))
        print(f"\n{len(cases)} malformed requests in {took:.1f} s:\n{summary}", flush=True)
        if failures:
            self.fail(f"{len(failures)} bad outcomes; the first ones:\n"
                      + "\n".join(failures[:20]) + "\nserver output:\n" + self.server.output())
        self.assertEqual(sum(outcomes.values()), len(cases))
        # Every API-level kind was answered, not merely closed: the check has teeth.
        answered = {kind for (kind, outcome) in outcomes if outcome.startswith("error")}
        self.assertTrue(set(KEEP_ALIVE_KINDS) <= answered, sorted(answered))
        self.assertIsNone(self.server.process.poll(), self.server.output())
        self.assert_still_serves_correctly()

    def assert_still_serves_correctly(self):
        client = Client(self.server.port)
        self.addCleanup(client.close)
        client.expect(201, "PUT", "/-/vaults/after-flood")
        data = random.Random(7).randbytes(48 * 1024)  # under --max-body-bytes
        archive_id = client.upload("after-flood", data)
        self.assertTrue(archive_id)
        _, body = client.expect(200, "GET", "/-/vaults")
        names = [vault["VaultName"] for vault in json.loads(body)["VaultList"]]
        self.assertIn("after-flood", names)
        _, body = client.expect(200, "GET", "/-/vaults/after-flood")
        self.assertEqual(json.loads(body)["VaultName"], "after-flood")
        client.expect(204, "DELETE", f"/-/vaults/after-flood/archives/{archive_id}")


# Complete requests whose framing is wrong: the client is owed an error, not just a close.
ALWAYS_ANSWERED_KINDS = ("bad-content-length", "bad-request-line", "bad-header-syntax",
                         "oversized-headers", "oversized-body")
KEEP_ALIVE_KINDS = ("invalid-json", "wrong-json-types", "unknown-path", "wrong-method",
                    "missing-version", "bad-api-input")


def send_on_fresh_connection(port, payload):
    """Sends payload, then half-closes: (outcome, problem or None).

    The half-close tells the server no more bytes come, so an incomplete request ends in
    a close (or an error response) at once rather than after the read timeout.
    """
    try:
        connection = raw.Connection(port)
    except OSError as e:
        return "connect-failed", f"cannot connect: {e}"
    try:
        connection.sock.settimeout(SOCKET_WAIT_S)
        sent_all = connection.send(payload)
        if sent_all:
            try:
                connection.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        started = time.monotonic()
        try:
            response = connection.response(wait_s=SOCKET_WAIT_S)
        except AssertionError as e:
            return "not-http", str(e)
        if response is None:
            if connection.closed:
                return "closed", None
            return "hang", f"neither an answer nor a close within {SOCKET_WAIT_S} s"
        if not is_glacier_error(response.status, response.body):
            return f"status-{response.status}", f"not a 4xx Glacier error: {response}"
        left = SOCKET_WAIT_S - (time.monotonic() - started)
        if not connection.wait_closed(max(left, 0.5)):
            return "left-open", f"connection left open after {response.status}"
        return "error-closed", None
    finally:
        connection.close()


def send_on_keep_alive(connection, payload):
    """Sends a well-framed bad request; (outcome, problem or None). The server must answer."""
    if not connection.send(payload):
        return "send-failed", "the server closed a keep-alive connection before the request"
    try:
        response = connection.response(wait_s=SOCKET_WAIT_S)
    except AssertionError as e:
        return "not-http", str(e)
    if response is None:
        return "no-answer", "no response to a well-framed request"
    if not is_glacier_error(response.status, response.body):
        return f"status-{response.status}", f"not a 4xx Glacier error: {response}"
    if response.headers.get("connection", "").lower() == "close":
        return "error-closed", None
    return "error-kept-open", None


def request(method, path, headers=None, body=b"", version=True):
    """Raw request bytes, as test_robustness builds them."""
    return raw.request_bytes(method, path, headers, body, version_header=version)


# Bulky kinds are rarer: they cost the most bytes and test the same limit each time.
# Keep-alive kinds are cheap (no new connection) and weigh double.
KIND_WEIGHTS = {"oversized-headers": 0.3, "oversized-body": 0.2, "garbage": 0.7}


def generate_cases(rng, count, context):
    """`count` (kind, needs a fresh connection, bytes) cases from the generators below."""
    table = ([(name, True, function) for name, function in FRESH_GENERATORS]
             + [(name, False, function) for name, function in KEEP_ALIVE_GENERATORS])
    weights = [KIND_WEIGHTS.get(name, 1.0 if fresh else 2.0) for name, fresh, _ in table]
    return [(name, fresh, function(rng, context))
            for name, fresh, function in rng.choices(table, weights, k=count)]


# A path that answers 4xx whatever happens to its framing: no such vault, no checksums.
TARGET = "/-/vaults/no-such-vault-for-flood/archives"


def gen_truncated_request_line(rng, _):
    line = request("POST", TARGET, {"Content-Length": "5"}, b"hello")
    return line[:rng.randrange(1, line.index(b"\r\n") + 1)]


def gen_truncated_headers(rng, _):
    whole = request("POST", TARGET, {"Content-Length": "5", "X-Extra": "value"}, b"hello")
    start = whole.index(b"\r\n") + 2
    return whole[:rng.randrange(start, whole.index(b"\r\n\r\n") + 3)]


def gen_truncated_body(rng, _):
    length = rng.randrange(10, 2000)
    return request("POST", TARGET, {"Content-Length": str(length)},
                   b"x" * rng.randrange(0, length))


def gen_bad_chunked(rng, _):
    head = request("POST", TARGET, {"Transfer-Encoding": "chunked"})
    bodies = (
        b"zz\r\nhello\r\n0\r\n\r\n",                       # size is not hex
        b"5\r\nhelloEXTRA\r\n0\r\n\r\n",                    # more data than declared
        b"5\r\nhel",                                        # cut inside a chunk
        b"ffffffffffffffffffff\r\nx\r\n0\r\n\r\n",          # size overflows 64 bits
        b"-5\r\nhello\r\n0\r\n\r\n",                        # negative size
        b"5\nhello\n0\n\n",                                 # bare LF everywhere
        b"5;ext=\"unterminated\r\nhello\r\n0\r\n\r\n",      # broken chunk extension
        b"0\r\nBad Trailer\r\n\r\n",                        # trailer without a colon
        b"\r\n",                                            # empty size line
        b"5 \r\nhello\r\n0\r\n\r\n" * 2,                    # whitespace, then repeated
    )
    return head + rng.choice(bodies)


def gen_bad_content_length(rng, _):
    values = ("abc", "-1", "-0", "1.5", "0x10", "+5", "5 5", "", " ",
              "99999999999999999999999999", "18446744073709551616", "5,6", "1e3")
    body = b"hello"
    if rng.random() < 0.3:
        # Two conflicting lengths, or a length together with chunked (request smuggling).
        first, second = rng.choice((("Content-Length", "5"), ("Transfer-Encoding", "chunked")),
                                   ), ("Content-Length", str(rng.randrange(6, 40)))
        head = (f"POST {TARGET} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"x-amz-glacier-version: 2012-06-01\r\n{first[0]}: {first[1]}\r\n"
                f"{second[0]}: {second[1]}\r\n\r\n").encode()
        return head + b"5\r\nhello\r\n0\r\n\r\n"
    return request("POST", TARGET, {"Content-Length": rng.choice(values)}, body)


def gen_garbage(rng, _):
    data = rng.randbytes(rng.randrange(1, 2048))
    if rng.random() < 0.3:
        data += b"\r\n\r\n"
    return data


def gen_bad_request_line(rng, _):
    lines = (b"GET /-/vaults HTTP/9.9", b"GET /-/vaults", b"GET\t/-/vaults HTTP/1.1",
             b"/-/vaults GET HTTP/1.1", b"GET /a b HTTP/1.1", b"G(T /-/vaults HTTP/1.1",
             b"GET /-/vau\x00lts HTTP/1.1", b"GET /-/vaults HTTP/1.1 extra", b"  ",
             b"GET /-/vaults HTTP/1.", b"GET /-/vaults http/1.1", b"\x16\x03\x01\x02\x00",
             b"PRI * HTTP/2.0", b"GET " + b"/" * 3000 + b" HTTP/1.1")
    return rng.choice(lines) + b"\r\nHost: 127.0.0.1\r\n\r\n"


def gen_bad_header_syntax(rng, _):
    lines = (b"NoColonHere", b"Bad Name: v", b"Host : 127.0.0.1", b" folded: continuation",
             b"X-Ctl: a\x01b", b": empty-name", b"X-Nul: a\x00b", b"X-\xff\xfe: v")
    head = f"POST {TARGET} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
    return head + rng.choice(lines) + b"\r\nContent-Length: 0\r\n\r\n"


def gen_oversized_headers(rng, context):
    limit = context["max_header"]
    if rng.random() < 0.5:
        headers = {"X-Padding": "a" * (limit + rng.randrange(1, limit))}
    else:
        # Many small fields, just over the limit in all: the limit is on the whole block,
        # however it is split into fields or reads.
        headers = {f"X-H{i}": "v" * 40 for i in range(limit // 48 + rng.randrange(1, 8))}
    return request("GET", "/-/vaults", headers)


def gen_oversized_body(rng, context):
    size = context["max_body"] + rng.randrange(1, context["max_body"])
    if rng.random() < 0.5:
        return request("POST", TARGET, {"Content-Length": str(size)}, b"z" * size)
    chunk = b"z" * 16384
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(size // 16384 + 1))
    return request("POST", TARGET, {"Transfer-Encoding": "chunked"}) + chunks + b"0\r\n\r\n"


FRESH_GENERATORS = (
    ("truncated-request-line", gen_truncated_request_line),
    ("truncated-headers", gen_truncated_headers),
    ("truncated-body", gen_truncated_body),
    ("bad-chunked", gen_bad_chunked),
    ("bad-content-length", gen_bad_content_length),
    ("garbage", gen_garbage),
    ("bad-request-line", gen_bad_request_line),
    ("bad-header-syntax", gen_bad_header_syntax),
    ("oversized-headers", gen_oversized_headers),
    ("oversized-body", gen_oversized_body),
)


def gen_invalid_json(rng, context):
    bodies = (b"", b"{", b"}", b"[1,2", b"nul", b"{\"Type\": }", b"{'Type': 'x'}",
              b"{\"Type\": \"archive-retrieval\",}", b"\xff\xfe{}", b"{\"a\":1}{\"b\":2}",
              b"[" * 5000 + b"]" * 5000, b"{\"x\":" * 3000 + b"1" + b"}" * 3000,
              rng.randbytes(rng.randrange(1, 500)), b"\"\\ud800\"", b"{\"Type\": \"\xc3\x28\"}")
    body = rng.choice(bodies)
    return request("POST", f"/-/vaults/{context['vault']}/jobs",
                   {"Content-Length": str(len(body))}, body)


def gen_wrong_json_types(rng, context):
    documents = (
        [], "string", 42, None, True,
        {"Type": 5}, {"Type": None}, {"Type": ["archive-retrieval"]},
        {"Type": "archive-retrieval", "ArchiveId": 7},
        {"Type": "archive-retrieval", "ArchiveId": "no-such-archive"},
        {"Type": "archive-retrieval", "ArchiveId": {"id": "x"}},
        {"Type": "inventory-retrieval", "Tier": []},
        {"Type": "inventory-retrieval", "Tier": "Hyper"},
        {"Type": "inventory-retrieval", "InventoryRetrievalParameters": "x"},
        {"Type": "inventory-retrieval", "InventoryRetrievalParameters": {"Limit": -1}},
        {"Type": "inventory-retrieval", "Format": 1},
        {"Type": "inventory-retrieval", "Format": "XML"},
        {"Type": "archive-retrieval", "ArchiveId": "x", "RetrievalByteRange": 1},
        {"Type": "select"}, {"Type": "no-such-type"}, {"type": "inventory-retrieval"},
        {"Type": "inventory-retrieval", "SNSTopic": 3},
        {"Type": "inventory-retrieval", "Description": {"a": 1}},
    )
    body = json.dumps(rng.choice(documents)).encode()
    return request("POST", f"/-/vaults/{context['vault']}/jobs",
                   {"Content-Length": str(len(body))}, body)


def gen_unknown_path(rng, _):
    paths = ("/-/no-such-thing", "/not/a/glacier/path", "/-/vaults/v/bogus/deeper",
             "/", "//", "/-", "/-/vaults/v/archives/a/b/c", "/12345/vaults",
             "/-/vaults/v/jobs/j/output/extra", "/_mock/no-such-admin", "/-/vaults/%ff%fe/x/y",
             "/" + "x/" * rng.randrange(1, 200), f"/-/{rng.randrange(10 ** 9)}")
    method = rng.choice(("GET", "POST", "PUT", "DELETE"))
    return request(method, rng.choice(paths), {"Content-Length": "0"})


def gen_wrong_method(rng, context):
    vault = context["vault"]
    pairs = (("DELETE", "/-/vaults"), ("PATCH", f"/-/vaults/{vault}"),
             ("POST", f"/-/vaults/{vault}"), ("PUT", f"/-/vaults/{vault}/archives"),
             ("GET", f"/-/vaults/{vault}/archives"), ("FOO", "/-/vaults"),
             ("OPTIONS", "/-/vaults"), ("PUT", f"/-/vaults/{vault}/jobs"),
             ("TRACE", f"/-/vaults/{vault}"), ("DELETE", f"/-/vaults/{vault}/jobs"))
    method, path = rng.choice(pairs)
    return request(method, path, {"Content-Length": "0"})


def gen_missing_version(rng, context):
    vault = context["vault"]
    method, path = rng.choice((("GET", "/-/vaults"), ("GET", f"/-/vaults/{vault}"),
                               ("POST", f"/-/vaults/{vault}/jobs"), ("PUT", "/-/vaults/x")))
    return request(method, path, {"Content-Length": "0"}, version=False)


def gen_bad_api_input(rng, context):
    vault = context["vault"]
    data = rng.randbytes(rng.randrange(1, 4096))
    good_tree = tree_hash(data)
    linear = {"x-amz-content-sha256": hashlib.sha256(data).hexdigest()}
    cases = (
        ("POST", f"/-/vaults/{vault}/archives", {"x-amz-sha256-tree-hash": "0" * 64, **linear},
         data),
        ("POST", f"/-/vaults/{vault}/archives", linear, data),
        ("POST", f"/-/vaults/{vault}/archives", {"x-amz-sha256-tree-hash": good_tree}, data),
        ("POST", f"/-/vaults/{vault}/archives",
         {"x-amz-sha256-tree-hash": good_tree, "x-amz-content-sha256": "0" * 64}, data),
        ("POST", f"/-/vaults/{vault}/archives",
         {"x-amz-sha256-tree-hash": good_tree[:-2], **linear}, data),
        ("POST", f"/-/vaults/{vault}/archives",
         {"x-amz-sha256-tree-hash": good_tree, "x-amz-archive-description": "d" * 1025,
          **linear}, data),
        ("POST", f"/-/vaults/{vault}/archives", {"x-amz-sha256-tree-hash": "not-hex", **linear},
         data),
        ("PUT", "/-/vaults/" + "v" * 300, {}, b""),
        ("PUT", "/-/vaults/bad%20name!", {}, b""),
        ("GET", "/-/vaults?limit=abc", {}, b""),
        ("GET", "/-/vaults?limit=0", {}, b""),
        ("GET", "/-/vaults?limit=-1", {}, b""),
        ("GET", f"/-/vaults/{vault}/jobs/no-such-job", {}, b""),
        ("GET", f"/-/vaults/{vault}/jobs/no-such-job/output", {"Range": "bytes=zz"}, b""),
        ("GET", f"/-/vaults/{vault}/jobs?statuscode=Bogus", {}, b""),
        ("DELETE", "/-/vaults/no-such-vault", {}, b""),
        ("POST", f"/-/vaults/{vault}/multipart-uploads", {"x-amz-part-size": "3"}, b""),
        ("PUT", f"/-/vaults/{vault}/access-policy", {}, b"{not json"),
        ("POST", f"/-/vaults/{vault}/tags?operation=add", {}, b"{\"Tags\": 5}"),
    )
    method, path, headers, body = rng.choice(cases)
    headers = dict(headers, **{"Content-Length": str(len(body))})
    return request(method, path, headers, body)


KEEP_ALIVE_GENERATORS = (
    ("invalid-json", gen_invalid_json),
    ("wrong-json-types", gen_wrong_json_types),
    ("unknown-path", gen_unknown_path),
    ("wrong-method", gen_wrong_method),
    ("missing-version", gen_missing_version),
    ("bad-api-input", gen_bad_api_input),
)


class MemoryAfterBurstTest(unittest.TestCase):
    """The resident set returns to its baseline once a burst of large archives is gone.

    Archives live in memory, so a burst must raise the RSS; after DeleteArchive, and once
    the retrieval jobs that still reference archive bytes are purged, it must come back.
    A server that keeps freed memory (allocator caching, a leak, jobs never purged) would
    grow by every burst until the container is killed.
    """

    THREADS = 8
    UPLOADS_PER_THREAD = 30
    # Retrieval jobs keep their archive's bytes until purged; a short retention lets the
    # test see them go, yet leaves time to read a fresh job's output.
    RETENTION_S = 2
    SAMPLE = 6
    # Allocator bookkeeping, thread caches, logs and the job and id maps may stay.
    MARGIN = 16 * 1024 * 1024
    # 240 archives averaging 640 KiB hold ~150 MiB; demand most of that showed up.
    MIN_GROWTH = 100 * 1024 * 1024

    def test_rss_returns_to_baseline_after_upload_and_job_burst(self):
        server = Server("--job-retention-seconds", str(self.RETENTION_S),
                        delays_ms={"Expedited": 100, "Standard": 200, "Bulk": 300}).start()
        self.addCleanup(lambda: self.assertEqual(server.stop(), 0, server.output()))
        pid = server.process.pid
        rng = random.Random(4242)
        payloads = []
        for _ in range(24):
            data = rng.randbytes(rng.randrange(256 * 1024, 1024 * 1024 + 1))
            payloads.append((data, (hashlib.sha256(data).hexdigest(), tree_hash(data))))
        clients = [Client(server.port) for _ in range(self.THREADS)]
        for client in clients:
            self.addCleanup(client.close)
        clients[0].expect(201, "PUT", "/-/vaults/burst")

        # A server that has been in use: every connection warmed up, and one large archive
        # stored and freed (glibc moves its mmap threshold on the first such free).
        for client in clients:
            client.expect(200, "GET", "/-/vaults")
        warm = clients[0].upload("burst", payloads[0][0], payloads[0][1])
        clients[0].expect(204, "DELETE", f"/-/vaults/burst/archives/{warm}")
        time.sleep(0.3)
        baseline = rss_bytes(pid)

        archives = [[] for _ in range(self.THREADS)]

        def upload(index):
            client, local = clients[index], random.Random(index)
            for number in range(self.UPLOADS_PER_THREAD):
                data, hashes = local.choice(payloads)
                archive_id = client.upload("burst", data, hashes)
                archives[index].append((archive_id, hashes[1]))
                if number % 4 == 0:
                    client.initiate_job("burst", {"Type": "archive-retrieval",
                                                  "ArchiveId": archive_id, "Tier": "Expedited"})
                if number % 10 == 0:
                    client.initiate_job("burst", {"Type": "inventory-retrieval"})

        run_threads(self.THREADS, upload)
        peak = rss_bytes(pid)
        self.assertGreater(peak - baseline, self.MIN_GROWTH,
                           f"the burst barely showed: baseline {mib(baseline)}, "
                           f"after {mib(peak)}; the test would prove nothing")

        # Retrieval jobs serve the bytes they hold (fresh ones: the burst's may be purged).
        stored = [archive for per_thread in archives for archive in per_thread]
        for archive_id, tree in random.Random(1).sample(stored, self.SAMPLE):
            job_id = clients[0].initiate_job("burst", {
                "Type": "archive-retrieval", "ArchiveId": archive_id, "Tier": "Expedited"})
            clients[0].wait_job("burst", job_id)
            _, data = clients[0].expect(200, "GET", f"/-/vaults/burst/jobs/{job_id}/output")
            self.assertEqual(tree_hash(data), tree)

        def delete(index):
            for archive_id, _ in archives[index]:
                clients[index].expect(204, "DELETE", f"/-/vaults/burst/archives/{archive_id}")

        run_threads(self.THREADS, delete)
        # Completed jobs still hold archive bytes; purging them must release those too.
        wait_until(lambda: not json.loads(clients[0].expect(
            200, "GET", "/-/vaults/burst/jobs")[1])["JobList"], 15.0, 0.1,
            "every job to be purged")
        deadline = time.monotonic() + 10.0
        settled = rss_bytes(pid)
        while settled > baseline + self.MARGIN and time.monotonic() < deadline:
            time.sleep(0.2)
            settled = rss_bytes(pid)
        print(f"\nRSS: baseline {mib(baseline)}, after the burst {mib(peak)}, "
              f"settled {mib(settled)}", flush=True)
        self.assertLessEqual(settled, baseline + self.MARGIN,
                             f"RSS stayed at {mib(settled)} after everything was deleted "
                             f"(baseline {mib(baseline)}, burst {mib(peak)})")
        self.assertIsNone(server.process.poll(), server.output())


class ShutdownUnderLoadTest(unittest.TestCase):
    """SIGTERM while uploads stream in: exit 0 in time, and no acknowledged upload lost.

    A 201 is a promise; with --data-dir the archive must be there after a restart, bytes
    and all, however the shutdown interleaved with the request.
    """

    THREADS = 4
    DEADLINE_MS = 2000
    MARGIN_S = 3.0
    LOAD_BEFORE_SIGNAL_S = 1.5
    SAMPLE = 8

    def test_sigterm_mid_upload_keeps_every_acknowledged_archive(self):
        data_dir = tempfile.TemporaryDirectory(prefix="glacier-mock-load-")
        self.addCleanup(data_dir.cleanup)
        args = ("--data-dir", data_dir.name, "--shutdown-deadline-ms", str(self.DEADLINE_MS))
        server = Server(*args).start()
        self.addCleanup(server.stop)
        setup = Client(server.port)
        setup.expect(201, "PUT", "/-/vaults/durable")
        setup.close()

        acknowledged = {}  # archive id -> (size, tree hash)
        lock = threading.Lock()
        signalled = threading.Event()
        after_signal = collections.Counter()

        def upload(index):
            rng = random.Random(1000 + index)
            client = Client(server.port)
            try:
                while True:
                    data = rng.randbytes(rng.randrange(1, 256 * 1024))
                    tree = tree_hash(data)
                    try:
                        archive_id = client.upload(
                            "durable", data, (hashlib.sha256(data).hexdigest(), tree))
                    except (OSError, http.client.HTTPException):
                        if signalled.is_set():
                            return  # the server stopped taking requests: expected now
                        raise
                    with lock:
                        acknowledged[archive_id] = (len(data), tree)
                        if signalled.is_set():
                            after_signal["acknowledged"] += 1
            finally:
                client.close()

        errors = []
        threads = [threading.Thread(target=collecting, args=(errors, upload, i), daemon=True)
                   for i in range(self.THREADS)]
        for thread in threads:
            thread.start()
        # At least LOAD_BEFORE_SIGNAL_S of load, and longer (bounded) on a machine whose
        # busy disk makes fsynced uploads slow, until enough of them were acknowledged.
        time.sleep(self.LOAD_BEFORE_SIGNAL_S)
        wait_limit = time.monotonic() + 10
        while time.monotonic() < wait_limit:
            with lock:
                if len(acknowledged) > 20:
                    break
            time.sleep(0.1)
        with lock:
            before_signal = len(acknowledged)
        signalled.set()
        signalled_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            code = server.process.wait(self.DEADLINE_MS / 1000 + self.MARGIN_S)
        except subprocess.TimeoutExpired:
            self.fail(f"no exit within {self.DEADLINE_MS} ms + {self.MARGIN_S} s of SIGTERM:\n"
                      + server.output())
        took = time.monotonic() - signalled_at
        for thread in threads:
            thread.join(SOCKET_WAIT_S * 2)
        self.assertEqual(code, 0, server.output())
        self.assertEqual(errors, [], "an upload failed before SIGTERM")
        self.assertGreater(before_signal, 20, "too little load before SIGTERM")
        print(f"\n{len(acknowledged)} uploads acknowledged ({after_signal['acknowledged']} "
              f"after SIGTERM); exit {code} {took:.2f} s after the signal", flush=True)
        server.stop()

        restarted = Server(*args).start()
        self.addCleanup(restarted.stop)
        client = Client(restarted.port)
        self.addCleanup(client.close)
        self.check_inventory(client, acknowledged)
        self.check_retrievals(client, acknowledged)
        self.assertEqual(restarted.stop(), 0, restarted.output())

    def check_inventory(self, client, acknowledged):
        """Every acknowledged archive is listed with its size and tree hash."""
        job_id = client.initiate_job("durable", {"Type": "inventory-retrieval"})
        job = client.wait_job("durable", job_id)
        self.assertEqual(job["StatusCode"], "Succeeded", job)
        _, body = client.expect(200, "GET", f"/-/vaults/durable/jobs/{job_id}/output")
        listed = {entry["ArchiveId"]: (entry["Size"], entry["SHA256TreeHash"])
                  for entry in json.loads(body)["ArchiveList"]}
        missing = [archive_id for archive_id in acknowledged if archive_id not in listed]
        self.assertEqual(missing, [], f"{len(missing)} of {len(acknowledged)} acknowledged "
                         "archives are gone after the restart")
        wrong = [archive_id for archive_id, facts in acknowledged.items()
                 if listed[archive_id] != facts]
        self.assertEqual(wrong, [], "archives with another size or tree hash after restart")

    def check_retrievals(self, client, acknowledged):
        """Each archive can be retrieved; a sample's bytes match what was uploaded."""
        jobs = {}
        for archive_id in acknowledged:
            jobs[archive_id] = client.initiate_job("durable", {
                "Type": "archive-retrieval", "ArchiveId": archive_id, "Tier": "Expedited"})
        sample = random.Random(5).sample(sorted(acknowledged), min(self.SAMPLE,
                                                                   len(acknowledged)))
        for archive_id in sample:
            job = client.wait_job("durable", jobs[archive_id])
            self.assertEqual(job["StatusCode"], "Succeeded", job)
            response, data = client.expect(200, "GET",
                                           f"/-/vaults/durable/jobs/{jobs[archive_id]}/output")
            size, tree = acknowledged[archive_id]
            self.assertEqual((len(data), tree_hash(data)), (size, tree))
            Client.check_tree_hash(response, tree)


if __name__ == "__main__":
    unittest.main(verbosity=2)
