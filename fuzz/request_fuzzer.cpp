// libFuzzer entry point: arbitrary bytes as one or more pipelined HTTP requests, each parsed
// with Beast's request_parser as the session does and, when it parses, dispatched through
// pre-checks, routing and the handler against a populated store. See fuzz/README.md.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_world.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Small limits keep every input cheap; the session's are config values of the same kind.
constexpr std::uint32_t header_limit = 64 * 1024;
constexpr std::uint64_t body_limit = 64 * 1024;
// More requests per input add little but cost time on every mutation.
constexpr int max_requests = 16;

// Moves the clock after a request by this many seconds (then due jobs complete), so an
// input can interleave time with its requests; the header itself is not dispatched.
constexpr std::string_view advance_header = "x-fuzz-advance";

// Converts as session::handle_request does: repeated fields fold with ',' (RFC 9110).
glacier::http::request to_request(bhttp::request<bhttp::string_body>&& message,
                                  const glacier::fuzz::world& w, long long& advance_seconds) {
  glacier::http::request req;
  req.method = std::string(message.method_string());
  req.body = w.substitute(std::move(message.body()), {});
  req.target = w.substitute(std::string(message.target()), req.body);
  for (const auto& field : message) {
    const auto name = field.name_string();
    const auto value = field.value();
    if (beast::iequals(name, advance_header)) {
      long long seconds = 0;
      std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (seconds > 0 && seconds <= 400LL * 24 * 3600) advance_seconds = seconds;
      continue;
    }
    auto [it, inserted] = req.headers.try_emplace(std::string(name), std::string(value));
    if (!inserted) it->second.append(",").append(value);
  }
  for (auto& [name, value] : req.headers) value = w.substitute(std::move(value), req.body);
  return req;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  glacier::fuzz::init_logging();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  glacier::fuzz::world w;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  w.add_big_archive_if_named(rest);
  for (int n = 0; n < max_requests && !rest.empty(); ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(header_limit);
    parser.body_limit(body_limit);
    parser.eager(true);
    beast::error_code ec;
    std::size_t used = 0;
    while (!parser.is_done()) {
      const auto n_used =
          parser.put(boost::asio::buffer(rest.data() + used, rest.size() - used), ec);
      used += n_used;
      if (ec == bhttp::error::need_more || (!ec && n_used == 0)) {
        ec = {};
        if (n_used > 0 && used < rest.size()) continue;
        // Nothing more can arrive: the input ends here, as if the client closed.
        parser.put_eof(ec);
        break;
      }
      if (ec) break;
    }
    rest.remove_prefix(used);
    if (ec || !parser.is_done()) {
      // The session answers a malformed request through error_response and closes.
      w.check_response({}, w.dispatcher.error_response(glacier::error_code::bad_request,
                                                       "malformed HTTP request: " + ec.message()));
      break;
    }
    long long advance_seconds = 0;
    auto request = to_request(parser.release(), w, advance_seconds);
    w.send(std::move(request));
    if (advance_seconds > 0) w.advance(glacier::duration(advance_seconds * 1000));
  }
  // Whatever jobs the input started complete, then get purged.
  w.advance(glacier::duration(2LL * 24 * 3600 * 1000));
  return 0;
}
