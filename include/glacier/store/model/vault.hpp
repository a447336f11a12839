#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "glacier/core/clock.hpp"

namespace glacier {

/// What DescribeVault and ListVaults report about a vault (a snapshot, not a reference).
struct vault_info {
  std::string name;
  std::string arn;
  time_point creation_date;
  std::optional<time_point> last_inventory_date;  ///< null until an inventory job completed
  std::uint64_t number_of_archives = 0;           ///< live (spec Part 1 §4)
  std::uint64_t size_in_bytes = 0;                ///< live
};

/// True when `name` is a valid vault name: 1-255 characters of [A-Za-z0-9_.-].
bool is_valid_vault_name(std::string_view name);

}  // namespace glacier
