#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/clock.hpp"

namespace glacier {

/// The most parts one multipart upload may have.
inline constexpr std::uint64_t max_multipart_parts = 10'000;

/// One uploaded part: immutable bytes and their verified tree hash.
struct multipart_part {
  std::shared_ptr<const std::string> data;
  digest tree_hash{};
};

/// What ListMultipartUploads and ListParts report about an upload.
struct multipart_upload_info {
  std::string id;
  std::string vault_arn;
  std::optional<std::string> description;
  time_point creation_date;
  std::uint64_t part_size = 0;
};

/// A part as ListParts shows it.
struct part_info {
  std::uint64_t start = 0;
  std::uint64_t end = 0;  ///< inclusive
  std::string tree_hash;  ///< lowercase hex
};

/// True when `size` is 1 MiB times a power of two, up to 4 GiB.
bool is_valid_part_size(std::uint64_t size);

}  // namespace glacier
