#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "glacier/store/model/job.hpp"

namespace boost::urls {
class url_view;
}

namespace glacier::api {

/// InitiateJob parameters as received, before validation; both request forms produce this.
struct raw_job_parameters {
  std::optional<std::string> type;
  std::optional<std::string> tier;
  std::optional<std::string> archive_id;
  std::optional<std::string> description;
  std::optional<std::string> format;
  std::optional<std::string> retrieval_byte_range;
  std::optional<std::string> sns_topic;
  bool has_inventory_parameters = false;
  std::optional<std::string> start_date;
  std::optional<std::string> end_date;
  std::optional<std::string> limit;
  std::optional<std::string> marker;
  std::optional<nlohmann::json> select_parameters;  ///< SelectParameters, when not null
  std::optional<nlohmann::json> output_location;    ///< OutputLocation, when not null
};

/// Reads the JSON body form. Malformed JSON, a non-object body or a field of the wrong
/// JSON type is a SerializationException naming the field.
raw_job_parameters read_job_parameters_json(std::string_view body);

/// read_job_parameters_json through a DOM only: the definition the fast reader of
/// plain_job_parameters.hpp is checked against.
raw_job_parameters read_job_parameters_dom(std::string_view body);

/// Reads the seed's query-parameter form (spec Part 1 §2): Type, Tier, ArchiveId, ...,
/// with StartDate, EndDate, Limit and Marker filling InventoryRetrievalParameters.
raw_job_parameters read_job_parameters_query(const boost::urls::url_view& url);

/// Validates parameters exactly as the spec says; throws InvalidParameterValueException
/// (MissingParameterValueException for a missing required one) with a message naming the
/// parameter. A select job's SQL is parsed and checked here, as Glacier checks most of it
/// at initiation. Checks that need the archive (existence, end of range) are the store's.
job_parameters validate_job_parameters(const raw_job_parameters& raw);

/// True when `arn` is an SNS topic ARN: arn:<partition>:sns:<region>:<12 digits>:<name>.
bool is_sns_topic_arn(std::string_view arn);

}  // namespace glacier::api
