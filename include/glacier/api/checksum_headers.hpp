#pragma once

#include <optional>
#include <string>

#include "glacier/api/call.hpp"
#include "glacier/aws/tree_hash.hpp"

namespace glacier::api {

/// The x-amz-sha256-tree-hash header as a digest; MissingParameterValueException when
/// absent, InvalidParameterValueException when not 64 hex digits.
digest required_tree_hash_header(const call& c);

/// The x-amz-archive-description header, checked against the description rules.
std::optional<std::string> archive_description_header(const call& c);

/// Verifies that the tree hash of `data` is `expected`; else the documented
/// "Checksum mismatch: expected <sent>, computed <ours>". Returns the computed hash.
digest verify_tree_hash(std::string_view data, const digest& expected);

}  // namespace glacier::api
