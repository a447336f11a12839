#pragma once

// Helpers for tests of --data-dir: a temporary directory, a disk that fills up on cue, and
// an api_harness that loads from and writes to a directory as the application does.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>

#include "glacier/store/disk_io.hpp"
#include "glacier/store/journal.hpp"
#include "support/api_harness.hpp"

namespace glacier::testing {

/// A directory of the test's own under the temporary directory, removed afterwards.
struct temp_data_dir {
  explicit temp_data_dir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("glacier-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
  }
  ~temp_data_dir() { std::filesystem::remove_all(path); }
  temp_data_dir(const temp_data_dir&) = delete;
  temp_data_dir& operator=(const temp_data_dir&) = delete;

  std::filesystem::path path;
};

/// A disk that takes `budget` more bytes and then answers ENOSPC (the write that crosses
/// the budget is cut short there, as a real disk does); sync and truncate can be made to
/// fail with EIO.
class filling_disk : public disk_io {
 public:
  ssize_t write(int fd, const void* data, std::size_t size) override {
    const auto left = budget.load();
    if (left <= 0) {
      errno = ENOSPC;
      return -1;
    }
    const auto n = std::min<std::size_t>(size, static_cast<std::size_t>(left));
    const auto written = ::write(fd, data, n);
    if (written > 0) budget -= written;
    return written;
  }
  int sync(int fd) override {
    if (fail_sync) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  }
  int truncate(int fd, off_t size) override {
    if (fail_truncate) {
      errno = EIO;
      return -1;
    }
    return ::ftruncate(fd, size);
  }
  std::uint64_t free_bytes(int) override {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(budget.load(), 0));
  }
  void fill() { budget = 0; }
  void free_space() { budget = std::numeric_limits<std::int64_t>::max(); }

  std::atomic<std::int64_t> budget{std::numeric_limits<std::int64_t>::max()};
  std::atomic<bool> fail_sync{false};
  std::atomic<bool> fail_truncate{false};
};

/// An api_harness whose store loads from `dir` (throwing what load_journal throws) and
/// writes to it from then on; `disk` must outlive the harness.
inline std::unique_ptr<api_harness> start_on_disk(const std::filesystem::path& dir,
                                                  std::unique_ptr<journal>& disk,
                                                  std::shared_ptr<disk_io> io = nullptr,
                                                  bool recover = false, std::uint64_t seed = 42,
                                                  std::uint64_t reserve_bytes = 0) {
  auto h = std::make_unique<api_harness>(seed);
  disk = std::make_unique<journal>(dir, std::move(io), reserve_bytes);
  h->clock.advance(h->store.load_journal(*disk, recover));
  for (const auto& timer : h->store.pending_jobs()) h->scheduler.schedule(timer);
  return h;
}

}  // namespace glacier::testing
