#pragma once

#include <boost/url/url_view.hpp>
#include <string>
#include <string_view>

#include "glacier/http/message.hpp"

namespace glacier::auth {

/// The SigV4 fields a request carries, from its Authorization header or, for a presigned
/// URL, its query string (X-Amz-Algorithm, X-Amz-Credential, ...).
struct sigv4_fields {
  enum class source { none, header, query };
  source from = source::none;
  std::string algorithm;  ///< "AWS4-HMAC-SHA256"
  /// The Credential value and its five parts: key/yyyymmdd/region/service/aws4_request.
  std::string credential;
  std::string access_key_id;
  std::string scope_date;
  std::string region;
  std::string service;
  std::string terminator;
  bool credential_complete = false;  ///< the Credential had exactly five parts
  std::string signed_headers;        ///< "host;x-amz-date", as sent
  std::string signature;             ///< lower-case hex, as sent
  std::string query_date;            ///< X-Amz-Date of a presigned URL
  std::string query_expires;         ///< X-Amz-Expires of a presigned URL
  std::string query_token;           ///< X-Amz-Security-Token of a presigned URL
  bool has_algorithm = false;        ///< X-Amz-Algorithm was given (presigned URLs)
  bool has_credential = false;       ///< a Credential= (or X-Amz-Credential) was given
  bool has_signed_headers = false;
  bool has_signature = false;
  bool has_query_date = false;     ///< X-Amz-Date was given (presigned URLs)
  bool has_query_expires = false;  ///< X-Amz-Expires was given (presigned URLs)
  /// An Authorization header and an X-Amz-Algorithm query parameter both: AWS refuses it.
  bool header_and_query = false;
  /// The first field of the Authorization header that has no '=' ("Credential"), if any.
  std::string field_without_value;
};

/// Reads the SigV4 fields of a request: its Authorization header when there is one, else
/// the X-Amz-* query parameters of a presigned URL. Never throws; what is missing or
/// malformed is left empty for the verifier to name.
sigv4_fields read_sigv4_fields(const http::header_map& headers, const boost::urls::url_view& url);

/// `text` without leading and trailing spaces and tabs (HTTP's optional whitespace).
std::string_view trim_spaces_and_tabs(std::string_view text);

}  // namespace glacier::auth
