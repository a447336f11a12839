#include "glacier/api/job_json.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

namespace glacier::api {

namespace {

// Literals as string_views: appending a const char* measures it with strlen every time.
using namespace std::string_view_literals;

// The job JSON is written directly: DescribeJob and ListJobs used to build an
// nlohmann::ordered_json per job and dump it (a page of 50 took ~220 µs), while the bytes
// are fixed keys around a few strings and numbers. tests/support/job_json_reference.hpp
// keeps that object form; the tests hold this writer to it byte for byte.

// Bytes nlohmann's dump copies unchanged: printable ASCII except the quote and the
// backslash. Anything else (control characters, UTF-8, invalid UTF-8) goes to nlohmann's
// own serializer so the escaping and error handling cannot drift from it. Nearly every
// string passes the scan whole, so it has no early exit and works in unsigned char
// throughout: that is the form GCC vectorises (16 bytes at a time).
bool copies_verbatim(std::string_view s) {
  using byte = unsigned char;
  byte escape = 0;
  for (const char ch : s) {
    const auto b = static_cast<byte>(ch);
    // b - 0x20 wraps around for control characters, so one compare rejects both ends.
    escape |= static_cast<byte>(static_cast<byte>(b - 0x20) > 0x7e - 0x20) |
              static_cast<byte>(b == '"') | static_cast<byte>(b == '\\');
  }
  return escape == 0;
}

void append_string(std::string& out, std::string_view s) {
  if (copies_verbatim(s)) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  // The same arguments as json_response's dump, so invalid UTF-8 becomes U+FFFD here too.
  out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_string_or_null(std::string& out, const std::optional<std::string>& s) {
  if (s) {
    append_string(out, *s);
  } else {
    out += "null"sv;
  }
}

void append_unsigned(std::string& out, std::uint64_t value) {
  char digits[std::numeric_limits<std::uint64_t>::digits10 + 1];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
  out.append(digits, end);
}

void append_unsigned_or_null(std::string& out, const std::optional<std::uint64_t>& value) {
  if (value) {
    append_unsigned(out, *value);
  } else {
    out += "null"sv;
  }
}

// A date as a JSON string: the writer's own digits (a page of 50 has 100 dates, and
// snprintf with gmtime was a quarter of ListJobs' CPU), format_iso8601 past the year 9999.
void append_date(std::string& out, time_point t) {
  char quoted[iso8601_size + 2];
  quoted[0] = '"';
  quoted[iso8601_size + 1] = '"';
  if (write_iso8601(quoted + 1, t)) {
    out.append(quoted, sizeof quoted);
  } else {
    append_string(out, format_iso8601(t));
  }
}

std::size_t optional_size(const std::optional<std::string>& s) {
  return s ? s->size() : 0;
}

// Enough for a job in one allocation: keys, punctuation and nulls take about 350 bytes,
// names, dates and numbers at most ~130 more, the inventory parameters under 96 plus their
// strings. Only strings that need escaping can grow the output past the estimate.
std::size_t estimated_size(const job& j) {
  std::size_t n = 512 + j.id.size() + j.vault_arn.size() + j.status_message.size() +
                  optional_size(j.parameters.description) + optional_size(j.parameters.archive_id) +
                  optional_size(j.parameters.sns_topic);
  if (j.parameters.action == job_action::archive_retrieval) {
    n += j.archive_tree_hash.size() + optional_size(j.range_tree_hash);
  }
  if (const auto& select = j.parameters.select) {
    n += 96 + 2 * j.id.size() + select->location.prefix.size() +
         select->select_parameters_json.size() + select->output_location_json.size();
  }
  if (j.parameters.inventory) {
    const auto& s = *j.parameters.inventory;
    n += 96 + optional_size(s.start_date) + optional_size(s.end_date) + optional_size(s.limit) +
         std::max(optional_size(s.marker), optional_size(j.next_inventory_marker));
  }
  return n;
}

void append_inventory(std::string& out, const job& j) {
  const auto& s = *j.parameters.inventory;
  out += R"({"Format":)"sv;
  append_string(out, format_name(j.parameters.format));
  out += R"(,"StartDate":)"sv;
  append_string_or_null(out, s.start_date);
  out += R"(,"EndDate":)"sv;
  append_string_or_null(out, s.end_date);
  out += R"(,"Limit":)"sv;
  append_string_or_null(out, s.limit);
  out += R"(,"Marker":)"sv;
  // As in inventory_json: the next page's start once complete, else the requested marker.
  append_string_or_null(out,
                        j.status == job_status::succeeded ? j.next_inventory_marker : s.marker);
  out += '}';
}

}  // namespace

// Keys, order and nulls follow job_description_json above; a change to one needs the same
// change to the other (tests/unit/api/job_json_test.cpp compares them byte for byte).
void append_job_description(std::string& out, const job& j) {
  const bool archive_job = j.parameters.action == job_action::archive_retrieval;
  out += R"({"JobId":)"sv;
  append_string(out, j.id);
  out += R"(,"JobDescription":)"sv;
  append_string_or_null(out, j.parameters.description);
  out += R"(,"Action":)"sv;
  append_string(out, action_name(j.parameters.action));
  out += R"(,"ArchiveId":)"sv;
  append_string_or_null(out, j.parameters.archive_id);
  out += R"(,"VaultARN":)"sv;
  append_string(out, j.vault_arn);
  out += R"(,"CreationDate":)"sv;
  append_date(out, j.creation_date);
  out += R"(,"Completed":)"sv;
  out += j.completed() ? "true"sv : "false"sv;
  out += R"(,"StatusCode":)"sv;
  append_string(out, status_name(j.status));
  out += R"(,"StatusMessage":)"sv;
  append_string(out, j.status_message);
  out += R"(,"ArchiveSizeInBytes":)"sv;
  append_unsigned_or_null(out, archive_job ? std::optional(j.archive_size) : std::nullopt);
  out += R"(,"InventorySizeInBytes":)"sv;
  append_unsigned_or_null(out, j.inventory_size);
  out += R"(,"SNSTopic":)"sv;
  append_string_or_null(out, j.parameters.sns_topic);
  out += R"(,"CompletionDate":)"sv;
  if (j.completion_date) {
    append_date(out, *j.completion_date);
  } else {
    out += "null"sv;
  }
  out += R"(,"SHA256TreeHash":)"sv;
  if (archive_job) {
    append_string_or_null(out, j.range_tree_hash);
  } else {
    out += "null"sv;
  }
  out += R"(,"ArchiveSHA256TreeHash":)"sv;
  if (archive_job) {
    append_string(out, j.archive_tree_hash);
  } else {
    out += "null"sv;
  }
  out += R"(,"RetrievalByteRange":)"sv;
  if (archive_job) {
    out += '"';
    append_unsigned(out, j.retrieved.start);
    out += '-';
    append_unsigned(out, j.retrieved.end);
    out += '"';
  } else {
    out += "null"sv;
  }
  out += R"(,"Tier":)"sv;
  append_string(out, tier_name(j.parameters.tier));
  out += R"(,"InventoryRetrievalParameters":)"sv;
  if (j.parameters.inventory) {
    append_inventory(out, j);
  } else {
    out += "null"sv;
  }
  // Only select jobs have the three select members (the other jobs' JSON predates them and
  // the docs' examples of those jobs do not show them).
  if (const auto& select = j.parameters.select) {
    out += R"(,"JobOutputPath":)"sv;
    append_string(out, j.output_path());
    // Both objects were written by nlohmann's dump when the job was validated.
    out += R"(,"SelectParameters":)"sv;
    out += select->select_parameters_json;
    out += R"(,"OutputLocation":)"sv;
    out += select->output_location_json;
  }
  out += '}';
}

std::string job_description_body(const job& j) {
  std::string out;
  out.reserve(estimated_size(j));
  append_job_description(out, j);
  return out;
}

job_list_writer::job_list_writer(std::size_t expected_jobs) : expected_jobs_(expected_jobs) {
  out_ += R"({"JobList":[)"sv;
}

void job_list_writer::add(const job& j) {
  if (jobs_ == 0) {
    // The jobs of a page are alike: the first one's estimate, for all, is one allocation
    // (jobs with longer strings than the first only grow the buffer).
    out_.reserve(64 + std::max(expected_jobs_, std::size_t{1}) * estimated_size(j));
  } else {
    out_ += ',';
  }
  append_job_description(out_, j);
  ++jobs_;
}

std::string job_list_writer::finish(const std::optional<std::string>& marker) && {
  out_ += R"(],"Marker":)"sv;
  append_string_or_null(out_, marker);
  out_ += '}';
  return std::move(out_);
}

std::string job_list_body(const std::vector<job>& jobs, const std::optional<std::string>& marker) {
  job_list_writer writer(jobs.size());
  for (const auto& j : jobs) {
    writer.add(j);
  }
  return std::move(writer).finish(marker);
}

}  // namespace glacier::api
