#include "glacier/aws/sns_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <exception>
#include <stdexcept>
#include <utility>
#include <vector>

namespace glacier {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// An SNS answer is a short XML document; anything far larger is not one.
constexpr std::uint64_t max_response_bytes = 1 << 20;
// Keeps a non-XML error body from flooding the recorded error text.
constexpr std::size_t max_error_excerpt = 200;

std::string xml_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool replaced = false;
    for (const auto& [entity, c] : entities) {
      if (text.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += '&';
  }
  return out;
}

std::string host_header(const sns_endpoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + endpoint.host + "]" : endpoint.host;
  if (endpoint.port != 80) out += ":" + std::to_string(endpoint.port);
  return out;
}

std::string describe_failure(unsigned status, const std::string& body) {
  std::string out = "HTTP " + std::to_string(status);
  const auto code = xml_element(body, "Code");
  const auto message = xml_element(body, "Message");
  if (code) out += " " + *code;
  if (message) out += (code ? ": " : " ") + *message;
  if (!code && !message && !body.empty()) {
    out += ": " + body.substr(0, max_error_excerpt);
  }
  return out;
}

// One HTTP exchange under an overall deadline, run on a private io_context so the calling
// thread simply blocks until it ends.
class exchange {
 public:
  exchange(std::chrono::steady_clock::time_point deadline, duration timeout)
      : deadline_(deadline), timeout_(timeout) {}

  // The endpoint's addresses; a literal address needs no lookup.
  std::optional<std::vector<tcp::endpoint>> resolve(const sns_endpoint& endpoint,
                                                    std::string& error) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(endpoint.host, ec);
    if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(address, endpoint.port)};
    tcp::resolver resolver(ioc_);
    std::optional<std::vector<tcp::endpoint>> results;
    resolver.async_resolve(
        endpoint.host, std::to_string(endpoint.port),
        [&](const boost::system::error_code& e, const tcp::resolver::results_type& r) {
          ec = e;
          if (!e) results.emplace(r.begin(), r.end());
        });
    ioc_.restart();
    ioc_.run_for(left());
    if (!ioc_.stopped()) {
      // The lookup outlived the deadline: abandon it and let its handler run out.
      resolver.cancel();
      ioc_.restart();
      ioc_.run();
      error = timeout_text("resolving " + endpoint.host);
      return std::nullopt;
    }
    if (results && results->empty()) ec = asio::error::host_not_found;
    if (ec) results.reset();
    if (!results) error = "cannot resolve " + endpoint.host + ": " + ec.message();
    return results;
  }

  // Runs one asynchronous stream operation to completion; the stream's expiry bounds it.
  template <typename Start>
  beast::error_code run(Start start) {
    std::optional<beast::error_code> result;
    stream_.expires_after(left());
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result.value_or(asio::error::operation_aborted);
  }

  beast::tcp_stream& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }

  std::string timeout_text(const std::string& step) const {
    return "timed out after " + std::to_string(timeout_.count()) + " ms " + step;
  }

 private:
  std::chrono::milliseconds left() const {
    const auto rest = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    return rest.count() > 0 ? rest : std::chrono::milliseconds(0);
  }

  asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  std::chrono::steady_clock::time_point deadline_;
  duration timeout_;
};

}  // namespace

std::string form_urlencode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += digits[u >> 4];
      out += digits[u & 0x0f];
    }
  }
  return out;
}

std::optional<std::string> region_of_topic_arn(std::string_view arn) {
  // arn:PARTITION:sns:REGION:ACCOUNT:NAME
  std::size_t start = 0;
  for (int field = 0; field < 3; ++field) {
    const auto colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    start = colon + 1;
  }
  const auto end = arn.find(':', start);
  if (end == std::string_view::npos || end == start) return std::nullopt;
  return std::string(arn.substr(start, end - start));
}

std::optional<std::string> xml_element(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto begin = xml.find(open);
  if (begin == std::string_view::npos) return std::nullopt;
  const auto first = begin + open.size();
  const auto end = xml.find(close, first);
  if (end == std::string_view::npos) return std::nullopt;
  return xml_unescape(xml.substr(first, end - first));
}

sns_client::sns_client(sns_endpoint endpoint, sigv4::credentials creds, std::string fallback_region,
                       duration timeout)
    : endpoint_(std::move(endpoint)),
      creds_(std::move(creds)),
      fallback_region_(std::move(fallback_region)),
      timeout_(timeout) {}

sns_publish_result sns_client::publish(const std::string& topic_arn,
                                       const std::string& message) const {
  sns_publish_result result;
  try {
    const auto host = host_header(endpoint_);
    const auto date = sigv4::amz_date(std::chrono::system_clock::now());
    sigv4::request to_sign;
    to_sign.method = "POST";
    to_sign.path = "/";
    to_sign.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                       {"Host", host},
                       {"X-Amz-Date", date}};
    to_sign.payload = "Action=Publish&Version=2010-03-31&TopicArn=" + form_urlencode(topic_arn) +
                      "&Message=" + form_urlencode(message);
    const auto region = region_of_topic_arn(topic_arn).value_or(fallback_region_);

    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/", 11};
    for (const auto& [name, value] : to_sign.headers) req.set(name, value);
    req.set(bhttp::field::authorization,
            sigv4::authorization(to_sign, creds_, region, "sns", date));
    req.set(bhttp::field::connection, "close");
    req.body() = std::move(to_sign.payload);
    req.prepare_payload();

    exchange x(std::chrono::steady_clock::now() + timeout_, timeout_);
    const auto where = host + " (" + endpoint_.host + ":" + std::to_string(endpoint_.port) + ")";
    const auto addresses = x.resolve(endpoint_, result.error);
    if (!addresses) return result;

    auto ec = x.run([&](auto handler) { x.stream().async_connect(*addresses, handler); });
    if (ec == beast::error::timeout) {
      result.error = x.timeout_text("connecting to " + where);
      return result;
    }
    if (ec) {
      result.error = "cannot connect to " + where + ": " + ec.message();
      return result;
    }
    ec = x.run([&](auto handler) { bhttp::async_write(x.stream(), req, handler); });
    if (ec) {
      result.error = ec == beast::error::timeout ? x.timeout_text("sending to " + where)
                                                 : "sending to " + where + ": " + ec.message();
      return result;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_response_bytes);
    ec = x.run([&](auto handler) { bhttp::async_read(x.stream(), x.buffer(), parser, handler); });
    if (ec) {
      result.error = ec == beast::error::timeout
                         ? x.timeout_text("waiting for the answer from " + where)
                         : "reading the answer from " + where + ": " + ec.message();
      return result;
    }
    beast::error_code ignored;
    x.stream().socket().shutdown(tcp::socket::shutdown_both, ignored);

    const auto& res = parser.get();
    if (res.result_int() != 200) {
      result.error = describe_failure(res.result_int(), res.body());
      return result;
    }
    result.delivered = true;
    result.message_id = xml_element(res.body(), "MessageId").value_or("");
  } catch (const std::exception& e) {
    result.delivered = false;
    result.error = std::string("unexpected error: ") + e.what();
  } catch (...) {
    result.delivered = false;
    result.error = "unexpected error";
  }
  return result;
}

}  // namespace glacier
