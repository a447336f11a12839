"""Starts the real glacier-mock binary for an end-to-end test and stops it afterwards.

Only the standard library is used here, so every e2e module can import it. Every wait
is bounded: the startup line, the shutdown and the job polls all have deadlines.
"""

import collections
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

ACCOUNT = "123456789012"
REGION = "us-east-1"
INSTALL_HINT = "run `bash scripts/install-deps.sh --with-test-clients`"

# Short tier delays keep the suite fast while leaving a clear InProgress window.
DELAYS_MS = {"Expedited": 300, "Standard": 600, "Bulk": 900}

STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 5.0
JOB_TIMEOUT_S = 10.0

_LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
_REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# GLACIER_MOCK_E2E_AUTH=verify runs a suite against a server that verifies signatures, with
# the suites' own key ("x"/"x", the default account's root) declared.
VERIFY_CREDENTIALS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  "verify_credentials.json")


def auth_args():
    """The server flags the GLACIER_MOCK_E2E_AUTH switch asks for."""
    mode = os.environ.get("GLACIER_MOCK_E2E_AUTH", "accept")
    if mode == "accept":
        return []
    if mode != "verify":
        raise RuntimeError(f"GLACIER_MOCK_E2E_AUTH must be accept or verify, not {mode!r}")
    return ["--auth", "verify", "--credentials", VERIFY_CREDENTIALS]


def server_binary():
    """The binary under test: $GLACIER_MOCK_BIN (set by ctest), else build/dev/glacier-mock."""
    # Absolute: the server runs in a temporary working directory of its own.
    path = os.path.abspath(os.environ.get("GLACIER_MOCK_BIN") or os.path.join(
        _REPO_ROOT, "build", "dev", "glacier-mock"))
    if not os.access(path, os.X_OK):
        raise RuntimeError(
            f"glacier-mock binary not found at {path}: build it "
            "(cmake --preset dev && cmake --build --preset dev) or set GLACIER_MOCK_BIN")
    return path


def tree_hash(data):
    """SHA-256 tree hash (1 MiB leaves, pairwise over raw digests), lowercase hex."""
    chunk = 1024 * 1024
    level = [hashlib.sha256(data[i:i + chunk]).digest() for i in range(0, len(data), chunk)]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        level = [hashlib.sha256(level[i] + level[i + 1]).digest() if i + 1 < len(level)
                 else level[i] for i in range(0, len(level), 2)]
    return level[0].hex()


def vault_arn(name, account=ACCOUNT, region=REGION):
    return f"arn:aws:glacier:{region}:{account}:vaults/{name}"


class Server:
    """One glacier-mock process on 127.0.0.1 with a free port.

    Its output is drained by background threads (so a chatty log can never block it)
    and kept, the last lines only, for failure messages.
    """

    def __init__(self, *extra_args, delays_ms=None):
        self.delays_ms = dict(DELAYS_MS if delays_ms is None else delays_ms)
        self.extra_args = list(extra_args)
        self.process = None
        self.port = None
        self._output = collections.deque(maxlen=200)
        self._lock = threading.Lock()
        self._port_found = threading.Event()
        self._threads = []
        self._workdir = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def output(self):
        with self._lock:
            return "\n".join(self._output)

    def start(self):
        args = [server_binary(), "--host", "127.0.0.1", "--port", "0", "--log-level", "info",
                "--expedited-delay-ms", str(self.delays_ms["Expedited"]),
                "--standard-delay-ms", str(self.delays_ms["Standard"]),
                "--bulk-delay-ms", str(self.delays_ms["Bulk"])] + auth_args() + self.extra_args
        # A private working directory and no GLACIER_MOCK_* variables: only the flags count.
        env = {k: v for k, v in os.environ.items() if not k.startswith("GLACIER_MOCK_")}
        self._workdir = tempfile.TemporaryDirectory(prefix="glacier-mock-e2e-")
        self.process = subprocess.Popen(
            args, cwd=self._workdir.name, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for stream, name in ((self.process.stdout, "stdout"), (self.process.stderr, "stderr")):
            thread = threading.Thread(target=self._drain, args=(stream, name), daemon=True)
            thread.start()
            self._threads.append(thread)
        if not self._port_found.wait(STARTUP_TIMEOUT_S):
            code = self.process.poll()
            self._kill()
            raise RuntimeError(
                f"glacier-mock printed no 'listening on http://127.0.0.1:PORT' line within "
                f"{STARTUP_TIMEOUT_S:.0f} s (exit code {code}); command {args}; output:\n"
                + self.output())
        return self

    def _drain(self, stream, name):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self._output.append(f"[{name}] {line}")
            if name == "stdout" and not self._port_found.is_set():
                match = _LISTENING.search(line)
                if match:
                    self.port = int(match.group(1))
                    self._port_found.set()
        stream.close()

    def _kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(SHUTDOWN_TIMEOUT_S)

    def stop(self):
        """SIGTERM; returns the exit code, or raises if it does not exit in time."""
        if self.process is None:
            return None
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(SHUTDOWN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._kill()
                raise RuntimeError(
                    f"glacier-mock did not exit within {SHUTDOWN_TIMEOUT_S:.0f} s of SIGTERM; "
                    "output:\n" + self.output())
            for thread in self._threads:
                thread.join(SHUTDOWN_TIMEOUT_S)
            return code
        finally:
            if self._workdir is not None:
                self._workdir.cleanup()
                self._workdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        code = self.stop()
        if exc[0] is None and code != 0:
            raise AssertionError(f"glacier-mock exited with {code} after SIGTERM; output:\n"
                                 + self.output())


class ServerTestCase(unittest.TestCase):
    """One server for the whole class; tearDownClass asserts a clean SIGTERM shutdown."""

    server_args = ()
    server_delays_ms = None  # None: DELAYS_MS
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = Server(*cls.server_args, delays_ms=cls.server_delays_ms).start()

    @classmethod
    def tearDownClass(cls):
        server, cls.server = cls.server, None
        code = server.stop() if server else 0
        super().tearDownClass()
        if code != 0:
            raise AssertionError(f"glacier-mock exited with {code} after SIGTERM (expected 0); "
                                 "output:\n" + server.output())

    @property
    def endpoint(self):
        return self.server.endpoint

    def unique(self, stem):
        """A vault name no other test in this process uses."""
        ServerTestCase._counter = getattr(ServerTestCase, "_counter", 0) + 1
        return f"{stem}-{os.getpid()}-{ServerTestCase._counter}"

    def assert_server_alive(self):
        self.assertIsNone(self.server.process.poll(),
                          "glacier-mock exited unexpectedly; output:\n" + self.server.output())


def wait_until(predicate, timeout_s=JOB_TIMEOUT_S, interval_s=0.05, what="condition"):
    """Polls predicate() until it returns a truthy value; raises after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


def fail_missing(what):
    """Stops the run with a message saying how to install a missing test client."""
    raise SystemExit(f"{what} is missing for {sys.executable}: {INSTALL_HINT}")


def refusal_of(testcase, call, **kwargs):
    """Asserts that the boto3 `call` is refused; returns (HTTP status, code, message)."""
    from botocore.exceptions import ClientError  # only the boto3 suites need it
    with testcase.assertRaises(ClientError, msg=f"{call.__name__} was not refused") as caught:
        call(**kwargs)
    response = caught.exception.response
    return (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"],
            response["Error"]["Message"])


def admin(endpoint, method, path, body=None):
    """Calls the admin API (/_mock/...); returns the parsed JSON answer, or None."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(endpoint + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
        return json.loads(text) if text else None


# AWS CLI v1 is a Python package: when the `aws` on PATH is v1 and this interpreter can
# import the same version, each call runs in this process (about 0.07 s) instead of
# starting a new interpreter (about 1 s of CPU), which was most of the CLI suites' time.
# Its behaviour is the command's: the same driver, arguments, environment and exit code.
# v2 (a frozen binary, as on a fresh Debian) always runs as a command;
# GLACIER_E2E_AWS_SUBPROCESS=1 forces that for v1 too.
_cli_loader = None


def _in_process_cli(version_text):
    if os.environ.get("GLACIER_E2E_AWS_SUBPROCESS") == "1":
        return False
    match = re.match(r"aws-cli/(1\.\S+)", version_text)
    if not match:
        return False
    try:
        import awscli  # noqa: F401  (imported here: only v1 is importable)
        import awscli.clidriver  # noqa: F401
    except ImportError:
        return False
    return awscli.__version__ == match.group(1)


def _run_cli_in_process(args, env):
    """Runs `aws ARGS` with exactly `env` as the environment; a CompletedProcess."""
    import contextlib
    import io
    import awscli.clidriver
    global _cli_loader
    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        # Importing awscli adds its own models to AWS_DATA_PATH, as the `aws` command does.
        if "AWS_DATA_PATH" in saved:
            os.environ["AWS_DATA_PATH"] = saved["AWS_DATA_PATH"]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            driver = awscli.clidriver.create_clidriver()
            # The service models are read once; each call still gets a session of its own.
            if _cli_loader is None:
                _cli_loader = driver.session.get_component("data_loader")
            else:
                driver.session.register_component("data_loader", _cli_loader)
            try:
                code = driver.main(list(args))
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["aws", *args], code, out.getvalue(), err.getvalue())


class AwsCliTestCase(ServerTestCase):
    """A ServerTestCase that drives the server with `aws` (CLI v1 or v2, $AWS_CLI or PATH),
    isolated from the user's own AWS configuration."""

    COMMAND_TIMEOUT_S = 60

    @classmethod
    def setUpClass(cls):
        cls.aws_cli = os.environ.get("AWS_CLI") or shutil.which("aws")
        if not cls.aws_cli:
            fail_missing("the AWS CLI (`aws` on PATH)")
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="glacier-mock-awscli-")
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        cls.env.update({
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_PAGER": "",
            "AWS_CONFIG_FILE": os.path.join(cls.tmp.name, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(cls.tmp.name, "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
        })
        version = subprocess.run([cls.aws_cli, "--version"], env=cls.env, capture_output=True,
                                 text=True, timeout=cls.COMMAND_TIMEOUT_S)
        version_text = (version.stdout + version.stderr).strip()
        cls.in_process = _in_process_cli(version_text)
        mode = "run in this process" if cls.in_process else "run as a command"
        print(f"\nusing {cls.aws_cli}: {version_text} ({mode})", flush=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def aws(self, *args, expect_ok=True):
        """Runs `aws --endpoint-url ... glacier ARGS --output json`: the parsed JSON on
        success; with expect_ok=False, asserts it failed and returns its stderr.

        Pass ids as `--job-id=ID`: an id may start with "-", which the CLI's argument
        parser would otherwise take for an option."""
        command = [self.aws_cli, "--endpoint-url", self.endpoint, "--output", "json", "glacier",
                   *args]
        if self.in_process:
            result = _run_cli_in_process(command[1:], self.env)
        else:
            result = subprocess.run(command, env=self.env, capture_output=True, text=True,
                                    timeout=self.COMMAND_TIMEOUT_S, stdin=subprocess.DEVNULL)
        shown = " ".join(command[1:])
        if not expect_ok:
            self.assertNotEqual(result.returncode, 0, f"`aws {shown}` succeeded: {result.stdout}")
            return result.stderr
        self.assertEqual(result.returncode, 0,
                         f"`aws {shown}` failed ({result.returncode}):\n{result.stderr}")
        return json.loads(result.stdout) if result.stdout.strip() else {}
