#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "glacier/aws/sigv4.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/core/http_endpoint.hpp"

namespace glacier {

/// Where SNS Publish requests go.
using sns_endpoint = http_endpoint;

/// Parses an SNS endpoint URL (plain http only); throws std::invalid_argument otherwise.
inline sns_endpoint parse_sns_endpoint(std::string_view url) {
  return parse_http_endpoint(url);
}

/// What one Publish attempt came to.
struct sns_publish_result {
  bool delivered = false;
  std::string message_id;  ///< from the response, when delivered
  std::string error;       ///< why not, when not delivered
};

/// application/x-www-form-urlencoded encoding of one value (space as %20, as AWS SDKs do).
std::string form_urlencode(std::string_view text);

/// The region of an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), or nullopt.
std::optional<std::string> region_of_topic_arn(std::string_view arn);

/// The text between the first `<tag>` and `</tag>` in `xml`, or nullopt.
std::optional<std::string> xml_element(std::string_view xml, std::string_view tag);

/// A minimal SNS query-API client: one signed `Publish` per call over a fresh HTTP/1.1
/// connection. Synchronous; every call ends within `timeout`. Never throws from publish().
class sns_client {
 public:
  /// `fallback_region` signs requests whose topic ARN names no region.
  sns_client(sns_endpoint endpoint, sigv4::credentials creds, std::string fallback_region,
             duration timeout);

  /// Publishes `message` to `topic_arn`, signed with the wall-clock time.
  sns_publish_result publish(const std::string& topic_arn, const std::string& message) const;

 private:
  sns_endpoint endpoint_;
  sigv4::credentials creds_;
  std::string fallback_region_;
  duration timeout_;
};

}  // namespace glacier
