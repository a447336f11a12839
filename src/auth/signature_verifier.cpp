// SigV4 verification as AWS applies it to Glacier (spec Part 3A). The messages are AWS's
// where a real answer is known (README "Access control" lists the sources).
#include "glacier/auth/signature_verifier.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/url/params_encoded_view.hpp>
#include <boost/url/params_view.hpp>
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

struct request_time {
  std::string text;  ///< as sent
  std::chrono::system_clock::time_point at;
};

// x-amz-date wins over Date; Date counts only in the basic ISO form (spec Part 3A.1).
std::string signing_date_text(const signed_request& r, const sigv4_fields& fields) {
  if (fields.from == sigv4_fields::source::query) return fields.query_date;
  const auto amz = http::header_or_empty(r.request.headers, "x-amz-date");
  if (!amz.empty()) return std::string(amz);
  const auto date = http::header_or_empty(r.request.headers, "Date");
  std::chrono::system_clock::time_point ignored;
  return parse_basic_iso(date, ignored) ? std::string(date) : std::string();
}

void check_complete(const signed_request& r, const sigv4_fields& fields,
                    const std::string& date_text) {
  std::string missing;
  const auto need = [&](bool present, std::string_view header_name, std::string_view query_name) {
    if (present) return;
    if (fields.from == sigv4_fields::source::header) {
      missing.append("Authorization header requires '").append(header_name).append("' parameter. ");
    } else {
      missing.append("AWS query-string parameters must include '").append(query_name).append("'. ");
    }
  };
  need(fields.has_credential, "Credential", "X-Amz-Credential");
  need(fields.has_signature, "Signature", "X-Amz-Signature");
  need(fields.has_signed_headers, "SignedHeaders", "X-Amz-SignedHeaders");
  if (date_text.empty()) {
    missing += fields.from == sigv4_fields::source::header
                   ? "Authorization header requires existence of either a 'X-Amz-Date' or a "
                     "'Date' header. "
                   : "AWS query-string parameters must include 'X-Amz-Date'. ";
  }
  if (missing.empty()) return;
  if (fields.from == sigv4_fields::source::header) {
    missing.append("Authorization=")
        .append(http::header_or_empty(r.request.headers, "Authorization"));
  } else {
    missing += "Re-examine the query-string parameters.";
  }
  fail(error_code::incomplete_signature, missing);
}

void check_scope(const sigv4_fields& fields) {
  if (fields.algorithm != algorithm) {
    fail(error_code::incomplete_signature,
         "Unsupported AWS 'algorithm': '" + fields.algorithm + "'");
  }
  if (!fields.credential_complete) {
    fail(error_code::incomplete_signature,
         "Credential must have exactly 5 slash-delimited elements, e.g. "
         "keyid/date/region/service/term, got '" +
             fields.credential + "'");
  }
  if (fields.terminator != terminator) {
    fail(error_code::invalid_signature,
         "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
             fields.terminator + "'. ");
  }
  if (fields.service != glacier_service) {
    fail(error_code::invalid_signature, "Credential should be scoped to correct service: '" +
                                            std::string(glacier_service) + "'. ");
  }
  const bool region_ok =
      !fields.region.empty() && std::all_of(fields.region.begin(), fields.region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
  if (!region_ok) {
    fail(error_code::invalid_signature,
         "Credential should be scoped to a valid region, not '" + fields.region + "'. ");
  }
}

const credential& check_key_and_token(const signed_request& r, const sigv4_fields& fields,
                                      const caller_directory& callers,
                                      std::chrono::system_clock::time_point now) {
  constexpr std::string_view invalid_token =
      "The security token included in the request is invalid.";
  const auto* declared = callers.find(fields.access_key_id);
  if (declared == nullptr) fail(error_code::unrecognized_client, std::string(invalid_token));
  const std::string_view sent_token = fields.from == sigv4_fields::source::query
                                          ? std::string_view(fields.query_token)
                                          : http::header_or_empty(r.request.headers, token_header);
  // A temporary key needs its own token; a long-term key takes none.
  if (sent_token != declared->session_token) {
    fail(error_code::unrecognized_client, std::string(invalid_token));
  }
  if (declared->expiration && *declared->expiration <= now) {
    fail(error_code::expired_token, "The security token included in the request is expired");
  }
  return *declared;
}

request_time check_time(const sigv4_fields& fields, const std::string& date_text,
                        std::chrono::system_clock::time_point now) {
  request_time t{date_text, {}};
  if (!parse_basic_iso(date_text, t.at)) {
    fail(error_code::incomplete_signature, "Date must be in ISO-8601 'basic format'. Got '" +
                                               date_text +
                                               "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  if (fields.scope_date != date_text.substr(0, 8)) {
    fail(error_code::invalid_signature,
         "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
         "HTTP: '" +
             fields.scope_date + "' != '" + date_text.substr(0, 8) + "', from '" + date_text +
             "'.");
  }
  const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
  // A presigned URL lives for its X-Amz-Expires; a signed header for the allowed skew.
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(allowed_skew);
  std::string lifetime_text = "5 min.";
  if (fields.from == sigv4_fields::source::query) {
    const auto& expires = fields.query_expires;
    if (expires.empty() || expires.size() > 6 || !all_digits(expires) || std::stol(expires) < 1 ||
        std::stol(expires) > 604800) {
      fail(error_code::incomplete_signature,
           "X-Amz-Expires must be a whole number of seconds from 1 to 604800, not '" + expires +
               "'");
    }
    lifetime = std::chrono::seconds(std::stol(expires));
    lifetime_text = expires + " sec.";
  }
  if (t.at < now_s - lifetime) {
    fail(error_code::invalid_signature, "Signature expired: " + date_text +
                                            " is now earlier than " + basic_iso(now_s - lifetime) +
                                            " (" + basic_iso(now_s) + " - " + lifetime_text + ")");
  }
  if (t.at > now_s + allowed_skew) {
    fail(error_code::invalid_signature,
         "Signature not yet current: " + date_text + " is still later than " +
             basic_iso(now_s + allowed_skew) + " (" + basic_iso(now_s) + " + 5 min.)");
  }
  return t;
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
  const auto date_text = signing_date_text(r, fields);
  check_complete(r, fields, date_text);
  check_scope(fields);
  const auto& declared = check_key_and_token(r, fields, callers, now);
  check_time(fields, date_text, now);

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
  return declared;
}

}  // namespace glacier::auth
