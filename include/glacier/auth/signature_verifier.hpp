#pragma once

#include <boost/url/url_view.hpp>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "glacier/auth/callers.hpp"
#include "glacier/auth/sigv4_fields.hpp"
#include "glacier/http/message.hpp"

namespace glacier::auth {

/// SigV4 signing keys by access key, day, region and service, so a request costs one
/// HMAC for its signature instead of five: the key changes once a day per client.
/// Thread-safe; the lock is held for map access only.
class signing_key_cache {
 public:
  /// The signing key of `secret` for (day, region, service), derived on a miss.
  std::string get(std::string_view access_key_id, std::string_view secret, std::string_view day,
                  std::string_view region, std::string_view service);

  /// How many keys were derived (misses), for tests.
  std::size_t derivations() const;

  /// Most keys kept; past it the cache starts over.
  static constexpr std::size_t max_entries = 4096;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> keys_;
  std::size_t derivations_ = 0;
};

/// The service name of Glacier's credential scope.
inline constexpr std::string_view glacier_service = "glacier";

/// The clock skew AWS allows Glacier requests, either way (spec Part 3A.4).
inline constexpr std::chrono::minutes allowed_skew{5};

/// The longest X-Amz-Expires a presigned URL may name: a week, as for every SigV4 service.
inline constexpr std::chrono::seconds max_presigned_lifetime{604800};

/// A request as its signature covers it.
struct signed_request {
  const http::request& request;
  boost::urls::url_view url;
  std::string_view payload_hash;  ///< x-amz-content-sha256 as sent, else the body's SHA-256
};

/// Verifies a request's SigV4 signature as AWS verifies Glacier's (spec Part 3A), against
/// the real clock `now`, and returns the credential that signed it. Throws glacier::error
/// with AWS's code, status and message, checking in AWS's order: MissingAuthenticationToken
/// (nothing signed); IncompleteSignature (a field missing or without a value, a date not in
/// the basic ISO form, a malformed X-Amz-Expires); InvalidSignature (expired or not yet
/// current, host not signed); IncompleteSignature (algorithm, credential shape);
/// InvalidSignature (scope); UnrecognizedClient (unknown key); InvalidSignature (signature);
/// UnrecognizedClient (wrong session token); ExpiredToken.
const credential& verify_signature(const signed_request& request, const sigv4_fields& fields,
                                   const caller_directory& callers, signing_key_cache& keys,
                                   std::chrono::system_clock::time_point now);

/// The canonical request of SigV4 for `request` and the signed header list, as the
/// verifier computes it; exposed for tests.
std::string verifier_canonical_request(const signed_request& request,
                                       std::string_view signed_headers, bool presigned);

}  // namespace glacier::auth
