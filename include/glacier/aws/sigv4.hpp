#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace glacier::sigv4 {

/// An AWS access key pair.
struct credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

/// The parts of an HTTP request that a SigV4 signature covers.
struct request {
  std::string method;           ///< "GET", "POST", ...
  std::string path = "/";       ///< already URI-encoded, as sent
  std::string canonical_query;  ///< already canonical (sorted, encoded); "" when none
  /// Every header to sign, X-Amz-Date included; names in any case, values as sent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;  ///< the body
};

/// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// Raw HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

/// The X-Amz-Date form of `t`: 20150830T123600Z.
std::string amz_date(std::chrono::system_clock::time_point t);

/// The canonical request (step 1 of the algorithm); exposed for tests and debugging.
std::string canonical_request(const request& req);

/// Lowercase hex of `data`.
std::string hex(std::string_view data);

/// SigV4's URI encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) as they are, every
/// other byte as %XY with upper-case hex; '/' is kept when `keep_slash`.
std::string uri_encode(std::string_view text, bool keep_slash);

/// The credential scope: <yyyymmdd>/<region>/<service>/aws4_request.
std::string credential_scope(std::string_view day, std::string_view region,
                             std::string_view service);

/// The signing key of SigV4's derivation: HMAC chain over "AWS4" + secret, the day
/// (yyyymmdd), region, service and "aws4_request". Raw bytes.
std::string signing_key(std::string_view secret, std::string_view day, std::string_view region,
                        std::string_view service);

/// The string to sign for a canonical request signed at `date` (20150830T123600Z).
std::string string_to_sign(std::string_view date, std::string_view scope,
                           std::string_view canonical_request);

/// The signature: lowercase hex HMAC-SHA256 of `string_to_sign` under `signing_key`.
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

/// The Authorization header value for `req`, signed for `region` and `service` at
/// `date` (the request's X-Amz-Date value, 20150830T123600Z).
std::string authorization(const request& req, const credentials& creds, std::string_view region,
                          std::string_view service, std::string_view date);

}  // namespace glacier::sigv4
