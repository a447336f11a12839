#include "glacier/api/checksum_headers.hpp"

#include "glacier/core/error.hpp"
#include "glacier/store/model/archive.hpp"

namespace glacier::api {

namespace {

constexpr std::string_view content_sha256_header = "x-amz-content-sha256";

[[noreturn]] void throw_checksum_mismatch(const std::string& sent, const digest& computed) {
  throw error(error_code::invalid_parameter_value,
              "Checksum mismatch: expected " + sent + ", computed " + to_hex(computed));
}

/// A tree hash as sent in x-amz-sha256-tree-hash: 64 hex digits in lowercase. Compared as
/// text like x-amz-content-sha256 (see verify_content_sha256): every client sends lowercase,
/// and whether AWS ignores case is not known, so an uppercase digit makes it differ.
bool parse_sent_tree_hash(std::string_view text, digest& out) {
  for (const char ch : text) {
    if (ch >= 'A' && ch <= 'F') return false;
  }
  return from_hex(text, out);
}

}  // namespace

const digest& body_sha256(call& c) {
  if (!c.body_sha256_cache) {
    c.body_sha256_cache = c.request.digests ? c.request.digests->sha256 : sha256(c.request.body);
  }
  return *c.body_sha256_cache;
}

void verify_content_sha256(call& c) {
  if (!check_content_sha256_if_sent(c)) {
    // Undocumented and unobserved (spec Part 3A.3 [?]): Glacier's answer for any missing
    // required header is MissingParameterValueException; README says why this one is too.
    throw error(error_code::missing_parameter_value,
                "Required parameter missing: " + std::string(content_sha256_header));
  }
}

bool check_content_sha256_if_sent(call& c) {
  const auto it = c.request.headers.find(content_sha256_header);
  if (it == c.request.headers.end()) return false;
  const auto computed = to_hex(body_sha256(c));
  // Compared as text with lowercase hex, the safe reading: every client sends lowercase and
  // whether AWS ignores case is not known. A value that is no digest at all simply differs.
  if (it->second != computed) {
    throw error(error_code::invalid_signature,
                "The value passed in as x-amz-content-sha256 does not match the computed "
                "payload hash. Computed digest: " +
                    computed + " expected hash: " + it->second);
  }
  return true;
}

std::string_view tree_hash_header(const call& c) {
  const auto value = c.header("x-amz-sha256-tree-hash");
  if (value.empty()) {
    throw error(error_code::missing_parameter_value,
                "Required parameter missing: x-amz-sha256-tree-hash");
  }
  return value;
}

digest required_tree_hash_header(const call& c) {
  const auto value = tree_hash_header(c);
  digest d{};
  if (!parse_sent_tree_hash(value, d)) {
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

digest verify_body_tree_hash(call& c, std::string_view sent) {
  const auto computed = c.request.digests                         ? c.request.digests->tree_hash
                        : c.request.body.size() > tree_hash_chunk ? tree_hash(c.request.body)
                                                                  : body_sha256(c);
  // A value that is not 64 hex digits is a mismatch too, echoed as sent (spec Part 1 §6).
  digest expected{};
  if (!parse_sent_tree_hash(sent, expected) || computed != expected) {
    throw_checksum_mismatch(std::string(sent), computed);
  }
  return computed;
}

}  // namespace glacier::api
