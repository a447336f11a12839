#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "glacier/store/disk_io.hpp"

namespace glacier {

/// A write the disk refused (full, I/O error). Nothing of it is left in the journal.
class journal_write_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the disk holds, for /_mock/metrics.
struct journal_stats {
  std::uint64_t journal_bytes = 0;
  std::uint64_t blob_bytes = 0;
  std::uint64_t failed_writes = 0;
};

/// The on-disk state behind --data-dir: an append-only log of state records (one framed
/// JSON object a line, see journal_format.hpp) plus immutable blob files (archive bytes,
/// parts, inventory output). Every append and blob is synced before it returns, so
/// whatever a client was told succeeded survives a crash or kill -9. A failed append is
/// cut off again before append() throws, so the log always ends with an intact record.
/// Appends are serialised by the caller (the store's lock); blobs may be written from
/// any thread.
class journal {
 public:
  /// Opens (creating when needed) the journal in `dir`; throws std::runtime_error. Writes
  /// that would leave less than `reserve_bytes` free on the disk are refused, except the
  /// appends of changes that free space (a delete), which may use the reserve: on a full
  /// disk, deleting is the way out.
  explicit journal(std::filesystem::path dir, std::shared_ptr<disk_io> io = nullptr,
                   std::uint64_t reserve_bytes = 0);
  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  /// Appends one record and makes it durable; throws journal_write_error, leaving the
  /// log as it was. `frees_space`: the record's change frees space, so it may use the
  /// reserve.
  void append(const nlohmann::json& record, bool frees_space = false);
  /// The log's bytes as they are on disk.
  std::string read_log() const;
  /// True when the log file existed when this journal was opened.
  bool had_log() const { return had_log_; }
  /// Replaces the log with `records` (compaction), atomically; throws journal_write_error
  /// and leaves the old log in place.
  void rewrite(const std::vector<nlohmann::json>& records);
  /// Cuts the log back to `length` bytes (a torn tail left by a crash).
  void truncate_log(std::uint64_t length);

  /// Writes a blob durably (temporary file, sync, rename, directory sync); throws
  /// journal_write_error and leaves no file behind.
  void write_blob(const std::string& name, std::string_view data);
  /// Reads a blob back; null when it is missing or unreadable.
  std::shared_ptr<const std::string> read_blob(const std::string& name) const;
  /// Removes a blob; a missing one is fine.
  void remove_blob(const std::string& name);
  /// Names of the files in the blob folder.
  std::vector<std::string> blob_names() const;
  /// Moves every blob whose name is not in `keep` (and leftover temporary files) to
  /// lost+found/ in the data directory; returns the names moved. Start-up never deletes
  /// what it cannot account for.
  std::vector<std::string> move_blobs_except(const std::set<std::string>& keep);
  /// Removes every record and blob (admin reset); throws journal_write_error.
  void clear();

  /// Sizes on disk and writes refused so far.
  journal_stats stats() const;
  /// The log file's path, for messages.
  std::filesystem::path log_path() const;
  /// The data directory.
  const std::filesystem::path& dir() const { return dir_; }

 private:
  void open_log();
  /// Refuses (ENOSPC) a write of `bytes` that would eat into the reserve.
  void check_room(std::uint64_t bytes);
  /// Cuts the log back to its last intact record after a failed append; false when even
  /// that failed (the journal then refuses appends until a later attempt succeeds).
  bool restore_length();
  /// Counts a refused write, logs when it is the first since writes last succeeded, and
  /// throws journal_write_error.
  [[noreturn]] void refuse(const std::string& what, int error_number);
  /// Logs once when writes succeed again after being refused.
  void note_success();

  std::filesystem::path dir_;
  std::shared_ptr<disk_io> io_;
  std::uint64_t reserve_bytes_ = 0;
  int log_fd_ = -1;
  int dir_fd_ = -1;  ///< the data directory, for free-space queries from any thread
  bool had_log_ = false;
  std::uint64_t length_ = 0;   ///< the log's intact length; only under the caller's lock
  bool damaged_tail_ = false;  ///< a failed append could not be cut off yet
  std::atomic<std::uint64_t> published_length_{0};
  std::atomic<std::uint64_t> blob_bytes_{0};
  std::atomic<std::uint64_t> failed_writes_{0};
  std::atomic<bool> failing_{false};  ///< the last write was refused
};

}  // namespace glacier
