#include "glacier/api/job_json.hpp"

namespace glacier::api {

namespace {

template <typename T>
nlohmann::ordered_json or_null(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json inventory_json(const job& j) {
  const auto& s = *j.parameters.inventory;
  nlohmann::ordered_json p;
  p["Format"] = format_name(j.parameters.format);
  p["StartDate"] = or_null(s.start_date);
  p["EndDate"] = or_null(s.end_date);
  p["Limit"] = or_null(s.limit);
  // Once complete, Marker is where the next page starts (spec §2.5), null at the end.
  p["Marker"] =
      j.status == job_status::succeeded ? or_null(j.next_inventory_marker) : or_null(s.marker);
  return p;
}

}  // namespace

nlohmann::ordered_json job_description_json(const job& j) {
  const bool archive_job = j.parameters.action == job_action::archive_retrieval;
  nlohmann::ordered_json d;
  d["JobId"] = j.id;
  d["JobDescription"] = or_null(j.parameters.description);
  d["Action"] = action_name(j.parameters.action);
  d["ArchiveId"] = or_null(j.parameters.archive_id);
  d["VaultARN"] = j.vault_arn;
  d["CreationDate"] = format_iso8601(j.creation_date);
  d["Completed"] = j.completed();
  d["StatusCode"] = status_name(j.status);
  d["StatusMessage"] = j.status_message;
  d["ArchiveSizeInBytes"] =
      archive_job ? nlohmann::ordered_json(j.archive_size) : nlohmann::ordered_json(nullptr);
  d["InventorySizeInBytes"] = or_null(j.inventory_size);
  d["SNSTopic"] = or_null(j.parameters.sns_topic);
  d["CompletionDate"] = j.completion_date
                            ? nlohmann::ordered_json(format_iso8601(*j.completion_date))
                            : nlohmann::ordered_json(nullptr);
  d["SHA256TreeHash"] = archive_job ? or_null(j.range_tree_hash) : nullptr;
  d["ArchiveSHA256TreeHash"] =
      archive_job ? nlohmann::ordered_json(j.archive_tree_hash) : nlohmann::ordered_json(nullptr);
  d["RetrievalByteRange"] = archive_job
                                ? nlohmann::ordered_json(std::to_string(j.retrieved.start) + "-" +
                                                         std::to_string(j.retrieved.end))
                                : nlohmann::ordered_json(nullptr);
  d["Tier"] = tier_name(j.parameters.tier);
  d["InventoryRetrievalParameters"] =
      j.parameters.inventory ? inventory_json(j) : nlohmann::ordered_json(nullptr);
  return d;
}

}  // namespace glacier::api
