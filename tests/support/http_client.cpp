#include "support/http_client.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <stdexcept>

namespace glacier::testing {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

}  // namespace

struct http_client::impl {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  std::string host_header;

  // Runs one asynchronous operation to completion; the stream's expiry bounds it, so the
  // loop always ends.
  template <typename Start>
  beast::error_code run(std::chrono::milliseconds timeout, Start start) {
    std::optional<beast::error_code> result;
    stream.expires_after(timeout);
    start([&result](beast::error_code ec, std::size_t) { result = ec; });
    ioc.restart();
    ioc.run();
    return result.value_or(asio::error::operation_aborted);
  }

  void write(std::string_view bytes, std::chrono::milliseconds timeout) {
    const auto ec = run(timeout, [&](auto handler) {
      asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), handler);
    });
    if (ec) throw std::runtime_error("write failed: " + ec.message());
  }
};

http_client::http_client(std::uint16_t port, std::string host) : impl_(std::make_unique<impl>()) {
  impl_->host_header = host + ":" + std::to_string(port);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host), port);
  const auto ec = impl_->run(timeout_, [&](auto handler) {
    impl_->stream.async_connect(endpoint,
                                [handler](beast::error_code e) mutable { handler(e, 0); });
  });
  if (ec) throw std::runtime_error("connect failed: " + ec.message());
}

http_client::~http_client() = default;

http_reply http_client::send(std::string_view method, std::string_view target,
                             const glacier::http::header_map& headers, std::string_view body) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, impl_->host_header);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  if (!body.empty() || method == "PUT" || method == "POST") req.content_length(body.size());
  const auto ec =
      impl_->run(timeout_, [&](auto handler) { bhttp::async_write(impl_->stream, req, handler); });
  if (ec) throw std::runtime_error("write failed: " + ec.message());
  return read_reply();
}

void http_client::send_header(std::string_view method, std::string_view target,
                              const glacier::http::header_map& headers,
                              std::uint64_t content_length) {
  std::string text;
  text.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  text.append("Host: ").append(impl_->host_header).append("\r\n");
  for (const auto& [name, value] : headers)
    text.append(name).append(": ").append(value).append("\r\n");
  text.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n\r\n");
  impl_->write(text, timeout_);
}

void http_client::send_raw(std::string_view bytes) {
  impl_->write(bytes, timeout_);
}

http_reply http_client::read_reply() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(boost::none);
  const auto ec = impl_->run(timeout_, [&](auto handler) {
    bhttp::async_read(impl_->stream, impl_->buffer, parser, handler);
  });
  if (ec) throw std::runtime_error("read failed: " + ec.message());
  auto res = parser.release();
  http_reply reply;
  reply.status = res.result_int();
  reply.version = res.version();
  reply.keep_alive = res.keep_alive();
  for (const auto& field : res) {
    reply.headers[std::string(field.name_string())] = std::string(field.value());
  }
  reply.body = std::move(res.body());
  return reply;
}

bool http_client::wait_for_close(std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  impl_->buffer.consume(impl_->buffer.size());
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const auto ec = impl_->run(left, [&](auto handler) {
      impl_->stream.async_read_some(impl_->buffer.prepare(4096), handler);
    });
    if (ec == beast::error::timeout) return false;
    if (ec) return true;
    impl_->buffer.consume(impl_->buffer.size());
  }
}

std::string http_client::read_raw_until_close(std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  std::string out(static_cast<const char*>(impl_->buffer.data().data()), impl_->buffer.size());
  impl_->buffer.consume(impl_->buffer.size());
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return out;
    std::size_t got = 0;
    std::array<char, 4096> chunk{};
    std::optional<beast::error_code> result;
    impl_->stream.expires_after(left);
    impl_->stream.async_read_some(asio::buffer(chunk), [&](beast::error_code e, std::size_t n) {
      result = e;
      got = n;
    });
    impl_->ioc.restart();
    impl_->ioc.run();
    out.append(chunk.data(), got);
    if (result.value_or(asio::error::operation_aborted)) return out;
  }
}

}  // namespace glacier::testing
