#include "glacier/store/model/archive.hpp"
#include "glacier/store/model/job.hpp"
#include "glacier/store/model/vault.hpp"

namespace glacier {

bool is_valid_vault_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_valid_description(std::string_view description) {
  if (description.size() > 1024) return false;
  for (const char c : description) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string_view action_name(job_action action) {
  switch (action) {
    case job_action::archive_retrieval:
      return "ArchiveRetrieval";
    case job_action::inventory_retrieval:
      return "InventoryRetrieval";
    case job_action::select:
      return "Select";
  }
  return "";
}

std::string_view status_name(job_status status) {
  switch (status) {
    case job_status::in_progress:
      return "InProgress";
    case job_status::succeeded:
      return "Succeeded";
    case job_status::failed:
      return "Failed";
  }
  return "";
}

std::string_view tier_name(retrieval_tier tier) {
  switch (tier) {
    case retrieval_tier::expedited:
      return "Expedited";
    case retrieval_tier::standard:
      return "Standard";
    case retrieval_tier::bulk:
      return "Bulk";
  }
  return "";
}

std::string_view format_name(inventory_format format) {
  switch (format) {
    case inventory_format::json:
      return "JSON";
    case inventory_format::csv:
      return "CSV";
  }
  return "";
}

}  // namespace glacier
