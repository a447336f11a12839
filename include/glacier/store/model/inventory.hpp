#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "glacier/store/model/archive.hpp"
#include "glacier/store/model/job.hpp"

namespace glacier {

/// An inventory document and where the next page starts.
struct inventory_result {
  std::string document;
  std::optional<std::string> next_marker;
};

/// Parses an inventory marker into the sequence number of the first archive to list.
/// Returns false when `marker` is not one glacier-mock handed out.
bool parse_inventory_marker(std::string_view marker, std::uint64_t& sequence);

/// Builds the inventory of `archives` (keyed by creation sequence) in `format`, honouring
/// StartDate (inclusive), EndDate (exclusive), Limit and Marker of `selection`.
inventory_result build_inventory(const std::map<std::uint64_t, archive>& archives,
                                 const std::string& vault_arn, time_point inventory_date,
                                 inventory_format format, const inventory_selection& selection);

}  // namespace glacier
