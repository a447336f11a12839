#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glacier/core/clock.hpp"
#include "glacier/store/model/select_request.hpp"

namespace glacier {

/// What a job does; Type on the wire ("archive-retrieval"), Action in DescribeJob.
enum class job_action { archive_retrieval, inventory_retrieval, select };

/// StatusCode of a job.
enum class job_status { in_progress, succeeded, failed };

/// Retrieval tier; decides how long the job takes.
enum class retrieval_tier { expedited, standard, bulk };

/// Output format of an inventory job.
enum class inventory_format { json, csv };

/// "ArchiveRetrieval", "InventoryRetrieval", "Select".
std::string_view action_name(job_action action);
/// "InProgress", "Succeeded", "Failed".
std::string_view status_name(job_status status);
/// "Expedited", "Standard", "Bulk".
std::string_view tier_name(retrieval_tier tier);
/// "JSON", "CSV".
std::string_view format_name(inventory_format format);

/// An inclusive byte range "S-E".
struct byte_range {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::uint64_t length() const { return end - start + 1; }
};

/// InventoryRetrievalParameters as requested (dates and limit echoed as given).
struct inventory_selection {
  std::optional<std::string> start_date;
  std::optional<std::string> end_date;
  std::optional<std::string> limit;
  std::optional<std::string> marker;
  time_point start{};             ///< parsed start_date, when given
  time_point end{};               ///< parsed end_date, when given
  std::uint64_t limit_value = 0;  ///< parsed limit; 0 = no limit
};

/// Validated InitiateJob parameters.
struct job_parameters {
  job_action action = job_action::inventory_retrieval;
  std::optional<std::string> description;
  std::optional<std::string> archive_id;
  std::optional<std::string> sns_topic;
  std::optional<byte_range> range;  ///< as requested; absent = whole archive
  retrieval_tier tier = retrieval_tier::standard;
  inventory_format format = inventory_format::json;
  std::optional<inventory_selection> inventory;  ///< inventory jobs only
  std::shared_ptr<const select_request> select;  ///< select jobs only (immutable, shared)
};

/// One object a select job writes under its output path (spec Part 3C.5).
struct select_object {
  std::string key;  ///< relative to the output path: job.txt, results/..., errors/...
  std::shared_ptr<const std::string> body;
  std::string content_type;
};

/// What a select job wrote: kept for the admin API, and written to S3 when an endpoint is
/// configured.
struct select_output {
  std::vector<select_object> objects;
  std::string delivery = "kept";  ///< kept (no S3 endpoint), delivered or failed
  std::string delivery_error;     ///< why delivery failed
  unsigned attempts = 0;          ///< PutObject calls made, retries included
};

/// A job and, once complete, its output. Store methods hand out copies of this.
struct job {
  std::uint64_t sequence = 0;  ///< creation order; also the scheduler's handle
  std::string id;
  std::string vault_name;
  std::string vault_arn;
  job_parameters parameters;
  time_point creation_date;
  time_point due;
  job_status status = job_status::in_progress;
  std::string status_message = "Operation in progress.";
  std::optional<time_point> completion_date;

  // Archive retrieval: captured when the job is created.
  std::uint64_t archive_size = 0;
  std::string archive_tree_hash;
  std::string archive_description;
  byte_range retrieved;                        ///< the effective range (whole archive by default)
  std::optional<std::string> range_tree_hash;  ///< set when `retrieved` is tree-hash aligned

  // Output, set on success.
  std::shared_ptr<const std::string> output;  ///< archive bytes or inventory document
  std::uint64_t output_offset = 0;
  std::uint64_t output_length = 0;
  std::optional<std::uint64_t> inventory_size;
  std::optional<std::string> next_inventory_marker;
  std::shared_ptr<const select_output> select_result;  ///< a select job's objects, once run

  /// A select job's x-amz-job-output-path and JobOutputPath; empty for other jobs.
  std::string output_path() const {
    return parameters.select ? select_output_path(parameters.select->location.prefix, id) : "";
  }

  bool completed() const { return status != job_status::in_progress; }
};

}  // namespace glacier

namespace glacier {

/// Checks a RetrievalByteRange against the archive size (spec §2.3): the start on a
/// 1 MiB boundary, the end one byte before a 1 MiB boundary or the archive's last byte.
/// Throws InvalidParameterValueException naming the range.
void check_retrieval_range(const byte_range& range, std::uint64_t archive_size);

}  // namespace glacier
