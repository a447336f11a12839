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

/// The Authorization header value for `req`, signed for `region` and `service` at
/// `date` (the request's X-Amz-Date value, 20150830T123600Z).
std::string authorization(const request& req, const credentials& creds, std::string_view region,
                          std::string_view service, std::string_view date);

}  // namespace glacier::sigv4
