#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace glacier {

/// The on-disk state behind --data-dir: an append-only log of state records (one JSON
/// object a line) plus immutable blob files (archive bytes, parts, inventory output).
/// Every append and blob is fsynced before it returns, so whatever a client was told
/// succeeded survives a crash or kill -9; a torn last line is ignored on load.
class journal {
 public:
  /// Opens (creating when needed) the journal in `dir`; throws std::runtime_error.
  explicit journal(std::filesystem::path dir);
  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  /// Appends one record and makes it durable.
  void append(const nlohmann::json& record);
  /// Every complete record, oldest first.
  std::vector<nlohmann::json> records() const;
  /// Replaces the log with `records` (compaction at start-up), atomically.
  void rewrite(const std::vector<nlohmann::json>& records);

  /// Writes a blob durably (temporary file, fsync, rename, directory fsync).
  void write_blob(const std::string& name, std::string_view data);
  /// Reads a blob back; throws when it is missing.
  std::shared_ptr<const std::string> read_blob(const std::string& name) const;
  /// Removes a blob; a missing one is fine.
  void remove_blob(const std::string& name);
  /// Removes every blob whose name is not in `keep` (and leftover temporary files).
  void remove_blobs_except(const std::set<std::string>& keep);
  /// Removes every record and blob (admin reset).
  void clear();

 private:
  void open_log();

  std::filesystem::path dir_;
  std::FILE* log_ = nullptr;
};

}  // namespace glacier
