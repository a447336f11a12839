#include "glacier/api/checksum_headers.hpp"

#include "glacier/core/error.hpp"
#include "glacier/store/model/archive.hpp"

namespace glacier::api {

digest required_tree_hash_header(const call& c) {
  const auto value = c.header("x-amz-sha256-tree-hash");
  if (value.empty()) {
    throw error(error_code::missing_parameter_value,
                "Required parameter missing: x-amz-sha256-tree-hash");
  }
  digest d{};
  if (!from_hex(value, d)) {
    throw error(error_code::invalid_parameter_value,
                "Invalid x-amz-sha256-tree-hash: " + std::string(value));
  }
  return d;
}

std::optional<std::string> archive_description_header(const call& c) {
  const auto it = c.request.headers.find("x-amz-archive-description");
  if (it == c.request.headers.end()) return std::nullopt;
  if (!is_valid_description(it->second)) {
    throw error(error_code::invalid_parameter_value,
                "Invalid archive description (x-amz-archive-description): it must be at most "
                "1024 characters of printable ASCII (0x20-0x7E)");
  }
  return it->second;
}

digest verify_tree_hash(std::string_view data, const digest& expected) {
  const auto computed = tree_hash(data);
  if (computed != expected) {
    throw error(
        error_code::invalid_parameter_value,
        "Checksum mismatch: expected " + to_hex(expected) + ", computed " + to_hex(computed));
  }
  return computed;
}

}  // namespace glacier::api
