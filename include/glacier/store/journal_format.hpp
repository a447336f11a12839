#pragma once

// The journal's line format, apart from any file: framing a record and scanning bytes back
// into intact records, torn tails and damage. Pure functions over memory, so the loader's
// judgement can be tested (and fuzzed) on any bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glacier::journal_format {

/// CRC32C (Castagnoli), the checksum of every record.
std::uint32_t crc32c(std::string_view data);

/// A record as one journal line: the CRC32C of `json` as 8 lowercase hex digits, a space,
/// `json` (which holds no newline: nlohmann's dump() escapes them), a newline.
std::string frame(std::string_view json);

/// An intact record: the JSON text of a line whose checksum matches, and where it starts.
struct found_record {
  std::uint64_t offset = 0;
  std::string_view json;
};

/// Bytes that are not an intact record.
struct damage {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string what;  ///< e.g. "checksum mismatch"
};

/// What a journal's bytes hold.
struct scan_result {
  std::vector<found_record> records;  ///< in file order, salvaged ones included
  /// Complete lines that are not intact records (a flipped byte, garbage, a torn record
  /// that later records were appended to). Intact records found inside such a line (after
  /// a torn one) are in `records` and marked in `salvaged`.
  std::vector<damage> damaged;
  std::vector<std::uint64_t> salvaged;  ///< offsets of the records recovered from damage
  /// The incomplete last line (no newline) or trailing zero bytes: an append that never
  /// finished, so never acknowledged.
  std::optional<damage> torn_tail;
  /// Where the torn tail starts (the whole size when there is none).
  std::uint64_t complete_length = 0;
};

/// Scans a journal's bytes. Lines of the format before checksums (a bare JSON object)
/// count as intact when they parse, so an older data directory still loads.
scan_result scan(std::string_view text);

}  // namespace glacier::journal_format
