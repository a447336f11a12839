"""The Dockerfile agrees with the build, checked without a Docker engine.

Parses the Dockerfile at the repository root and runs the built binary the way the image
would: the ENTRYPOINT's arguments, the image's ENV, the HEALTHCHECK command and its
timeout. Also checks that every shared library the binary links comes from a Debian package
the runtime stage installs (or that bookworm-slim already has).

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_packaging
(from tests/e2e; ctest does this). Standard library only; needs ldd and dpkg-query.
"""

import http.client
import http.server
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from harness import server_binary

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCKERFILE = os.path.join(ROOT, "Dockerfile")
STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 5.0
# Packages debian:bookworm-slim already holds (apt itself needs them).
SLIM_BASE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1"}
_LISTENING = re.compile(r"listening on http://([^\s:]+|\[[^\]]+\]):(\d+)")


def parse_dockerfile(path=DOCKERFILE):
    """[(stage index, INSTRUCTION, arguments)], continuation lines joined, comments dropped."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    if current:
        logical.append(current)
    instructions, stage = [], -1
    for entry in logical:
        keyword, _, rest = entry.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append((stage, keyword, rest.strip()))
    return instructions


def exec_form(arguments, what):
    """The JSON array of an exec-form instruction; fails on the shell form."""
    try:
        value = json.loads(arguments)
    except ValueError:
        raise AssertionError(f"{what} must use the exec form (a JSON array): {arguments}")
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise AssertionError(f"{what} must be a non-empty JSON array of strings: {arguments}")
    return value


def duration_s(text):
    """A Docker duration such as 3s, 500ms or 1m30s, in seconds."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise AssertionError(f"not a Docker duration: {text}")
    return sum(float(n) * units[u] for n, u in parts)


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary_env(overrides):
    """The test's environment without GLACIER_MOCK_* settings, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLACIER_MOCK_")}
    env.update(overrides)
    return env


class Dockerfile:
    """What the tests need from the Dockerfile, read once."""

    def __init__(self):
        self.instructions = parse_dockerfile()
        self.stages = max(stage for stage, _, _ in self.instructions) + 1
        runtime = self.stages - 1
        self.runtime = [(k, a) for s, k, a in self.instructions if s == runtime]
        self.build = [(k, a) for s, k, a in self.instructions if s < runtime]

    def runtime_all(self, keyword):
        return [a for k, a in self.runtime if k == keyword]

    def runtime_last(self, keyword):
        values = self.runtime_all(keyword)
        if not values:
            raise AssertionError(f"the runtime stage has no {keyword}")
        return values[-1]

    def entrypoint(self):
        return exec_form(self.runtime_last("ENTRYPOINT"), "ENTRYPOINT")

    def healthcheck(self):
        """(options {name: value}, exec-form command)."""
        arguments = self.runtime_last("HEALTHCHECK")
        options = {}
        while arguments.startswith("--"):
            option, _, arguments = arguments.partition(" ")
            name, _, value = option[2:].partition("=")
            options[name] = value
            arguments = arguments.lstrip()
        if not arguments.upper().startswith("CMD "):
            raise AssertionError(f"HEALTHCHECK must run a CMD: {arguments}")
        return options, exec_form(arguments[4:].strip(), "HEALTHCHECK CMD")

    def env(self):
        """ENV key=value pairs of the runtime stage."""
        values = {}
        for arguments in self.runtime_all("ENV"):
            for item in shlex.split(arguments):
                key, sep, value = item.partition("=")
                if not sep:
                    raise AssertionError(f"use ENV KEY=VALUE: {arguments}")
                values[key] = value
        return values

    def runtime_packages(self):
        """Packages the runtime stage's `apt-get install` lines name."""
        packages = set()
        for arguments in self.runtime_all("RUN"):
            for command in re.split(r"&&|;", arguments):
                words = shlex.split(command)
                if "apt-get" in words and "install" in words:
                    after = words[words.index("install") + 1:]
                    packages.update(w.partition("=")[0] for w in after if not w.startswith("-"))
        return packages


class Running:
    """The binary started as the image starts it; stopped with SIGTERM like `docker stop`."""

    def __init__(self, argv, env):
        self.workdir = tempfile.TemporaryDirectory(prefix="glacier-mock-packaging-")
        self.process = subprocess.Popen(argv, cwd=self.workdir.name, env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        self.lines = []
        self.address = None
        self._found = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._found.wait(STARTUP_TIMEOUT_S):
            self.kill()
            raise AssertionError(f"no 'listening on' line within {STARTUP_TIMEOUT_S} s from "
                                 f"{argv}; output:\n" + self.output())

    def _read(self):
        for raw in iter(self.process.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            match = _LISTENING.search(line)
            if match and not self._found.is_set():
                self.address = (match.group(1), int(match.group(2)))
                self._found.set()
        self.process.stdout.close()

    def output(self):
        return "\n".join(self.lines[-50:])

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(SHUTDOWN_TIMEOUT_S)
        self._reader.join(SHUTDOWN_TIMEOUT_S)
        self.workdir.cleanup()

    def stop(self):
        """SIGTERM; the exit status, or an AssertionError when it does not exit in time."""
        try:
            self.process.send_signal(signal.SIGTERM)
            return self.process.wait(SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"no exit within {SHUTDOWN_TIMEOUT_S} s of SIGTERM; output:\n"
                                 + self.output())
        finally:
            self.kill()


class Handler503(http.server.BaseHTTPRequestHandler):
    """Something that listens but is not healthy."""

    def do_GET(self):
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class DockerfileMatchesBuild(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dockerfile = Dockerfile()
        cls.binary = os.path.abspath(server_binary())

    def test_two_stages_build_with_the_quick_start_steps(self):
        self.assertGreaterEqual(self.dockerfile.stages, 2, "expected a build and a runtime stage")
        build_runs = " ".join(a for k, a in self.dockerfile.build if k == "RUN")
        # The same steps as scripts/start.sh, which README's quick start runs.
        with open(os.path.join(ROOT, "scripts", "start.sh"), encoding="utf-8") as f:
            start = f.read()
        for step in ("scripts/install-deps.sh", "cmake --preset release",
                     "cmake --build --preset release", "--target glacier-mock"):
            self.assertIn(step, start, "scripts/start.sh changed; update this test")
            self.assertIn(step, build_runs, f"the build stage does not run {step!r}")

    def test_entrypoint_is_the_binary_copied_from_the_release_build(self):
        entrypoint = self.dockerfile.entrypoint()
        self.assertEqual(len(entrypoint), 1, f"ENTRYPOINT passes arguments: {entrypoint}")
        target = entrypoint[0]
        copies = [a.split() for a in self.dockerfile.runtime_all("COPY")]
        sources = [words[-2] for words in copies
                   if words[-1] == target and any(w.startswith("--from=") for w in words)]
        self.assertEqual(len(sources), 1, f"no COPY --from=... to {target}: {copies}")
        # CMakePresets.json puts each preset's tree in build/<preset>; the target names the file.
        self.assertTrue(sources[0].endswith("/build/release/glacier-mock"), sources[0])
        self.assertEqual(os.path.basename(self.binary), os.path.basename(target))

    def test_runtime_runs_as_a_non_root_user_on_the_default_port(self):
        user = self.dockerfile.runtime_last("USER").split(":")[0]
        self.assertNotIn(user, ("root", "0"), "the image must not run as root")
        self.assertEqual(self.dockerfile.env().get("GLACIER_MOCK_HOST"), "0.0.0.0")
        help_text = subprocess.run([self.binary, "--help"], capture_output=True, text=True,
                                   timeout=10, check=True).stdout
        default_port = re.search(r'file key "port", default (\d+)', help_text)
        self.assertIsNotNone(default_port, "--help no longer names the port's default")
        self.assertIn(default_port.group(1), self.dockerfile.runtime_last("EXPOSE").split())

    def test_runtime_stage_installs_every_linked_library(self):
        ldd = subprocess.run(["ldd", self.binary], capture_output=True, text=True, timeout=10,
                             check=True).stdout
        libraries = re.findall(r"=>\s*(/\S+)", ldd)
        self.assertTrue(libraries, f"ldd found no libraries:\n{ldd}")
        installed = self.dockerfile.runtime_packages() | SLIM_BASE_PACKAGES
        for library in libraries:
            package = self.owning_package(library)
            self.assertIn(package, installed,
                          f"{self.binary} links {library} from {package}, which the Dockerfile's "
                          f"runtime stage does not install (it installs {sorted(installed)})")

    @staticmethod
    def owning_package(library):
        # With merged /usr, dpkg may know the file under /lib or /usr/lib, or the real path.
        candidates = [library, os.path.realpath(library)]
        for path in list(candidates):
            if path.startswith("/usr/"):
                candidates.append(path[len("/usr"):])
            else:
                candidates.append("/usr" + path)
        for path in candidates:
            result = subprocess.run(["dpkg-query", "-S", path], capture_output=True, text=True,
                                    timeout=10)
            if result.returncode == 0:
                return result.stdout.split(":")[0].strip()
        raise AssertionError(f"no Debian package owns {library} (tried {candidates}); "
                             "these checks need Debian's dpkg-query")


class ImageCommandsWork(unittest.TestCase):
    """The ENTRYPOINT and HEALTHCHECK commands, run here with the image's environment."""

    @classmethod
    def setUpClass(cls):
        dockerfile = Dockerfile()
        binary = os.path.abspath(server_binary())
        # The image's paths point into the image; run the binary under test in their place.
        entrypoint = dockerfile.entrypoint()
        options, health = dockerfile.healthcheck()
        if health[0] != entrypoint[0]:
            raise AssertionError(f"HEALTHCHECK runs {health[0]}, not the ENTRYPOINT binary "
                                 f"{entrypoint[0]}")
        cls.entrypoint = [binary] + entrypoint[1:]
        cls.health = [binary] + health[1:]
        cls.health_timeout_s = duration_s(options.get("timeout", "30s"))
        cls.image_env = dockerfile.env()

    def run_healthcheck(self, port):
        env = binary_env({**self.image_env, "GLACIER_MOCK_PORT": str(port)})
        with tempfile.TemporaryDirectory(prefix="glacier-mock-health-") as workdir:
            started = time.monotonic()
            try:
                result = subprocess.run(self.health, cwd=workdir, env=env, capture_output=True,
                                        text=True, timeout=self.health_timeout_s)
            except subprocess.TimeoutExpired:
                self.fail(f"{self.health} took longer than the HEALTHCHECK timeout "
                          f"({self.health_timeout_s} s) against port {port}")
        return result, time.monotonic() - started

    def test_entrypoint_listens_on_all_interfaces_and_answers_health(self):
        server = Running(self.entrypoint + ["--port", "0"], binary_env(self.image_env))
        try:
            host, port = server.address
            self.assertEqual(host, "0.0.0.0", server.output())
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/_mock/health")
                response = connection.getresponse()
                body = json.loads(response.read())
            finally:
                connection.close()
            self.assertEqual(response.status, 200)
            self.assertEqual(body["status"], "ok")
        finally:
            code = server.stop()
        self.assertEqual(code, 0, "SIGTERM (docker stop) must end it with status 0; output:\n"
                         + server.output())

    def test_healthcheck_exits_0_against_a_running_server(self):
        server = Running(self.entrypoint + ["--port", "0"], binary_env(self.image_env))
        try:
            result, _ = self.run_healthcheck(server.address[1])
            self.assertEqual(result.returncode, 0,
                             f"{self.health} failed against a healthy server: {result}")
            self.assertNotIn("listening on", result.stdout + result.stderr,
                             "--healthcheck must not start a server")
        finally:
            server.stop()

    def test_healthcheck_exits_1_against_a_closed_port(self):
        result, _ = self.run_healthcheck(free_port())
        self.assertEqual(result.returncode, 1, f"expected exit 1: {result}")

    def test_healthcheck_gives_up_within_the_timeout_when_no_answer_comes(self):
        # Listens (the kernel completes the connection) but never answers.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            result, took = self.run_healthcheck(silent.getsockname()[1])
        self.assertEqual(result.returncode, 1, f"expected exit 1 without an answer: {result}")
        self.assertLess(took, self.health_timeout_s)

    def test_healthcheck_exits_1_when_health_is_not_200(self):
        unhealthy = http.server.HTTPServer(("127.0.0.1", 0), Handler503)
        thread = threading.Thread(target=unhealthy.serve_forever, daemon=True)
        thread.start()
        try:
            result, _ = self.run_healthcheck(unhealthy.server_address[1])
        finally:
            unhealthy.shutdown()
            unhealthy.server_close()
            thread.join(SHUTDOWN_TIMEOUT_S)
        self.assertEqual(result.returncode, 1, f"expected exit 1 for a 503: {result}")


if __name__ == "__main__":
    unittest.main()


def _io_threads_line(server):
    return next((l for l in server.lines if "I/O threads:" in l), None)


def _cgroup_v1_cpu_dir():
    """A writable cgroup v1 cpu hierarchy, or None (then the quota test says why it skips)."""
    for mount in ("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"):
        if os.path.isfile(os.path.join(mount, "cpu.cfs_quota_us")) and os.access(mount, os.W_OK):
            return mount
    return None


class ThreadsFollowUsableCpus(unittest.TestCase):
    """--io-threads 0 sizes the pool by the CPUs the process may use, as a container would."""

    def start(self, prefix, args=()):
        binary = os.path.abspath(server_binary())
        server = Running(prefix + [binary, "--port", "0", *args], binary_env({}))
        self.addCleanup(server.kill)
        return server

    def test_an_affinity_mask_of_one_cpu_gives_one_io_thread(self):
        server = self.start(["taskset", "-c", str(min(os.sched_getaffinity(0)))])
        line = _io_threads_line(server)
        self.assertIsNotNone(line, server.output())
        self.assertIn("I/O threads: 1 (1 CPU in the affinity mask", line)

    def test_an_explicit_count_is_not_logged_as_derived(self):
        server = self.start([], ["--io-threads", "3"])
        self.assertIsNone(_io_threads_line(server), server.output())

    def test_a_cgroup_quota_below_the_affinity_limits_the_threads(self):
        if len(os.sched_getaffinity(0)) < 2:
            self.skipTest("needs at least 2 CPUs in the affinity mask to see a quota limit")
        mount = _cgroup_v1_cpu_dir()
        if os.path.isfile("/sys/fs/cgroup/cgroup.controllers") and os.access(
                "/sys/fs/cgroup", os.W_OK):
            group = os.path.join("/sys/fs/cgroup", f"glacier-mock-test-{os.getpid()}")
            os.mkdir(group)
            self.addCleanup(os.rmdir, group)
            try:
                with open(os.path.join(group, "cpu.max"), "w") as f:
                    f.write("50000 100000")
            except OSError as e:
                self.skipTest(f"cgroup v2 without the cpu controller delegated: {e}")
            tasks = os.path.join(group, "cgroup.procs")
        elif mount:
            group = os.path.join(mount, f"glacier-mock-test-{os.getpid()}")
            os.mkdir(group)
            self.addCleanup(os.rmdir, group)
            with open(os.path.join(group, "cpu.cfs_period_us"), "w") as f:
                f.write("100000")
            with open(os.path.join(group, "cpu.cfs_quota_us"), "w") as f:
                f.write("50000")
            tasks = os.path.join(group, "tasks")
        else:
            self.skipTest("no writable cgroup cpu controller (needs root outside a container)")
        # The shell joins the group, then becomes the server, so the server starts inside it.
        server = self.start(["sh", "-c", f'echo $$ > {shlex.quote(tasks)} && exec "$@"', "sh"])
        line = _io_threads_line(server)
        self.assertIsNotNone(line, server.output())
        self.assertIn("I/O threads: 1 (", line)
        self.assertIn("cgroup quota 0.5 CPUs", line)
        # Even at once after the startup line and on half a CPU, SIGTERM is a clean exit.
        self.assertEqual(server.stop(), 0, server.output())
