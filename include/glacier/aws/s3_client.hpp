#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glacier/aws/sigv4.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/core/http_endpoint.hpp"

namespace glacier {

/// What one PutObject attempt came to.
struct s3_put_result {
  bool stored = false;
  /// Worth another attempt: no answer, a 5xx, 408 or 429. Other answers (NoSuchBucket,
  /// AccessDenied, ...) stay the same however often the object is sent.
  bool retryable = false;
  std::string error;  ///< why not, when not stored
};

/// The part of an S3 key or bucket name that goes into a path: every byte but A-Z a-z 0-9
/// - _ . ~ and '/' percent-encoded, as S3's SigV4 canonical URI wants it (encoded once).
std::string s3_path_encode(std::string_view text);

/// A minimal S3 client: one SigV4-signed path-style PutObject (PUT /bucket/key) per call
/// over a fresh HTTP/1.1 connection, which moto, MinIO and LocalStack all accept.
/// Synchronous; every call ends within `timeout`. Never throws from put_object().
class s3_client {
 public:
  s3_client(http_endpoint endpoint, sigv4::credentials creds, duration timeout);

  /// Stores `body` as `bucket`/`key`, signed for `region` with the wall-clock time.
  /// `headers` (x-amz-acl, x-amz-server-side-encryption, x-amz-meta-*, ...) are sent and
  /// signed as given.
  s3_put_result put_object(const std::string& region, const std::string& bucket,
                           const std::string& key, std::string_view body,
                           const std::string& content_type,
                           const std::vector<std::pair<std::string, std::string>>& headers) const;

 private:
  http_endpoint endpoint_;
  sigv4::credentials creds_;
  duration timeout_;
};

}  // namespace glacier
