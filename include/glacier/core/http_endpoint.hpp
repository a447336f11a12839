#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace glacier {

/// Where requests to an AWS stand-in (a local SNS or S3) go: the host and port of an
/// `http://host[:port]` URL.
struct http_endpoint {
  std::string host;
  std::uint16_t port = 80;
};

/// Parses an endpoint URL. Only plain http is supported (local stand-ins such as moto's or
/// LocalStack's); throws std::invalid_argument saying what is wrong otherwise.
http_endpoint parse_http_endpoint(std::string_view url);

}  // namespace glacier
