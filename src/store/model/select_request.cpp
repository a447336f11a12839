// SelectParameters and OutputLocation: the model's shapes (botocore glacier 2012-06-01) and
// the developer guide's rules (api-SelectParameters, api-CSVInput, api-CSVOutput,
// api-S3Location, api-Encryption, api-Grant, api-Grantee). The model marks nothing required
// but Grantee.Type, so botocore sends whatever it is given and every check is the server's.
#include "glacier/store/model/select_request.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include "glacier/core/error.hpp"

namespace glacier {

namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

[[noreturn]] void invalid(std::string message) {
  throw error(error_code::invalid_parameter_value, std::move(message));
}

[[noreturn]] void missing(std::string_view name) {
  throw error(error_code::missing_parameter_value,
              "Required parameter missing: " + std::string(name));
}

[[noreturn]] void wrong_type(std::string_view name, std::string_view expected, const json& got) {
  throw error(error_code::serialization, "Invalid type for parameter " + std::string(name) +
                                             ": expected " + std::string(expected) + ", got " +
                                             got.type_name());
}

// A member that is present and not null, else nullptr.
const json* present_member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> string_member(const json& object, const char* key) {
  const auto* value = present_member(object, key);
  if (!value) return std::nullopt;
  if (!value->is_string()) wrong_type(key, "a string", *value);
  return value->get<std::string>();
}

const json* object_member(const json& object, const char* key) {
  const auto* value = present_member(object, key);
  if (value && !value->is_object()) wrong_type(key, "an object", *value);
  return value;
}

std::string required_string(const json& object, const char* key) {
  auto value = string_member(object, key);
  if (!value) missing(key);
  return std::move(*value);
}

// An enum value: exact, or (for the CSV enums, whose documentation writes Use/Ignore/None
// and S3 Select accepts in any case) ignoring ASCII case. Returns its index in `values`.
template <std::size_t N>
std::size_t enum_value(std::string_view name, const std::string& text,
                       const std::array<std::string_view, N>& values, bool ignore_case) {
  for (std::size_t i = 0; i < N; ++i) {
    const auto& v = values[i];
    const bool same = ignore_case
                          ? std::equal(v.begin(), v.end(), text.begin(), text.end(),
                                       [](char a, char b) {
                                         return std::tolower(static_cast<unsigned char>(a)) ==
                                                std::tolower(static_cast<unsigned char>(b));
                                       })
                          : v == text;
    if (same) return i;
  }
  std::string list;
  for (const auto& v : values) list += (list.empty() ? "" : ", ") + std::string(v);
  invalid("Invalid " + std::string(name) + ": " + text + ". Valid values are: " + list);
}

// The one-character members of CSVInput and CSVOutput. glacier-mock reads and writes CSV
// byte by byte, so the character must be a single ASCII one (not NUL).
char single_character(std::string_view name, const std::string& text) {
  if (text.size() != 1 || static_cast<unsigned char>(text[0]) > 0x7f || text[0] == '\0') {
    invalid("Invalid " + std::string(name) + ": \"" + text +
            "\". It must be a single ASCII character");
  }
  return text[0];
}

// Reads one single-character member into `out` and echoes it.
void character_member(const json& object, const char* key, char& out, ordered& echo) {
  if (const auto text = string_member(object, key)) {
    out = single_character(key, *text);
    echo[key] = *text;
  }
}

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

void check_distinct(std::string_view what, char field, char record, char quote) {
  if (field == record) {
    invalid("Invalid " + std::string(what) + ": FieldDelimiter and RecordDelimiter must differ");
  }
  if (quote == field || quote == record) {
    invalid("Invalid " + std::string(what) +
            ": QuoteCharacter must differ from FieldDelimiter and RecordDelimiter");
  }
}

csv_input_format read_csv_input(const json& csv, ordered& echo) {
  csv_input_format f;
  if (const auto header = string_member(csv, "FileHeaderInfo")) {
    static constexpr std::array<std::string_view, 3> values{"USE", "IGNORE", "NONE"};
    static constexpr std::array<csv_header_mode, 3> modes{
        csv_header_mode::use, csv_header_mode::ignore, csv_header_mode::none};
    f.header = modes[enum_value("FileHeaderInfo", *header, values, true)];
    echo["FileHeaderInfo"] = *header;
  }
  character_member(csv, "Comments", f.comments, echo);
  character_member(csv, "QuoteEscapeCharacter", f.quote_escape, echo);
  character_member(csv, "RecordDelimiter", f.record_delimiter, echo);
  character_member(csv, "FieldDelimiter", f.field_delimiter, echo);
  // api-CSVInput: "\n", "\r" or a character from 32 (space) to 126 (~).
  const auto fd = static_cast<unsigned char>(f.field_delimiter);
  if (fd != '\n' && fd != '\r' && (fd < 32 || fd > 126)) {
    invalid(
        R"(Invalid FieldDelimiter: it must be "\n", "\r" or an ASCII character from 32 to 126)");
  }
  character_member(csv, "QuoteCharacter", f.quote, echo);
  check_distinct("CSVInput", f.field_delimiter, f.record_delimiter, f.quote);
  return f;
}

csv_output_format read_csv_output(const json& csv, ordered& echo) {
  csv_output_format f;
  if (const auto quote_fields = string_member(csv, "QuoteFields")) {
    static constexpr std::array<std::string_view, 2> values{"ALWAYS", "ASNEEDED"};
    f.quote_fields = enum_value("QuoteFields", *quote_fields, values, true) == 0
                         ? csv_quote_fields::always
                         : csv_quote_fields::as_needed;
    echo["QuoteFields"] = *quote_fields;
  }
  character_member(csv, "QuoteEscapeCharacter", f.quote_escape, echo);
  character_member(csv, "RecordDelimiter", f.record_delimiter, echo);
  character_member(csv, "FieldDelimiter", f.field_delimiter, echo);
  character_member(csv, "QuoteCharacter", f.quote, echo);
  check_distinct("CSVOutput", f.field_delimiter, f.record_delimiter, f.quote);
  return f;
}

// InputSerialization / OutputSerialization: {"csv": {...}}, the only format Glacier has.
template <typename Format, typename Read>
Format read_serialization(const json& parameters, const char* key, Read read, ordered& echo) {
  Format f;
  const auto* serialization = object_member(parameters, key);
  if (!serialization) return f;
  ordered out = ordered::object();
  if (const auto* csv = object_member(*serialization, "csv")) {
    ordered csv_echo = ordered::object();
    f = read(*csv, csv_echo);
    out["csv"] = std::move(csv_echo);
  }
  echo[key] = std::move(out);
  return f;
}

// S3 bucket naming rules: 3-63 characters of a-z, 0-9, '.', '-', starting and ending with
// a letter or digit, no "..", and not an IP address.
bool is_valid_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  bool all_digits_and_dots = true;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!alnum(c) && c != '.' && c != '-') return false;
    if (c == '.' && name[i + 1] == '.') return false;
    if (!(c >= '0' && c <= '9') && c != '.') all_digits_and_dots = false;
  }
  return !(all_digits_and_dots && std::count(name.begin(), name.end(), '.') == 3);
}

std::map<std::string, std::string> string_map(const json& object, const char* key, ordered& echo) {
  std::map<std::string, std::string> out;
  const auto* map = object_member(object, key);
  if (!map) return out;
  ordered copy = ordered::object();
  for (const auto& [k, v] : map->items()) {
    if (!v.is_string()) wrong_type(std::string(key) + "." + k, "a string", v);
    out.emplace(k, v.get<std::string>());
    copy[k] = v;
  }
  echo[key] = std::move(copy);
  return out;
}

void check_tagging(const std::map<std::string, std::string>& tags) {
  // S3's object tagging limits, which apply to the objects Glacier writes.
  if (tags.size() > 10) invalid("Invalid Tagging: an object can have at most 10 tags");
  for (const auto& [k, v] : tags) {
    if (k.empty() || utf8_length(k) > 128) {
      invalid("Invalid Tagging: tag key \"" + k + "\" must be 1 to 128 characters");
    }
    if (utf8_length(v) > 256) {
      invalid("Invalid Tagging: the value of tag \"" + k + "\" is longer than 256 characters");
    }
  }
}

void check_user_metadata(const std::map<std::string, std::string>& metadata) {
  // S3 sends user metadata as x-amz-meta-<key> headers: keys must be header-name tokens,
  // and keys and values together at most 2 KB.
  std::size_t total = 0;
  for (const auto& [k, v] : metadata) {
    const bool token = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!token) {
      invalid("Invalid UserMetadata: key \"" + k +
              "\" must be letters, digits, '-', '_' or '.' (it becomes an HTTP header name)");
    }
    if (std::any_of(v.begin(), v.end(),
                    [](char c) { return c == '\r' || c == '\n' || c == '\0'; })) {
      invalid("Invalid UserMetadata: the value of \"" + k + "\" contains a line break");
    }
    total += k.size() + v.size();
  }
  if (total > 2048) invalid("Invalid UserMetadata: keys and values exceed 2 KB in total");
}

s3_grant read_grant(const json& grant, ordered& echo) {
  if (!grant.is_object()) wrong_type("AccessControlList", "a list of Grant objects", grant);
  s3_grant g;
  const auto* grantee = object_member(grant, "Grantee");
  if (!grantee) missing("Grantee");
  ordered grantee_echo = ordered::object();
  const auto type = string_member(*grantee, "Type");
  if (!type) missing("Grantee.Type");
  static constexpr std::array<std::string_view, 3> types{"AmazonCustomerByEmail", "CanonicalUser",
                                                         "Group"};
  const auto kind = enum_value("Grantee.Type", *type, types, false);
  g.grantee_type = *type;
  grantee_echo["Type"] = *type;
  g.display_name = string_member(*grantee, "DisplayName");
  if (g.display_name) grantee_echo["DisplayName"] = *g.display_name;
  g.uri = string_member(*grantee, "URI");
  if (g.uri) grantee_echo["URI"] = *g.uri;
  g.id = string_member(*grantee, "ID");
  if (g.id) grantee_echo["ID"] = *g.id;
  g.email_address = string_member(*grantee, "EmailAddress");
  if (g.email_address) grantee_echo["EmailAddress"] = *g.email_address;
  // api-Grantee: each type is identified by its own member.
  static constexpr std::array<const char*, 3> identifiers{"EmailAddress", "ID", "URI"};
  const std::optional<std::string>* identifier[] = {&g.email_address, &g.id, &g.uri};
  if (!*identifier[kind]) missing(std::string("Grantee.") + identifiers[kind]);
  echo["Grantee"] = std::move(grantee_echo);
  const auto permission = string_member(grant, "Permission");
  if (!permission) missing("Permission");
  static constexpr std::array<std::string_view, 5> permissions{"FULL_CONTROL", "WRITE", "WRITE_ACP",
                                                               "READ", "READ_ACP"};
  enum_value("Permission", *permission, permissions, false);
  g.permission = *permission;
  echo["Permission"] = *permission;
  return g;
}

s3_output_location read_s3_location(const json& s3, ordered& echo) {
  s3_output_location l;
  l.bucket = required_string(s3, "BucketName");
  if (!is_valid_bucket_name(l.bucket)) {
    invalid("Invalid BucketName: " + l.bucket +
            ". A bucket name is 3 to 63 lowercase letters, digits, dots and hyphens, beginning "
            "and ending with a letter or digit");
  }
  echo["BucketName"] = l.bucket;
  l.prefix = required_string(s3, "Prefix");
  if (l.prefix.size() > max_select_prefix_bytes) {
    invalid("Invalid Prefix: it is " + std::to_string(l.prefix.size()) +
            " bytes long; the limit is 512 bytes");
  }
  echo["Prefix"] = l.prefix;

  if (const auto* encryption = object_member(s3, "Encryption")) {
    ordered e = ordered::object();
    if (const auto type = string_member(*encryption, "EncryptionType")) {
      static constexpr std::array<std::string_view, 2> types{"aws:kms", "AES256"};
      enum_value("EncryptionType", *type, types, false);
      l.encryption_type = *type;
      e["EncryptionType"] = *type;
    }
    l.kms_key_id = string_member(*encryption, "KMSKeyId");
    l.kms_context = string_member(*encryption, "KMSContext");
    if ((l.kms_key_id || l.kms_context) && l.encryption_type != "aws:kms") {
      invalid(std::string(l.kms_key_id ? "KMSKeyId" : "KMSContext") +
              " is only valid with EncryptionType aws:kms");
    }
    if (l.kms_key_id) e["KMSKeyId"] = *l.kms_key_id;
    if (l.kms_context) e["KMSContext"] = *l.kms_context;
    echo["Encryption"] = std::move(e);
  }

  if (const auto acl = string_member(s3, "CannedACL")) {
    static constexpr std::array<std::string_view, 7> acls{"private",
                                                          "public-read",
                                                          "public-read-write",
                                                          "aws-exec-read",
                                                          "authenticated-read",
                                                          "bucket-owner-read",
                                                          "bucket-owner-full-control"};
    enum_value("CannedACL", *acl, acls, false);
    l.canned_acl = *acl;
    echo["CannedACL"] = *acl;
  }
  if (const auto* grants = present_member(s3, "AccessControlList")) {
    if (!grants->is_array()) wrong_type("AccessControlList", "a list", *grants);
    ordered list = ordered::array();
    for (const auto& grant : *grants) {
      ordered g = ordered::object();
      l.access_control_list.push_back(read_grant(grant, g));
      list.push_back(std::move(g));
    }
    // S3 refuses a canned ACL together with explicit grants.
    if (l.canned_acl && !l.access_control_list.empty()) {
      invalid("CannedACL and AccessControlList cannot both be given");
    }
    echo["AccessControlList"] = std::move(list);
  }
  l.tagging = string_map(s3, "Tagging", echo);
  check_tagging(l.tagging);
  l.user_metadata = string_map(s3, "UserMetadata", echo);
  check_user_metadata(l.user_metadata);
  if (const auto storage = string_member(s3, "StorageClass")) {
    static constexpr std::array<std::string_view, 3> classes{"STANDARD", "REDUCED_REDUNDANCY",
                                                             "STANDARD_IA"};
    enum_value("StorageClass", *storage, classes, false);
    l.storage_class = *storage;
    echo["StorageClass"] = *storage;
  }
  return l;
}

}  // namespace

select_request read_select_request(const json& select_parameters, const json& output_location) {
  select_request r;
  if (!select_parameters.is_object()) {
    wrong_type("SelectParameters", "an object", select_parameters);
  }
  if (!output_location.is_object()) wrong_type("OutputLocation", "an object", output_location);

  ordered select_echo = ordered::object();
  // Model order: InputSerialization, ExpressionType, Expression, OutputSerialization.
  r.input = read_serialization<csv_input_format>(select_parameters, "InputSerialization",
                                                 read_csv_input, select_echo);
  const auto expression_type = required_string(select_parameters, "ExpressionType");
  static constexpr std::array<std::string_view, 1> types{"SQL"};
  enum_value("ExpressionType", expression_type, types, false);
  select_echo["ExpressionType"] = expression_type;
  r.expression = required_string(select_parameters, "Expression");
  const auto length = utf8_length(r.expression);
  if (length == 0) invalid("Invalid Expression: it must not be empty");
  if (length > max_select_expression_chars) {
    invalid("Invalid Expression: it is " + std::to_string(length) +
            " characters long; the limit is 128000 characters");
  }
  select_echo["Expression"] = r.expression;
  r.output = read_serialization<csv_output_format>(select_parameters, "OutputSerialization",
                                                   read_csv_output, select_echo);

  const auto* s3 = object_member(output_location, "S3");
  if (!s3) missing("S3");
  ordered s3_echo = ordered::object();
  r.location = read_s3_location(*s3, s3_echo);

  const auto dump = [](const ordered& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  r.select_parameters_json = dump(select_echo);
  r.output_location_json = dump(ordered{{"S3", std::move(s3_echo)}});
  return r;
}

std::string select_output_path(std::string_view prefix, std::string_view job_id) {
  std::string path(prefix);
  if (!path.empty() && path.back() != '/') path += '/';
  path += job_id;
  path += '/';
  return path;
}

}  // namespace glacier
