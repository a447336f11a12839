#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace glacier::http {

/// Case-insensitive ordering for HTTP header names.
struct header_name_less {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};

/// Header fields by case-insensitive name; one value per name (Glacier never repeats one).
using header_map = std::map<std::string, std::string, header_name_less>;

/// A request as the api layer sees it: no Beast types below http/.
struct request {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< origin-form target, path plus query, still percent-encoded
  header_map headers;
  std::string body;  ///< moved into storage by uploads, so it is never copied
};

/// A response built by the api layer. The body is either `body` or, for archive output,
/// a slice of immutable shared bytes that the session sends without copying.
struct response {
  unsigned status = 200;
  header_map headers;
  std::string body;
  std::shared_ptr<const std::string> shared_body;  ///< when set, replaces `body`
  std::size_t shared_offset = 0;
  std::size_t shared_length = 0;
  std::string operation;   ///< Glacier operation name, for the access log
  std::string request_id;  ///< also in the x-amzn-RequestId header
  /// Injected latency: the session waits this long (without blocking a thread) first.
  std::chrono::milliseconds delay{0};
  std::string fault;  ///< the injected fault, for the access log; empty when none

  /// The bytes to send: `body`, or the shared slice.
  std::string_view payload() const {
    if (shared_body) return std::string_view(*shared_body).substr(shared_offset, shared_length);
    return body;
  }
};

/// Returns the header's value, or an empty view when it is absent.
std::string_view header_or_empty(const header_map& headers, std::string_view name);

}  // namespace glacier::http
