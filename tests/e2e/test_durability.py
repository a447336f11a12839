"""--data-dir as a harsh user tries it: a disk that fills up, and SIGKILL at random moments.

A 201 or 204 is a promise: what was acknowledged is there after a restart, what was
refused is not, and a multipart upload completed at the moment of a kill comes back as
either its archive or its upload, never both.

Run: GLACIER_MOCK_BIN=build/dev/glacier-mock python3 -m unittest -v test_durability
(from tests/e2e; ctest does this).
"""

import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

from harness import Server, admin, fail_missing, server_binary, tree_hash

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    fail_missing("boto3")

MIB = 1024 * 1024
REFUSED_LOG = "changes are refused"


def glacier_client(endpoint):
    return boto3.client(
        "glacier", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=15))


def vault_state(endpoint, vault):
    """(archives: id -> (size, tree hash, description), uploads: id -> description)."""
    body = admin(endpoint, "GET", f"/_mock/state?vault={vault}")
    archives, uploads = {}, {}
    for account in body["accounts"]:
        for v in account["vaults"]:
            for a in v["archives"]:
                archives[a["archive_id"]] = (a["size"], a["sha256_tree_hash"], a["description"])
            for u in v["multipart_uploads"]:
                uploads[u["upload_id"]] = u["description"]
    return archives, uploads


def metric(endpoint, name):
    with urllib.request.urlopen(endpoint + "/_mock/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return int(line.split()[1])
    raise AssertionError(f"no {name} in /_mock/metrics")


def error_of(e):
    return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]


class FullDiskTest(unittest.TestCase):
    """The data dir on an 8 MiB tmpfs, filled by uploads until the disk says no."""

    SIZE = "8m"

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("filling a real disk needs a small tmpfs, and mounting one needs "
                          "root: run the e2e suite as root to include this test")
        self.mountpoint = tempfile.mkdtemp(prefix="glacier-mock-tmpfs-")
        self.addCleanup(shutil.rmtree, self.mountpoint, True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.SIZE}", "tmpfs",
                                  self.mountpoint], capture_output=True, text=True)
        if mounted.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", "-l", self.mountpoint], check=False)

    def test_a_full_disk_refuses_cleanly_and_deleting_makes_room(self):
        args = ("--data-dir", os.path.join(self.mountpoint, "data"))
        server = Server(*args).start()
        self.addCleanup(server.stop)
        glacier = glacier_client(server.endpoint)
        glacier.create_vault(vaultName="v")
        rng = random.Random(13)
        acknowledged = {}
        refused = 0
        # Big uploads first, then ever smaller ones, until even the smallest is refused.
        for size in (512 * 1024, 64 * 1024, 4096, 1):
            for i in range(64):
                data = rng.randbytes(size)
                try:
                    r = glacier.upload_archive(vaultName="v", body=data,
                                               archiveDescription=f"{size}-{i}")
                except ClientError as e:
                    self.assertEqual(error_of(e), ("ServiceUnavailableException", 500))
                    refused += 1
                    break
                acknowledged[r["archiveId"]] = (len(data), tree_hash(data))
        self.assertEqual(refused, 4, "the disk never filled up")
        archives, _ = vault_state(server.endpoint, "v")
        self.assertEqual(set(archives), set(acknowledged), "a refused upload is visible")

        # Small records may still fit in what the journal's last page holds: vaults until
        # the disk is really full.
        fillers = []
        for i in range(200):
            try:
                glacier.create_vault(vaultName=f"filler-{i}")
            except ClientError as e:
                self.assertEqual(error_of(e), ("ServiceUnavailableException", 500))
                break
            fillers.append(f"filler-{i}")
        with self.assertRaises(ClientError) as caught:
            glacier.create_vault(vaultName="refused")
        self.assertEqual(error_of(caught.exception), ("ServiceUnavailableException", 500))
        with self.assertRaises(ClientError) as caught:
            glacier.describe_vault(vaultName="refused")
        self.assertEqual(error_of(caught.exception)[0], "ResourceNotFoundException")

        # A disk that stays full says so once, not once per request.
        lines = server.output().count(REFUSED_LOG)
        for _ in range(20):
            with self.assertRaises(ClientError):
                glacier.create_vault(vaultName="refused")
        self.assertGreaterEqual(lines, 1, server.output())
        self.assertEqual(server.output().count(REFUSED_LOG), lines, server.output())
        self.assertGreaterEqual(metric(server.endpoint, "glacier_failed_writes_total"), 25)

        # Deleting is the way out: it frees the archives' space on the spot.
        used = metric(server.endpoint, "glacier_data_dir_bytes")
        for archive_id in [a for a, (size, _) in acknowledged.items() if size == 512 * 1024][:4]:
            glacier.delete_archive(vaultName="v", archiveId=archive_id)
            del acknowledged[archive_id]
        # 2 MiB of archives went; the journal grew by the four delete records.
        self.assertLess(metric(server.endpoint, "glacier_data_dir_bytes"), used - 2 * MIB + 16384)
        glacier.create_vault(vaultName="after")
        data = rng.randbytes(100 * 1024)
        r = glacier.upload_archive(vaultName="v", body=data)
        acknowledged[r["archiveId"]] = (len(data), tree_hash(data))
        self.assertEqual(server.stop(), 0, server.output())

        restarted = Server(*args).start()
        self.addCleanup(restarted.stop)
        archives, _ = vault_state(restarted.endpoint, "v")
        self.assertEqual({a: facts[:2] for a, facts in archives.items()}, acknowledged)
        names = [v["VaultName"] for v in glacier_client(restarted.endpoint).list_vaults()
                 ["VaultList"]]
        self.assertEqual(names[:1] + names[-1:], ["after", "v"])
        self.assertEqual(sorted(names[1:-1]), sorted(fillers))
        self.assertEqual(restarted.stop(), 0, restarted.output())


class CrashLoopTest(unittest.TestCase):
    """Concurrent uploads, deletes and multipart completes, SIGKILL at a random moment,
    restart (every other time killed once more while it replays), check every
    acknowledged change; ROUNDS times, in well under a minute."""

    ROUNDS = 8
    WORKERS = 3
    VAULT = "crash"

    def setUp(self):
        self.data_dir = tempfile.TemporaryDirectory(prefix="glacier-mock-crash-")
        self.addCleanup(self.data_dir.cleanup)
        self.args = ("--data-dir", self.data_dir.name)
        self.lock = threading.Lock()
        self.live = {}           # archive id -> (size, tree hash): acknowledged, not deleted
        self.deleted = set()     # acknowledged deletes
        self.in_doubt = set()    # deletes in flight at a kill: either outcome is right
        self.multipart = {}      # description -> "open", "completing" or an archive id
        self.errors = []

    def work(self, endpoint, worker, round_no, stop):
        rng = random.Random(round_no * 100 + worker)
        glacier = glacier_client(endpoint)
        pending = None  # what this worker has in flight, to settle if the server dies
        try:
            while not stop.is_set():
                choice = rng.random()
                with self.lock:
                    live = list(self.live)
                if choice < 0.45 or not live:
                    data = rng.randbytes(rng.randrange(1, 64 * 1024))
                    pending = ("upload",)
                    r = glacier.upload_archive(vaultName=self.VAULT, body=data)
                    with self.lock:
                        self.live[r["archiveId"]] = (len(data), tree_hash(data))
                elif choice < 0.65:
                    archive_id = rng.choice(live)
                    with self.lock:
                        if archive_id not in self.live:
                            continue
                        del self.live[archive_id]
                        self.in_doubt.add(archive_id)
                    pending = ("delete", archive_id)
                    glacier.delete_archive(vaultName=self.VAULT, archiveId=archive_id)
                    with self.lock:
                        self.in_doubt.discard(archive_id)
                        self.deleted.add(archive_id)
                else:
                    description = f"mp-{round_no}-{worker}-{rng.getrandbits(32)}"
                    data = rng.randbytes(rng.randrange(1, 256 * 1024))
                    pending = ("initiate", description)
                    upload_id = glacier.initiate_multipart_upload(
                        vaultName=self.VAULT, archiveDescription=description,
                        partSize=str(MIB))["uploadId"]
                    with self.lock:
                        self.multipart[description] = "open"
                    pending = ("part", description)
                    glacier.upload_multipart_part(
                        vaultName=self.VAULT, uploadId=upload_id, body=data,
                        range=f"bytes 0-{len(data) - 1}/*")
                    with self.lock:
                        self.multipart[description] = "completing"
                    pending = ("complete", description)
                    r = glacier.complete_multipart_upload(
                        vaultName=self.VAULT, uploadId=upload_id, archiveSize=str(len(data)),
                        checksum=tree_hash(data))
                    with self.lock:
                        self.multipart[description] = r["archiveId"]
                        self.live[r["archiveId"]] = (len(data), tree_hash(data))
                pending = None
        except (BotoCoreError, ConnectionError) as e:
            if not stop.is_set():
                self.errors.append(f"worker {worker}: {e!r} before the kill")
        except ClientError as e:
            self.errors.append(f"worker {worker}: {e!r} (pending {pending})")

    def check(self, endpoint, round_no):
        archives, uploads = vault_state(endpoint, self.VAULT)
        with self.lock:
            missing = [a for a in self.live if a not in archives]
            self.assertEqual(missing, [], f"round {round_no}: acknowledged archives lost")
            wrong = [a for a, facts in self.live.items() if archives[a][:2] != facts]
            self.assertEqual(wrong, [], f"round {round_no}: archives changed")
            back = [a for a in self.deleted if a in archives]
            self.assertEqual(back, [], f"round {round_no}: deleted archives came back")
            for archive_id in list(self.in_doubt):
                self.in_doubt.discard(archive_id)
                if archive_id in archives:
                    self.live[archive_id] = archives[archive_id][:2]
                else:
                    self.deleted.add(archive_id)
            by_description = {}
            for archive_id, (size, tree, description) in archives.items():
                by_description.setdefault(description, []).append(("archive", archive_id))
            for description in uploads.values():
                by_description.setdefault(description, []).append(("upload", None))
            for description, state in self.multipart.items():
                found = by_description.get(description, [])
                if state in ("open", "completing"):
                    self.assertEqual(len(found), 1, f"round {round_no}: {description} "
                                     f"({state} at the kill) came back as {found}")
                    kind, archive_id = found[0]
                    if kind == "archive":
                        self.assertEqual(state, "completing", description)
                        self.multipart[description] = archive_id
                        self.live[archive_id] = archives[archive_id][:2]
                elif state in self.live:
                    self.assertEqual(found, [("archive", state)],
                                     f"round {round_no}: {description} completed as {state}")
                else:
                    self.assertEqual(found, [], f"round {round_no}: {description} deleted")
        # A sample of the bytes themselves.
        for archive_id in random.Random(round_no).sample(sorted(self.live),
                                                         min(5, len(self.live))):
            with urllib.request.urlopen(f"{endpoint}/_mock/archives/{archive_id}",
                                        timeout=10) as response:
                data = response.read()
            self.assertEqual((len(data), tree_hash(data)), self.live[archive_id])

    def kill_during_replay(self, rng):
        """SIGKILL while the next start replays and compacts the journal."""
        process = subprocess.Popen([server_binary(), "--port", "0", *self.args],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.08))
        process.kill()
        process.wait(10)

    def test_sigkill_during_concurrent_changes_loses_nothing_acknowledged(self):
        started = time.monotonic()
        rng = random.Random(2026)
        server = Server(*self.args).start()
        glacier_client(server.endpoint).create_vault(vaultName=self.VAULT)
        for round_no in range(self.ROUNDS):
            stop = threading.Event()
            workers = [threading.Thread(target=self.work,
                                        args=(server.endpoint, w, round_no, stop), daemon=True)
                       for w in range(self.WORKERS)]
            for thread in workers:
                thread.start()
            time.sleep(rng.uniform(0.5, 2.0))
            stop.set()
            server.process.kill()
            server.process.wait(10)
            for thread in workers:
                thread.join(20)
            server.stop()
            self.assertEqual(self.errors, [], server.output())
            if round_no % 2 == 1:
                self.kill_during_replay(rng)
            server = Server(*self.args).start()
            self.check(server.endpoint, round_no)
        self.addCleanup(server.stop)
        with self.lock:
            total = len(self.live) + len(self.deleted)
        self.assertGreater(total, 20, "too little work got through")
        took = time.monotonic() - started
        print(f"\n{self.ROUNDS} kills: {len(self.live)} archives live, {len(self.deleted)} "
              f"deleted, {len(self.multipart)} multipart uploads, {took:.1f} s", flush=True)
        self.assertLess(took, 90)


if __name__ == "__main__":
    unittest.main(verbosity=2)
