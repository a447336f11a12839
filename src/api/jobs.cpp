#include "glacier/api/jobs.hpp"

#include <charconv>

#include "glacier/api/job_json.hpp"
#include "glacier/api/job_parameters.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/api/vaults.hpp"
#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/error.hpp"
#include "glacier/jobs/scheduler.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

namespace {

std::optional<job_status> parse_status_code(const call& c) {
  const auto text = c.query("statuscode");
  if (!text) return std::nullopt;
  if (*text == "InProgress") return job_status::in_progress;
  if (*text == "Succeeded") return job_status::succeeded;
  if (*text == "Failed") return job_status::failed;
  throw error(error_code::invalid_parameter_value, "The job status code is not valid: " + *text);
}

std::optional<bool> parse_completed(const call& c) {
  const auto text = c.query("completed");
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  throw error(error_code::invalid_parameter_value,
              "Invalid completed: " + *text + ". Valid values are: true, false");
}

/// A Range header "bytes=S-E" or "bytes=S-", relative to the job's output of `total` bytes.
struct output_range {
  std::uint64_t start;
  std::uint64_t end;
};

bool parse_digits(std::string_view digits, std::uint64_t& out) {
  if (digits.empty()) return false;
  for (const char ch : digits) {
    if (ch < '0' || ch > '9') return false;
  }
  return std::from_chars(digits.data(), digits.data() + digits.size(), out).ec == std::errc{};
}

/// The range a Range header asks for. A header that is not one "bytes=S-E" or "bytes=S-"
/// range (another unit, "bytes 0-1/2", a suffix, several ranges, E < S) is ignored and the
/// whole output is sent, as AWS does and HTTP allows (RFC 9110 §14.2); a well-formed range
/// that starts past the end is AWS's documented 400.
std::optional<output_range> parse_range_header(std::string_view header, std::uint64_t total) {
  if (!header.starts_with("bytes=")) return std::nullopt;
  const auto spec = header.substr(6);
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  output_range r{};
  if (!parse_digits(spec.substr(0, dash), r.start)) return std::nullopt;
  const auto end_text = spec.substr(dash + 1);
  if (end_text.empty()) {
    r.end = total == 0 ? 0 : total - 1;
  } else if (!parse_digits(end_text, r.end) || r.end < r.start) {
    return std::nullopt;
  }
  if (r.start >= total) {
    throw error(
        error_code::invalid_parameter_value,
        "The start of the range is larger than size of retrieved data: " + std::string(header));
  }
  if (r.end >= total) r.end = total - 1;
  return r;
}

std::string_view content_type(const job& j) {
  if (j.parameters.action == job_action::archive_retrieval) return "application/octet-stream";
  return j.parameters.format == inventory_format::csv ? "text/csv" : "application/json";
}

}  // namespace

http::response initiate_job(call& c) {
  const auto& vault = existing_vault_name(c);
  // An empty body means the seed's query-parameter form (spec Part 1 §2).
  const auto raw = c.request.body.empty() ? read_job_parameters_query(c.url)
                                          : read_job_parameters_json(c.request.body);
  auto created = c.services.store.create_job(c.scope, vault, validate_job_parameters(raw));
  const bool select = created.parameters.action == job_action::select;
  c.services.scheduler.schedule({created.sequence, created.due, false, select});
  auto r = empty_response(202);
  r.headers["Location"] = "/" + c.scope.account + "/vaults/" + vault + "/jobs/" + created.id;
  r.headers["x-amz-job-id"] = created.id;
  if (select) r.headers["x-amz-job-output-path"] = created.output_path();
  return r;
}

http::response describe_job(call& c) {
  const auto j = c.services.store.describe_job(c.scope, existing_vault_name(c), c.path("job_id"));
  return json_text_response(200, job_description_body(j));
}

http::response list_jobs(call& c) {
  const auto& vault = existing_vault_name(c);
  const auto limit = parse_limit(c, 50, 50);
  job_filter filter;
  filter.completed = parse_completed(c);
  filter.status = parse_status_code(c);
  // The JSON is written as the store visits the page: no copy of the 50 jobs.
  job_list_writer body(limit);
  const auto marker = c.services.store.visit_job_page(c.scope, vault, filter, marker_parameter(c),
                                                      limit, [&](const job& j) { body.add(j); });
  return json_text_response(200, std::move(body).finish(marker));
}

http::response get_job_output(call& c) {
  const auto& job_id = c.path("job_id");
  const auto j = c.services.store.describe_job(c.scope, existing_vault_name(c), job_id);
  if (const auto& select = j.parameters.select) {
    // Glacier writes a select job's result to S3 (spec Part 3C.5); GetJobOutput documents
    // only archive and inventory output.
    throw error(error_code::invalid_parameter_value,
                "A select job's output is written to s3://" + select->location.bucket + "/" +
                    j.output_path() + ", not served by GetJobOutput: " + job_id);
  }
  if (j.status != job_status::succeeded || !j.output) {
    throw error(error_code::invalid_parameter_value,
                "The job is not currently available for download: " + job_id);
  }
  const auto total = j.output_length;
  const auto range = parse_range_header(c.header("Range"), total);
  const bool archive_job = j.parameters.action == job_action::archive_retrieval;

  http::response r;
  r.status = range ? 206 : 200;
  r.headers["Content-Type"] = std::string(content_type(j));
  r.headers["Accept-Ranges"] = "bytes";
  r.shared_body = j.output;
  r.shared_offset = j.output_offset + (range ? range->start : 0);
  r.shared_length = range ? range->end - range->start + 1 : total;
  if (range) {
    r.headers["Content-Range"] = "bytes " + std::to_string(range->start) + "-" +
                                 std::to_string(range->end) + "/" + std::to_string(total);
  }
  if (archive_job) {
    r.headers["x-amz-archive-description"] = j.archive_description;
    // The tree hash only when the job's range and the requested range are tree-hash
    // aligned (spec §2.3).
    if (j.range_tree_hash) {
      if (!range) {
        r.headers["x-amz-sha256-tree-hash"] = *j.range_tree_hash;
      } else if (range->start % tree_hash_chunk == 0 &&
                 ((range->end + 1) % tree_hash_chunk == 0 || range->end + 1 == total)) {
        r.headers["x-amz-sha256-tree-hash"] = to_hex(tree_hash(r.payload()));
      }
    }
  }
  return r;
}

}  // namespace glacier::api
