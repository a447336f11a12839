#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glacier {

/// FileHeaderInfo of CSVInput: what the archive's first record is.
enum class csv_header_mode { none, ignore, use };

/// QuoteFields of CSVOutput.
enum class csv_quote_fields { as_needed, always };

/// How the archive is read as CSV; every member holds its effective value (the request's,
/// or the default README "Glacier Select" lists when the request left it out).
struct csv_input_format {
  csv_header_mode header = csv_header_mode::none;
  char comments = '#';
  char quote_escape = '"';
  char record_delimiter = '\n';
  char field_delimiter = ',';
  char quote = '"';
};

/// How result records are written.
struct csv_output_format {
  csv_quote_fields quote_fields = csv_quote_fields::as_needed;
  char quote_escape = '"';
  char record_delimiter = '\n';
  char field_delimiter = ',';
  char quote = '"';
};

/// One Grant of S3Location.AccessControlList.
struct s3_grant {
  std::string grantee_type;  ///< AmazonCustomerByEmail, CanonicalUser or Group
  std::optional<std::string> display_name;
  std::optional<std::string> uri;
  std::optional<std::string> id;
  std::optional<std::string> email_address;
  std::string permission;  ///< FULL_CONTROL, WRITE, WRITE_ACP, READ or READ_ACP
};

/// OutputLocation.S3: where and how the job's objects are written.
struct s3_output_location {
  std::string bucket;
  std::string prefix;
  std::optional<std::string> encryption_type;  ///< aws:kms or AES256; absent = none
  std::optional<std::string> kms_key_id;
  std::optional<std::string> kms_context;
  std::optional<std::string> canned_acl;
  std::vector<s3_grant> access_control_list;
  std::map<std::string, std::string> tagging;
  std::map<std::string, std::string> user_metadata;
  std::optional<std::string> storage_class;
};

/// A select job's SelectParameters and OutputLocation, validated. The `*_json` members are
/// the two objects as DescribeJob echoes them (the members the request gave, model order).
struct select_request {
  std::string expression;
  csv_input_format input;
  csv_output_format output;
  s3_output_location location;
  std::string select_parameters_json;
  std::string output_location_json;
};

/// Validates SelectParameters and OutputLocation as the model and the developer guide
/// define them. A member of the wrong JSON type is a SerializationException, a missing
/// required one MissingParameterValueException "Required parameter missing: <name>", a bad
/// value InvalidParameterValueException naming it. The SQL is checked elsewhere (jobs/).
select_request read_select_request(const nlohmann::json& select_parameters,
                                   const nlohmann::json& output_location);

/// Where a select job's objects go inside the bucket: `<Prefix>/<jobId>/`, a slash added
/// after a Prefix that does not end in one (the x-amz-job-output-path header's value).
std::string select_output_path(std::string_view prefix, std::string_view job_id);

/// The longest OutputLocation Prefix accepted, in bytes.
inline constexpr std::size_t max_select_prefix_bytes = 512;
/// The longest SelectParameters Expression accepted, in characters.
inline constexpr std::size_t max_select_expression_chars = 128'000;

}  // namespace glacier
