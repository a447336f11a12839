#pragma once

// The job description as an nlohmann::ordered_json object: how DescribeJob and ListJobs
// built their bodies before they wrote them directly (src/api/job_json.cpp). Kept as the
// independent reference the tests compare the writer with, and the micro-benchmarks time.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "glacier/core/clock.hpp"
#include "glacier/store/model/job.hpp"

namespace glacier::reference {

namespace detail {

template <typename T>
inline nlohmann::ordered_json or_null(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

inline nlohmann::ordered_json inventory_json(const job& j) {
  const auto& s = *j.parameters.inventory;
  nlohmann::ordered_json p;
  p["Format"] = format_name(j.parameters.format);
  p["StartDate"] = detail::or_null(s.start_date);
  p["EndDate"] = detail::or_null(s.end_date);
  p["Limit"] = detail::or_null(s.limit);
  // Once complete, Marker is where the next page starts (spec §2.5), null at the end.
  p["Marker"] = j.status == job_status::succeeded ? detail::or_null(j.next_inventory_marker)
                                                  : detail::or_null(s.marker);
  return p;
}

}  // namespace detail

inline nlohmann::ordered_json job_description_json(const job& j) {
  const bool archive_job = j.parameters.action == job_action::archive_retrieval;
  nlohmann::ordered_json d;
  d["JobId"] = j.id;
  d["JobDescription"] = detail::or_null(j.parameters.description);
  d["Action"] = action_name(j.parameters.action);
  d["ArchiveId"] = detail::or_null(j.parameters.archive_id);
  d["VaultARN"] = j.vault_arn;
  d["CreationDate"] = format_iso8601(j.creation_date);
  d["Completed"] = j.completed();
  d["StatusCode"] = status_name(j.status);
  d["StatusMessage"] = j.status_message;
  d["ArchiveSizeInBytes"] =
      archive_job ? nlohmann::ordered_json(j.archive_size) : nlohmann::ordered_json(nullptr);
  d["InventorySizeInBytes"] = detail::or_null(j.inventory_size);
  d["SNSTopic"] = detail::or_null(j.parameters.sns_topic);
  d["CompletionDate"] = j.completion_date
                            ? nlohmann::ordered_json(format_iso8601(*j.completion_date))
                            : nlohmann::ordered_json(nullptr);
  d["SHA256TreeHash"] = archive_job ? detail::or_null(j.range_tree_hash) : nullptr;
  d["ArchiveSHA256TreeHash"] =
      archive_job ? nlohmann::ordered_json(j.archive_tree_hash) : nlohmann::ordered_json(nullptr);
  d["RetrievalByteRange"] = archive_job
                                ? nlohmann::ordered_json(std::to_string(j.retrieved.start) + "-" +
                                                         std::to_string(j.retrieved.end))
                                : nlohmann::ordered_json(nullptr);
  d["Tier"] = tier_name(j.parameters.tier);
  d["InventoryRetrievalParameters"] =
      j.parameters.inventory ? detail::inventory_json(j) : nlohmann::ordered_json(nullptr);
  if (const auto& select = j.parameters.select) {
    d["JobOutputPath"] = j.output_path();
    d["SelectParameters"] = nlohmann::ordered_json::parse(select->select_parameters_json);
    d["OutputLocation"] = nlohmann::ordered_json::parse(select->output_location_json);
  }
  return d;
}

}  // namespace glacier::reference
