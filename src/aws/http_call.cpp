#include "http_call.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>
#include <optional>
#include <vector>

#include "glacier/aws/sns_client.hpp"

namespace glacier::aws_http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// One HTTP exchange under an overall deadline, run on a private io_context so the calling
// thread simply blocks until it ends.
class connection {
 public:
  connection(std::chrono::steady_clock::time_point deadline, duration timeout)
      : deadline_(deadline), timeout_(timeout) {}

  // The endpoint's addresses; a literal address needs no lookup.
  std::optional<std::vector<tcp::endpoint>> resolve(const http_endpoint& endpoint,
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

std::string host_header(const http_endpoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + endpoint.host + "]" : endpoint.host;
  if (endpoint.port != 80) out += ":" + std::to_string(endpoint.port);
  return out;
}

std::string describe_failure(unsigned status, const std::string& body) {
  // Keeps a non-XML error body from flooding the recorded error text.
  constexpr std::size_t max_error_excerpt = 200;
  std::string out = "HTTP " + std::to_string(status);
  const auto code = xml_element(body, "Code");
  const auto message = xml_element(body, "Message");
  if (code) out += " " + *code;
  if (message) out += (code ? ": " : " ") + *message;
  if (!code && !message && !body.empty()) out += ": " + body.substr(0, max_error_excerpt);
  return out;
}

result exchange(const http_endpoint& endpoint, bhttp::request<bhttp::string_body>& request,
                duration timeout) {
  result out;
  try {
    connection x(std::chrono::steady_clock::now() + timeout, timeout);
    const auto host = host_header(endpoint);
    const auto where = host + " (" + endpoint.host + ":" + std::to_string(endpoint.port) + ")";
    const auto addresses = x.resolve(endpoint, out.error);
    if (!addresses) return out;

    auto ec = x.run([&](auto handler) { x.stream().async_connect(*addresses, handler); });
    if (ec == beast::error::timeout) {
      out.error = x.timeout_text("connecting to " + where);
      return out;
    }
    if (ec) {
      out.error = "cannot connect to " + where + ": " + ec.message();
      return out;
    }
    ec = x.run([&](auto handler) { bhttp::async_write(x.stream(), request, handler); });
    if (ec) {
      out.error = ec == beast::error::timeout ? x.timeout_text("sending to " + where)
                                              : "sending to " + where + ": " + ec.message();
      return out;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_response_bytes);
    ec = x.run([&](auto handler) { bhttp::async_read(x.stream(), x.buffer(), parser, handler); });
    if (ec) {
      out.error = ec == beast::error::timeout
                      ? x.timeout_text("waiting for the answer from " + where)
                      : "reading the answer from " + where + ": " + ec.message();
      return out;
    }
    beast::error_code ignored;
    x.stream().socket().shutdown(tcp::socket::shutdown_both, ignored);
    out.answered = true;
    out.status = parser.get().result_int();
    out.body = std::move(parser.get().body());
  } catch (const std::exception& e) {
    out.error = std::string("unexpected error: ") + e.what();
  } catch (...) {
    out.error = "unexpected error";
  }
  return out;
}

}  // namespace glacier::aws_http
