#include "glacier/store/journal_format.hpp"

#include <boost/crc.hpp>
#include <nlohmann/json.hpp>

namespace glacier::journal_format {

namespace {

// Boost.CRC with the Castagnoli polynomial, reflected, as iSCSI defines CRC32C.
using crc32c_engine = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

constexpr std::size_t checksum_digits = 8;
constexpr std::size_t frame_overhead = checksum_digits + 2;  // the space and the newline

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// The checksum a framed line starts with, or nothing when it does not start like one.
std::optional<std::uint32_t> leading_checksum(std::string_view line) {
  if (line.size() < checksum_digits + 1 || line[checksum_digits] != ' ') return std::nullopt;
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < checksum_digits; ++i) {
    const int digit = hex_value(line[i]);
    if (digit < 0) return std::nullopt;
    value = value << 4 | static_cast<std::uint32_t>(digit);
  }
  return value;
}

/// The JSON of `line` when it is an intact framed record.
std::optional<std::string_view> intact_json(std::string_view line) {
  const auto checksum = leading_checksum(line);
  if (!checksum) return std::nullopt;
  const auto json = line.substr(checksum_digits + 1);
  if (crc32c(json) != *checksum) return std::nullopt;
  return json;
}

/// A record appended after a torn one shares its line: the first framed record that
/// starts inside the damaged line and runs intact to its end.
std::optional<std::size_t> glued_record(std::string_view line) {
  for (std::size_t at = 1; at + frame_overhead <= line.size(); ++at) {
    if (line[at + checksum_digits] != ' ' || line[at + checksum_digits + 1] != '{') continue;
    if (intact_json(line.substr(at))) return at;
  }
  return std::nullopt;
}

}  // namespace

std::uint32_t crc32c(std::string_view data) {
  crc32c_engine engine;
  engine.process_bytes(data.data(), data.size());
  return engine.checksum();
}

std::string frame(std::string_view json) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string line;
  line.resize(checksum_digits + 1);
  auto checksum = crc32c(json);
  for (std::size_t i = checksum_digits; i-- > 0; checksum >>= 4) line[i] = digits[checksum & 0xF];
  line[checksum_digits] = ' ';
  line.reserve(json.size() + frame_overhead);
  line.append(json);
  line.push_back('\n');
  return line;
}

scan_result scan(std::string_view text) {
  scan_result result;
  // A crash after the file grew but before its data reached the disk leaves zeros.
  auto end = text.find_last_not_of('\0');
  end = end == std::string_view::npos ? 0 : end + 1;
  // An append that did not finish ends without its newline.
  const auto last_newline = text.rfind('\n', end == 0 ? 0 : end - 1);
  const std::size_t complete =
      end == 0 || last_newline == std::string_view::npos ? 0 : last_newline + 1;
  if (complete < text.size()) {
    result.torn_tail = damage{complete, text.size() - complete, "an incomplete last record"};
  }
  result.complete_length = complete;
  std::size_t at = 0;
  while (at < complete) {
    const auto newline = text.find('\n', at);
    const auto line = text.substr(at, newline - at);
    if (const auto json = intact_json(line)) {
      result.records.push_back({at, *json});
    } else if (!line.empty() && line.front() == '{' && nlohmann::json::accept(line)) {
      result.records.push_back({at, line});  // a line of the format before checksums
    } else {
      const bool empty = line.find_first_not_of(" \t\r") == std::string_view::npos;
      result.damaged.push_back({at, line.size() + 1,
                                empty ? "an empty line"
                                : leading_checksum(line)
                                    ? "a checksum that does not match the record"
                                    : "bytes that are not a record"});
      if (const auto glued = glued_record(line)) {
        result.records.push_back({at + *glued, line.substr(*glued + checksum_digits + 1)});
        result.salvaged.push_back(at + *glued);
      }
    }
    at = newline + 1;
  }
  return result;
}

}  // namespace glacier::journal_format
