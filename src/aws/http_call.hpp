#pragma once

// One blocking HTTP/1.1 exchange with a local AWS stand-in, shared by the SNS and S3
// clients (private to aws/: it is the only place that connects to them).
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string>

#include "glacier/core/clock.hpp"
#include "glacier/core/http_endpoint.hpp"

namespace glacier::aws_http {

/// What one exchange came to.
struct result {
  bool answered = false;  ///< an HTTP response arrived (any status)
  unsigned status = 0;
  std::string body;
  std::string error;  ///< why no response arrived
};

/// The Host header for `endpoint`: host, with the port unless it is 80; IPv6 in brackets.
std::string host_header(const http_endpoint& endpoint);

/// The most an SNS or S3 answer may be: a short XML document, or nothing.
inline constexpr std::uint64_t max_response_bytes = 1 << 20;

/// "HTTP <status> <Code>: <Message>" from an AWS XML error body (SNS and S3 both send
/// one), or the start of a body that is not one.
std::string describe_failure(unsigned status, const std::string& body);

/// Sends `request` over a fresh connection and reads the answer, all within `timeout`;
/// a body past max_response_bytes is an error. Never throws.
result exchange(const http_endpoint& endpoint,
                boost::beast::http::request<boost::beast::http::string_body>& request,
                duration timeout);

}  // namespace glacier::aws_http
