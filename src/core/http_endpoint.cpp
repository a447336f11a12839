#include "glacier/core/http_endpoint.hpp"

#include <boost/url/parse.hpp>
#include <charconv>
#include <stdexcept>

namespace glacier {

http_endpoint parse_http_endpoint(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  const std::string usage = "expected http://HOST:PORT, e.g. http://127.0.0.1:4566";
  if (!parsed) throw std::invalid_argument("not a URL; " + usage);
  const auto& u = *parsed;
  if (u.scheme_id() == boost::urls::scheme::https) {
    throw std::invalid_argument(
        "https is not supported (glacier-mock speaks plain http to local AWS stand-ins); " + usage);
  }
  if (u.scheme_id() != boost::urls::scheme::http) {
    throw std::invalid_argument("unsupported scheme \"" + std::string(u.scheme()) + "\"; " + usage);
  }
  if (u.has_userinfo() || u.has_query() || u.has_fragment() ||
      !(u.encoded_path().empty() || u.encoded_path() == "/")) {
    throw std::invalid_argument("only scheme, host and port are allowed; " + usage);
  }
  http_endpoint endpoint;
  if (u.host_type() == boost::urls::host_type::ipv6) {
    endpoint.host = u.host_ipv6_address().to_string();
  } else {
    endpoint.host = std::string(u.encoded_host());
  }
  if (endpoint.host.empty()) throw std::invalid_argument("no host; " + usage);
  if (u.has_port()) {
    const auto text = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 ||
        value > 65535) {
      throw std::invalid_argument("bad port \"" + std::string(text) + "\"; " + usage);
    }
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  return endpoint;
}

}  // namespace glacier
