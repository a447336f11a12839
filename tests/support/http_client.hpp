#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "glacier/http/message.hpp"

namespace glacier::testing {

/// One HTTP response as a test sees it.
struct http_reply {
  unsigned status = 0;                ///< 100 for an interim Continue
  unsigned version = 11;              ///< 10 or 11
  glacier::http::header_map headers;  ///< every response header
  std::string body;                   ///< the whole body
  bool keep_alive = false;            ///< what the response's Connection semantics say

  /// The header's value, or "" when absent.
  std::string header(std::string_view name) const {
    return std::string(glacier::http::header_or_empty(headers, name));
  }
};

/// A small synchronous HTTP/1.1 client over one loopback connection. Every operation has a
/// timeout (default 5 s) and throws std::runtime_error when it passes, so a server bug
/// fails a test instead of hanging it.
class http_client {
 public:
  /// Connects to host:port at once.
  explicit http_client(std::uint16_t port, std::string host = "127.0.0.1");
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Sends a request (Host and Content-Length are added) and reads the response.
  http_reply send(std::string_view method, std::string_view target,
                  const glacier::http::header_map& headers = {}, std::string_view body = {});

  /// Writes the request line and headers only; finish with send_raw() of the body.
  void send_header(std::string_view method, std::string_view target,
                   const glacier::http::header_map& headers, std::uint64_t content_length);

  /// Writes bytes exactly as given (malformed requests, partial requests, bodies).
  void send_raw(std::string_view bytes);

  /// Reads one response (interim 1xx responses included, so 100-continue can be seen).
  http_reply read_reply();

  /// True when the server closes the connection (EOF or reset) within `within`; any bytes
  /// arriving before that are ignored.
  bool wait_for_close(std::chrono::milliseconds within);

  /// Reads until the server closes or `within` passes; returns what arrived.
  std::string read_raw_until_close(std::chrono::milliseconds within);

  /// Per-operation timeout.
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::chrono::milliseconds timeout_{5000};
};

}  // namespace glacier::testing
