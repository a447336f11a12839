#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace glacier {

/// Reads `text` as an unsigned decimal number: digits only (no sign, no spaces, no
/// suffix), and in range. Headers and parameters such as x-amz-part-size, Content-Range
/// bounds and `limit` are read this way.
inline bool parse_decimal_u64(std::string_view text, std::uint64_t& out) noexcept {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc{} && result.ptr == text.data() + text.size();
}

}  // namespace glacier
