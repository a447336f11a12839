#include "glacier/store/model/inventory.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace glacier {

namespace {

constexpr std::string_view marker_prefix = "inv-";

std::string make_marker(std::uint64_t sequence) {
  return std::string(marker_prefix) + std::to_string(sequence);
}

// CSV per the spec: a field with a comma or quote is quoted, an inner quote becomes \".
std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

bool selected(const archive& a, const inventory_selection& selection) {
  if (selection.start_date && a.creation_date < selection.start) return false;
  if (selection.end_date && a.creation_date >= selection.end) return false;
  return true;
}

}  // namespace

bool parse_inventory_marker(std::string_view marker, std::uint64_t& sequence) {
  if (!marker.starts_with(marker_prefix)) return false;
  const auto digits = marker.substr(marker_prefix.size());
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
  return result.ec == std::errc{} && result.ptr == digits.data() + digits.size();
}

inventory_result build_inventory(const std::map<std::uint64_t, archive>& archives,
                                 const std::string& vault_arn, time_point inventory_date,
                                 inventory_format format, const inventory_selection& selection) {
  std::uint64_t first = 0;
  if (selection.marker) parse_inventory_marker(*selection.marker, first);

  inventory_result result;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::string csv = "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash\n";
  std::uint64_t count = 0;
  for (auto it = archives.lower_bound(first); it != archives.end(); ++it) {
    const archive& a = it->second;
    if (!selected(a, selection)) continue;
    if (selection.limit_value != 0 && count == selection.limit_value) {
      result.next_marker = make_marker(it->first);
      break;
    }
    ++count;
    if (format == inventory_format::json) {
      nlohmann::ordered_json item;
      item["ArchiveId"] = a.id;
      item["ArchiveDescription"] = a.description;
      item["CreationDate"] = format_iso8601_seconds(a.creation_date);
      item["Size"] = a.size;
      item["SHA256TreeHash"] = a.tree_hash;
      list.push_back(std::move(item));
    } else {
      csv += csv_field(a.id) + ',' + csv_field(a.description) + ',' +
             format_iso8601_seconds(a.creation_date) + ',' + std::to_string(a.size) + ',' +
             a.tree_hash + '\n';
    }
  }
  if (format == inventory_format::json) {
    nlohmann::ordered_json doc;
    doc["VaultARN"] = vault_arn;
    doc["InventoryDate"] = format_iso8601_seconds(inventory_date);
    doc["ArchiveList"] = std::move(list);
    result.document = doc.dump();
  } else {
    result.document = std::move(csv);
  }
  return result;
}

}  // namespace glacier
