#include "glacier/api/job_parameters.hpp"

#include <boost/url/params_view.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "glacier/api/json_body.hpp"
#include "glacier/api/plain_job_parameters.hpp"
#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/decimal.hpp"
#include "glacier/core/error.hpp"
#include "glacier/jobs/select/query.hpp"
#include "glacier/store/model/archive.hpp"
#include "glacier/store/model/inventory.hpp"

namespace glacier::api {

namespace {

[[noreturn]] void invalid(std::string message) {
  throw error(error_code::invalid_parameter_value, std::move(message));
}

std::optional<std::string> string_member(const nlohmann::json& object, const char* key,
                                         bool allow_integer = false) {
  const auto it = object.find(key);
  if (allow_integer && it != object.end() && it->is_number_integer()) return it->dump();
  return optional_string_member(object, key);
}

bool is_digits(std::string_view text, std::size_t count) {
  if (text.size() != count) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

job_action parse_type(const std::optional<std::string>& type) {
  if (!type) throw error(error_code::missing_parameter_value, "Required parameter missing: Type");
  if (*type == "archive-retrieval") return job_action::archive_retrieval;
  if (*type == "inventory-retrieval") return job_action::inventory_retrieval;
  if (*type == "select") return job_action::select;
  invalid("Invalid job type: " + *type +
          ". Valid values are: archive-retrieval, inventory-retrieval, select");
}

retrieval_tier parse_tier(const std::optional<std::string>& tier) {
  if (!tier) return retrieval_tier::standard;
  if (*tier == "Expedited") return retrieval_tier::expedited;
  if (*tier == "Standard") return retrieval_tier::standard;
  if (*tier == "Bulk") return retrieval_tier::bulk;
  invalid("Invalid Tier: " + *tier + ". Valid values are: Expedited, Standard, Bulk");
}

byte_range parse_range(const std::string& text) {
  const auto dash = text.find('-');
  byte_range range;
  if (dash == std::string::npos ||
      !parse_decimal_u64(std::string_view(text).substr(0, dash), range.start) ||
      !parse_decimal_u64(std::string_view(text).substr(dash + 1), range.end)) {
    invalid("Invalid RetrievalByteRange: " + text + ". Expected StartByte-EndByte, e.g. 0-1048575");
  }
  if (range.start > range.end) {
    invalid("Invalid RetrievalByteRange: " + text +
            ". The start of the range must not be after its end");
  }
  if (range.start % tree_hash_chunk != 0) {
    invalid("Invalid RetrievalByteRange: " + text +
            ". The start of the range must be a multiple of 1 MiB (1048576 bytes)");
  }
  return range;
}

time_point parse_date(const char* name, const std::string& text) {
  time_point t;
  if (!parse_iso8601(text, t)) {
    invalid(std::string("Invalid ") + name + ": " + text +
            ". Expected an ISO 8601 date-time in UTC, e.g. 2013-03-20T17:03:43Z");
  }
  return t;
}

inventory_selection parse_inventory(const raw_job_parameters& raw) {
  inventory_selection s;
  s.start_date = raw.start_date;
  s.end_date = raw.end_date;
  s.limit = raw.limit;
  s.marker = raw.marker;
  if (s.start_date) s.start = parse_date("StartDate", *s.start_date);
  if (s.end_date) s.end = parse_date("EndDate", *s.end_date);
  if (s.start_date && s.end_date && s.start >= s.end) {
    invalid("Invalid InventoryRetrievalParameters: StartDate " + *s.start_date +
            " must be before EndDate " + *s.end_date);
  }
  if (s.limit && (!parse_decimal_u64(*s.limit, s.limit_value) || s.limit_value == 0)) {
    invalid("Invalid Limit: " + *s.limit + ". Limit must be a positive integer");
  }
  std::uint64_t sequence = 0;
  if (s.marker && !parse_inventory_marker(*s.marker, sequence)) {
    invalid("Invalid Marker: " + *s.marker +
            ". Use the Marker of a completed inventory job's InventoryRetrievalParameters");
  }
  return s;
}

const char* type_name(job_action action) {
  switch (action) {
    case job_action::archive_retrieval:
      return "archive-retrieval";
    case job_action::inventory_retrieval:
      return "inventory-retrieval";
    case job_action::select:
      return "select";
  }
  return "";
}

// SelectParameters and OutputLocation (their members: store/model/select_request.cpp),
// then the SQL, whose errors carry S3 Select's code.
std::shared_ptr<const select_request> parse_select(const raw_job_parameters& raw) {
  if (!raw.select_parameters) {
    throw error(error_code::missing_parameter_value,
                "Required parameter missing: SelectParameters");
  }
  if (!raw.output_location) {
    throw error(error_code::missing_parameter_value, "Required parameter missing: OutputLocation");
  }
  auto request = read_select_request(*raw.select_parameters, *raw.output_location);
  try {
    select::parse_and_check(request.expression, request.input.header);
  } catch (const select::select_error& e) {
    invalid("Invalid Expression: " + e.code() + ": " + e.what());
  }
  return std::make_shared<const select_request>(std::move(request));
}

}  // namespace

bool is_sns_topic_arn(std::string_view arn) {
  // arn:<partition>:sns:<region>:<account>:<topic>
  std::string_view parts[6];
  std::size_t count = 0;
  std::size_t start = 0;
  while (count < 5) {
    const auto colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    parts[count++] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  parts[5] = arn.substr(start);
  if (parts[0] != "arn" || !parts[1].starts_with("aws") || parts[2] != "sns") return false;
  if (parts[3].empty()) return false;
  for (const char c : parts[3]) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  if (!is_digits(parts[4], 12)) return false;
  auto name = parts[5];
  if (name.ends_with(".fifo")) name.remove_suffix(5);
  if (name.empty() || name.size() > 256) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

raw_job_parameters read_job_parameters_json(std::string_view body) {
  raw_job_parameters plain;
  if (read_plain_job_parameters(body, plain)) return plain;
  return read_job_parameters_dom(body);
}

raw_job_parameters read_job_parameters_dom(std::string_view body) {
  const auto parsed = parse_json_object(body, "job parameters");
  raw_job_parameters raw;
  raw.type = string_member(parsed, "Type");
  raw.tier = string_member(parsed, "Tier");
  raw.archive_id = string_member(parsed, "ArchiveId");
  raw.description = string_member(parsed, "Description");
  raw.format = string_member(parsed, "Format");
  raw.retrieval_byte_range = string_member(parsed, "RetrievalByteRange");
  raw.sns_topic = string_member(parsed, "SNSTopic");
  const auto inventory = parsed.find("InventoryRetrievalParameters");
  if (inventory != parsed.end() && !inventory->is_null()) {
    if (!inventory->is_object()) {
      throw error(error_code::serialization,
                  std::string("Invalid type for parameter InventoryRetrievalParameters: "
                              "expected an object, got ") +
                      inventory->type_name());
    }
    raw.has_inventory_parameters = true;
    raw.start_date = string_member(*inventory, "StartDate");
    raw.end_date = string_member(*inventory, "EndDate");
    raw.limit = string_member(*inventory, "Limit", true);
    raw.marker = string_member(*inventory, "Marker");
  }
  for (const auto& [key, target] : {std::pair{"SelectParameters", &raw.select_parameters},
                                    std::pair{"OutputLocation", &raw.output_location}}) {
    const auto it = parsed.find(key);
    if (it != parsed.end() && !it->is_null()) *target = *it;
  }
  return raw;
}

raw_job_parameters read_job_parameters_query(const boost::urls::url_view& url) {
  const auto params = url.params();
  auto get = [&](std::string_view key) -> std::optional<std::string> {
    const auto it = params.find(key);
    if (it == params.end()) return std::nullopt;
    return std::string((*it).value);
  };
  raw_job_parameters raw;
  raw.type = get("Type");
  raw.tier = get("Tier");
  raw.archive_id = get("ArchiveId");
  raw.description = get("Description");
  raw.format = get("Format");
  raw.retrieval_byte_range = get("RetrievalByteRange");
  raw.sns_topic = get("SNSTopic");
  raw.start_date = get("StartDate");
  raw.end_date = get("EndDate");
  raw.limit = get("Limit");
  raw.marker = get("Marker");
  raw.has_inventory_parameters = raw.start_date || raw.end_date || raw.limit || raw.marker;
  return raw;
}

job_parameters validate_job_parameters(const raw_job_parameters& raw) {
  job_parameters p;
  p.action = parse_type(raw.type);
  const bool inventory = p.action == job_action::inventory_retrieval;
  const bool is_select = p.action == job_action::select;
  const char* type = type_name(p.action);
  p.tier = parse_tier(raw.tier);

  if (raw.description && !is_valid_description(*raw.description)) {
    invalid(
        "Invalid Description: it must be at most 1024 characters of printable ASCII "
        "(0x20-0x7E)");
  }
  p.description = raw.description;

  if (raw.format) {
    if (!inventory)
      invalid(std::string("Format is only valid for inventory-retrieval jobs, not ") + type);
    if (*raw.format == "JSON") {
      p.format = inventory_format::json;
    } else if (*raw.format == "CSV") {
      p.format = inventory_format::csv;
    } else {
      invalid("Invalid Format: " + *raw.format + ". Valid values are: CSV, JSON");
    }
  }

  if (inventory) {
    if (raw.archive_id) invalid("ArchiveId is not allowed for inventory-retrieval jobs");
  } else if (!raw.archive_id || raw.archive_id->empty()) {
    invalid(std::string("ArchiveId is required for ") + type + " jobs");
  }
  p.archive_id = raw.archive_id;

  if (raw.retrieval_byte_range) {
    if (inventory || is_select) {
      invalid(std::string("RetrievalByteRange is not allowed for ") + type + " jobs");
    }
    p.range = parse_range(*raw.retrieval_byte_range);
  }

  if (raw.sns_topic) {
    if (!is_sns_topic_arn(*raw.sns_topic)) {
      invalid("Invalid SNSTopic: " + *raw.sns_topic +
              ". Expected an SNS topic ARN, e.g. arn:aws:sns:us-east-1:123456789012:topic");
    }
    p.sns_topic = raw.sns_topic;
  }

  if (raw.has_inventory_parameters) {
    if (!inventory) {
      invalid(std::string("InventoryRetrievalParameters is only valid for inventory-retrieval "
                          "jobs, not ") +
              type);
    }
    p.inventory = parse_inventory(raw);
  } else if (inventory) {
    p.inventory = inventory_selection{};
  }

  if (is_select) {
    p.select = parse_select(raw);
  } else if (raw.select_parameters || raw.output_location) {
    invalid(std::string(raw.select_parameters ? "SelectParameters" : "OutputLocation") +
            " is only valid for select jobs, not " + type);
  }
  return p;
}

}  // namespace glacier::api
