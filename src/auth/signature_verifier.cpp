// SigV4 verification as AWS applies it to Glacier (spec Part 3A). The messages are AWS's
// where a real answer is known (README "Access control" lists the sources).
#include "glacier/auth/signature_verifier.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/url/params_encoded_view.hpp>
#include <boost/url/params_view.hpp>
#include <charconv>
#include <ctime>
#include <utility>
#include <vector>

#include "glacier/auth/sigv4_fields.hpp"
#include "glacier/aws/sigv4.hpp"
#include "glacier/core/error.hpp"

namespace glacier::auth {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view terminator = "aws4_request";
constexpr std::string_view token_header = "X-Amz-Security-Token";

[[noreturn]] void fail(error_code code, std::string message) {
  throw error(code, std::move(message), error_origin::front_end);
}

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// 20150830T123600Z, the only form SigV4 signs with.
bool parse_basic_iso(std::string_view text, std::chrono::system_clock::time_point& out) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !all_digits(text.substr(0, 8)) ||
      !all_digits(text.substr(9, 6))) {
    return false;
  }
  const auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const std::chrono::year_month_day day{std::chrono::year(number(0, 4)),
                                        std::chrono::month(static_cast<unsigned>(number(4, 2))),
                                        std::chrono::day(static_cast<unsigned>(number(6, 2)))};
  const int hours = number(9, 2);
  const int minutes = number(11, 2);
  const int seconds = number(13, 2);
  if (!day.ok() || hours > 23 || minutes > 59 || seconds > 60) return false;
  out = std::chrono::sys_days(day) + std::chrono::hours(hours) + std::chrono::minutes(minutes) +
        std::chrono::seconds(seconds);
  return true;
}

std::string basic_iso(std::chrono::system_clock::time_point t) {
  return sigv4::amz_date(t);
}

// SigV4 header values: trimmed, inner runs of spaces collapsed to one.
void append_header_value(std::string& out, std::string_view value) {
  value = trim_spaces_and_tabs(value);
  bool space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The query, decoded and encoded again the SigV4 way, sorted by name then value; a
// presigned URL's own signature is left out.
std::string canonical_query(const boost::urls::url_view& url, bool presigned) {
  std::vector<std::pair<std::string, std::string>> params;
  // '+' is a plus sign here, not a space: SigV4 clients encode spaces as %20.
  for (const auto& param : url.params(boost::urls::encoding_opts(false, false, false))) {
    if (presigned && param.key == "X-Amz-Signature") continue;
    params.emplace_back(
        sigv4::uri_encode(param.key, false),
        sigv4::uri_encode(param.has_value ? std::string_view(param.value) : "", false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out.append(key).append("=").append(value);
  }
  return out;
}

// x-amz-date wins over Date (spec Part 3A.1). A Date in any form counts as present; one
// not in the basic ISO form is then refused as AWS refuses it ("Date must be in ...").
std::string signing_date_text(const signed_request& r, const sigv4_fields& fields) {
  if (fields.from == sigv4_fields::source::query) return fields.query_date;
  const auto amz = http::header_or_empty(r.request.headers, "x-amz-date");
  if (!amz.empty()) return std::string(amz);
  return std::string(http::header_or_empty(r.request.headers, "Date"));
}

// AWS's shared front end answers the checks below in this order, each with its own words
// (answers recorded from AWS's JSON services; README "Signature verification" lists them).

void check_fields_have_values(const signed_request& r, const sigv4_fields& fields) {
  if (fields.field_without_value.empty()) return;
  fail(error_code::incomplete_signature,
       "'" + fields.field_without_value +
           "' not a valid key=value pair (missing equal-sign) in Authorization header: '" +
           std::string(http::header_or_empty(r.request.headers, "Authorization")) + "'.");
}

void check_complete(const signed_request& r, const sigv4_fields& fields,
                    const std::string& date_text) {
  std::string missing;
  const bool header = fields.from == sigv4_fields::source::header;
  const auto need = [&](bool present, std::string_view header_name, std::string_view query_name) {
    if (present) return;
    if (header) {
      missing.append("Authorization header requires '").append(header_name).append("' parameter. ");
    } else {
      missing.append("AWS query-string parameters must include '").append(query_name).append("'. ");
    }
  };
  if (!header) need(fields.has_algorithm, "", "X-Amz-Algorithm");
  need(fields.has_credential, "Credential", "X-Amz-Credential");
  need(fields.has_signature, "Signature", "X-Amz-Signature");
  need(fields.has_signed_headers, "SignedHeaders", "X-Amz-SignedHeaders");
  if (header && date_text.empty()) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!header) need(fields.has_query_date, "", "X-Amz-Date");
  if (missing.empty()) return;
  if (header) {
    missing.append("Authorization=")
        .append(http::header_or_empty(r.request.headers, "Authorization"));
  } else {
    missing += "Re-examine the query-string parameters.";
  }
  fail(error_code::incomplete_signature, missing);
}

// How long a presigned URL lives: its X-Amz-Expires (S3's limits and words, the only ones
// AWS publishes), never longer than the skew AWS allows Glacier: AWS's JSON services hold
// presigned requests to their fixed window whatever X-Amz-Expires says (STS's are valid 15
// minutes however they are signed).
std::chrono::seconds presigned_lifetime(const sigv4_fields& fields) {
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(allowed_skew);
  if (!fields.has_query_expires) return window;
  const auto& text = fields.query_expires;
  long long seconds = 0;
  const auto* last = text.data() + text.size();
  const auto parsed = std::from_chars(text.data(), last, seconds);
  if (text.empty() || parsed.ec != std::errc() || parsed.ptr != last) {
    fail(error_code::incomplete_signature, "X-Amz-Expires should be a number");
  }
  if (seconds < 0) fail(error_code::incomplete_signature, "X-Amz-Expires must be non-negative");
  if (seconds > max_presigned_lifetime.count()) {
    fail(error_code::incomplete_signature,
         "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
         "must be less than 604800 seconds");
  }
  return std::min(window, std::chrono::seconds(seconds));
}

void check_time(const sigv4_fields& fields, const std::string& date_text,
                std::chrono::system_clock::time_point now) {
  std::chrono::system_clock::time_point at;
  if (!parse_basic_iso(date_text, at)) {
    fail(error_code::incomplete_signature, "Date must be in ISO-8601 'basic format'. Got '" +
                                               date_text +
                                               "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(allowed_skew);
  const auto lifetime =
      fields.from == sigv4_fields::source::query ? presigned_lifetime(fields) : window;
  const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
  if (at < now_s - lifetime) {
    const auto lifetime_text =
        lifetime == window ? std::string("5 min.") : std::to_string(lifetime.count()) + " sec.";
    fail(error_code::invalid_signature, "Signature expired: " + date_text +
                                            " is now earlier than " + basic_iso(now_s - lifetime) +
                                            " (" + basic_iso(now_s) + " - " + lifetime_text + ")");
  }
  if (at > now_s + window) {
    fail(error_code::invalid_signature, "Signature not yet current: " + date_text +
                                            " is still later than " + basic_iso(now_s + window) +
                                            " (" + basic_iso(now_s) + " + 5 min.)");
  }
}

void check_host_is_signed(const sigv4_fields& fields) {
  std::string_view names = fields.signed_headers;
  while (!names.empty()) {
    const auto semicolon = names.find(';');
    if (lower(names.substr(0, semicolon)) == "host") return;
    names = semicolon == std::string_view::npos ? std::string_view() : names.substr(semicolon + 1);
  }
  fail(error_code::invalid_signature, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

void check_scope(const sigv4_fields& fields, const std::string& date_text) {
  if (fields.algorithm != algorithm) {
    fail(error_code::incomplete_signature, "Unsupported AWS 'algorithm': '" + fields.algorithm +
                                               "' (only AWS4-HMAC-SHA256 for now). ");
  }
  if (!fields.credential_complete) {
    fail(error_code::incomplete_signature,
         "Credential must have exactly 5 slash-delimited elements, e.g. "
         "keyid/date/region/service/term, got '" +
             fields.credential + "'");
  }
  // Every part that is wrong is named, in one message.
  std::string wrong;
  const bool region_ok =
      !fields.region.empty() && std::all_of(fields.region.begin(), fields.region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
  if (!region_ok)
    wrong += "Credential should be scoped to a valid region, not '" + fields.region + "'. ";
  if (fields.service != glacier_service) {
    wrong +=
        "Credential should be scoped to correct service: '" + std::string(glacier_service) + "'. ";
  }
  if (fields.terminator != terminator) {
    wrong += "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
             fields.terminator + "'. ";
  }
  const auto day = date_text.substr(0, 8);
  if (fields.scope_date != day) {
    wrong +=
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
        "from HTTP: '" +
        fields.scope_date + "' != '" + day + "', from '" + date_text + "'.";
  }
  if (!wrong.empty()) fail(error_code::invalid_signature, wrong);
}

const credential& find_key(const sigv4_fields& fields, const caller_directory& callers) {
  const auto* declared = callers.find(fields.access_key_id);
  if (declared == nullptr) {
    fail(error_code::unrecognized_client, "The security token included in the request is invalid.");
  }
  return *declared;
}

// After the signature, as AWS checks it: a temporary key needs its own token, a long-term
// key takes none.
void check_token(const signed_request& r, const sigv4_fields& fields, const credential& declared,
                 std::chrono::system_clock::time_point now) {
  const std::string_view sent_token = fields.from == sigv4_fields::source::query
                                          ? std::string_view(fields.query_token)
                                          : http::header_or_empty(r.request.headers, token_header);
  if (sent_token != declared.session_token) {
    fail(error_code::unrecognized_client, "The security token included in the request is invalid");
  }
  if (declared.expiration && *declared.expiration <= now) {
    fail(error_code::expired_token, "The security token included in the request is expired");
  }
}

}  // namespace

std::string signing_key_cache::get(std::string_view access_key_id, std::string_view secret,
                                   std::string_view day, std::string_view region,
                                   std::string_view service) {
  std::string id;
  id.reserve(access_key_id.size() + day.size() + region.size() + service.size() + 3);
  id.append(access_key_id)
      .append("/")
      .append(day)
      .append("/")
      .append(region)
      .append("/")
      .append(service);
  {
    std::lock_guard lock(mutex_);
    if (const auto it = keys_.find(id); it != keys_.end()) return it->second;
  }
  auto key = sigv4::signing_key(secret, day, region, service);
  std::lock_guard lock(mutex_);
  if (keys_.size() >= max_entries) keys_.clear();
  ++derivations_;
  keys_.emplace(std::move(id), key);
  return key;
}

std::size_t signing_key_cache::derivations() const {
  std::lock_guard lock(mutex_);
  return derivations_;
}

std::string verifier_canonical_request(const signed_request& r, std::string_view signed_headers,
                                       bool presigned) {
  std::string out;
  out.reserve(512);
  out.append(r.request.method).append("\n");
  // The path as sent, encoded once more: AWS's rule for every service but S3, which is
  // what SDKs sign (botocore quotes the already-encoded path).
  const auto path = r.url.encoded_path();
  out.append(path.empty() ? std::string("/") : sigv4::uri_encode(path, true)).append("\n");
  out.append(canonical_query(r.url, presigned)).append("\n");
  std::string_view names = signed_headers;
  while (!names.empty()) {
    const auto semicolon = names.find(';');
    const auto name = names.substr(0, semicolon);
    names = semicolon == std::string_view::npos ? std::string_view() : names.substr(semicolon + 1);
    out.append(lower(name)).append(":");
    append_header_value(out, http::header_or_empty(r.request.headers, name));
    out += '\n';
  }
  out.append("\n").append(lower(signed_headers)).append("\n");
  // A presigned URL signs the body's hash too (the empty body's for a GET), as botocore
  // signs it; only S3 signs UNSIGNED-PAYLOAD there.
  out.append(r.payload_hash);
  return out;
}

const credential& verify_signature(const signed_request& r, const sigv4_fields& fields,
                                   const caller_directory& callers, signing_key_cache& keys,
                                   std::chrono::system_clock::time_point now) {
  if (fields.from == sigv4_fields::source::none) {
    fail(error_code::missing_authentication_token, "Missing Authentication Token");
  }
  if (fields.header_and_query) {
    fail(error_code::invalid_signature,
         "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
         "header.");
  }
  check_fields_have_values(r, fields);
  const auto date_text = signing_date_text(r, fields);
  check_complete(r, fields, date_text);
  check_time(fields, date_text, now);
  check_host_is_signed(fields);
  check_scope(fields, date_text);
  const auto& declared = find_key(fields, callers);

  const bool presigned = fields.from == sigv4_fields::source::query;
  const auto canonical = verifier_canonical_request(r, fields.signed_headers, presigned);
  const auto scope = sigv4::credential_scope(fields.scope_date, fields.region, fields.service);
  const auto to_sign = sigv4::string_to_sign(date_text, scope, canonical);
  const auto key = keys.get(fields.access_key_id, declared.secret_access_key, fields.scope_date,
                            fields.region, fields.service);
  const auto expected = sigv4::signature(key, to_sign);
  const bool match = expected.size() == fields.signature.size() &&
                     CRYPTO_memcmp(expected.data(), fields.signature.data(), expected.size()) == 0;
  if (!match) {
    fail(error_code::invalid_signature,
         "The request signature we calculated does not match the signature you provided. Check "
         "your AWS Secret Access Key and signing method. Consult the service documentation for "
         "details.\n\nThe Canonical String for this request should have been\n'" +
             canonical + "'\n\nThe String-to-Sign should have been\n'" + to_sign + "'\n");
  }
  check_token(r, fields, declared, now);
  return declared;
}

}  // namespace glacier::auth
