#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "glacier/core/clock.hpp"

namespace glacier {

/// A stored archive. Its bytes are immutable and shared, so job output never copies them.
struct archive {
  std::string id;
  std::string description;
  time_point creation_date;
  std::uint64_t size = 0;
  std::string tree_hash;  ///< lowercase hex
  std::shared_ptr<const std::string> data;
  /// Its bytes on disk were missing or did not match its tree hash at start-up: it is
  /// listed, but never served (its data is empty).
  bool damaged = false;
};

/// True when `description` is a valid archive or job description: at most 1,024
/// characters of printable ASCII (0x20-0x7E).
bool is_valid_description(std::string_view description);

}  // namespace glacier
