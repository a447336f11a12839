#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "glacier/core/config.hpp"

namespace glacier {

/// Points the default spdlog logger at stdout, flushed after every line so a parent
/// process reading the pipe sees the startup line at once; text or JSON lines per
/// cfg.log_format, level per cfg.log_level. Safe to call again (tests do).
void setup_logging(const config& cfg);

/// One served request, as the access log records it. The views only need to live for
/// the log_access call.
struct access_log_entry {
  std::string_view method;                ///< "GET", or "-" when the request line was unreadable
  std::string_view target;                ///< path plus query, as sent
  std::string_view operation;             ///< Glacier operation name, empty when none was routed
  unsigned status = 0;                    ///< HTTP status sent
  std::chrono::microseconds duration{0};  ///< from complete header to response written
  std::string_view request_id;            ///< x-amzn-RequestId of the response
  std::string_view remote;                ///< client address and port
  std::uint64_t bytes_sent = 0;           ///< response body bytes
  std::string_view fault;                 ///< the injected fault, empty when none
  std::string_view principal;             ///< the caller's principal ARN, empty when none
};

/// Writes one access line at info level: a text line, or in JSON mode an object whose
/// fields (method, target, operation, status, duration_ms, ...) are machine-readable. The
/// caller adds `principal=ARN` (a "principal" field), an injected fault `fault="..."` (a
/// "fault" field in JSON).
void log_access(const access_log_entry& entry);

}  // namespace glacier
