#pragma once

#include <string_view>

#include "glacier/core/error.hpp"
#include "glacier/http/message.hpp"

namespace glacier::api {

/// Turns one request into one response: pre-checks, routing, the handler, and the
/// error mapping. The only place that catches. Thread-safe.
class dispatcher {
 public:
  virtual ~dispatcher() = default;

  /// Handles a complete request. Never throws; errors become Glacier JSON errors.
  virtual http::response handle(http::request&& request) = 0;

  /// A Glacier-shaped error response for failures found before a request is complete
  /// (oversized body or headers, malformed HTTP), with request id and Date set.
  virtual http::response error_response(error_code code, std::string_view message) = 0;
};

}  // namespace glacier::api
