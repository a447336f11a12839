// libFuzzer entry point: arbitrary bytes as the journal of a --data-dir, loaded as at
// start-up (the first byte picks --recover). Whatever the bytes, loading must not crash,
// and it must not delete a file: every blob is still in blobs/ or set aside in
// lost+found/ afterwards. See fuzz/README.md.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>

#include "fuzz_world.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"
#include "glacier/core/ids.hpp"
#include "glacier/store/disk_io.hpp"
#include "glacier/store/journal.hpp"
#include "glacier/store/store.hpp"

namespace {

namespace fs = std::filesystem;

// Files the journal's records may name (archive ids of the seed corpus) and one nothing
// names: start-up may move them, never delete them.
const char* const seeded_blobs[] = {"a-seeded-archive", "j-seeded-job", "stray"};

fs::path& data_dir() {
  static fs::path dir;
  return dir;
}

void put_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The journal's syncs make each input wait on the disk; what the harness checks (no crash,
// no file deleted) does not depend on durability, so they are skipped.
class unsynced_disk final : public glacier::disk_io {
 public:
  int sync(int /*fd*/) override { return 0; }
};

std::size_t files_in(const fs::path& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

// The data dir is made once per process; each input only rewrites journal.log, and the
// blobs a load moved aside are put back afterwards (restore_blobs), so every input meets
// the same three blobs without building a directory tree for it.
void make_dir() {
  const auto& dir = data_dir();
  fs::remove_all(dir);
  fs::create_directories(dir / "blobs");
  for (const auto* name : seeded_blobs) put_file(dir / "blobs" / name, name);
}

// Aborts unless every seeded blob is still in blobs/ or was moved to lost+found/ under its
// own name (lost+found/ starts empty, so no ".N" suffix), and nothing else appeared.
void check_nothing_deleted() {
  const auto& dir = data_dir();
  for (const auto* name : seeded_blobs) {
    if (fs::exists(dir / "blobs" / name) || fs::exists(dir / "lost+found" / name)) continue;
    std::fprintf(stderr, "glacier fuzz: loading the journal deleted %s\n", name);
    std::abort();
  }
  const auto files = files_in(dir / "blobs") + files_in(dir / "lost+found");
  if (files != std::size(seeded_blobs)) {
    std::fprintf(stderr, "glacier fuzz: %zu blob files after loading, %zu before\n", files,
                 std::size(seeded_blobs));
    std::abort();
  }
}

// Moves what loading set aside back into blobs/, as the next input must find it.
void restore_blobs() {
  const auto& dir = data_dir();
  for (const auto* name : seeded_blobs) {
    const auto moved = dir / "lost+found" / name;
    if (fs::exists(moved)) fs::rename(moved, dir / "blobs" / name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  glacier::fuzz::init_logging();
  // Memory-backed when the system has it: every input rewrites journal.log.
  const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  data_dir() = base / ("glacier-journal-fuzz-" + std::to_string(::getpid()));
  make_dir();
  std::atexit([] { fs::remove_all(data_dir()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool recover = data[0] & 1;
  put_file(data_dir() / "journal.log",
           std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  glacier::manual_clock clock(glacier::time_point(glacier::duration(1704067200000LL)));
  glacier::id_generator ids(42);
  glacier::config cfg;
  glacier::store store(clock, ids, cfg);
  try {
    glacier::journal journal(data_dir(), std::make_shared<unsynced_disk>());
    store.load_journal(journal, recover);
    // A loaded store must answer what a server asks of it first.
    (void)store.pending_jobs();
    (void)store.stats();
    (void)store.snapshot(std::nullopt, std::nullopt, 10);
  } catch (const std::runtime_error&) {
    // Refusing to start over damage is a fine outcome; what it refuses with is tested in
    // tests/unit/store/loader_damage_test.cpp.
  }
  std::string unexpected;
  glacier::fuzz::take_unexpected_error(unexpected);  // load notes are warnings, not errors
  check_nothing_deleted();
  restore_blobs();
  return 0;
}
