#pragma once

// Beast's HTTP/1.1 parser, delivering straight into the api layer's request: method, target,
// each header field and the body go into glacier::http::request as they are parsed, instead
// of into a beast::http::message (one heap node per field) that is then copied field by field.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "glacier/aws/body_hasher.hpp"
#include "glacier/http/message.hpp"

namespace glacier::http {

/// Parses one request into a glacier::http::request. One parser per request, as with Beast's
/// own parsers; the limits (header_limit, body_limit) and put() are basic_parser's.
class request_parser : public boost::beast::http::basic_parser<true> {
 public:
  /// The request parsed so far: method and target once the request line is in.
  const request& get() const noexcept { return request_; }
  request& get() noexcept { return request_; }
  /// The HTTP version of the request line: 10 or 11.
  unsigned version() const noexcept { return version_; }
  /// True when the client asked for "Expect: 100-continue".
  bool expects_continue() const noexcept { return expects_continue_; }

  /// Room at the end of the body for the next read straight off the socket, so a large body
  /// is not copied from a read buffer: at most `most` bytes and none past the declared
  /// length (no byte of a pipelined request can land in it). Empty without a declared
  /// length. Bytes read there are handed over with put_body_space().
  boost::asio::mutable_buffer body_space(std::size_t most) {
    if (!declared_length_ || !is_header_done() || is_done()) return {};
    const auto n = std::min(most, *declared_length_ - body_filled_);
    // Grown read by read, not once: the zero-fill of resize() then lands in the cache just
    // before the kernel overwrites it, and the pages are touched once the data arrives.
    request_.body.resize(body_filled_ + n);
    return {request_.body.data() + body_filled_, n};
  }

  /// Parses `bytes` bytes read into the last body_space(); returns the bytes consumed.
  std::size_t put_body_space(std::size_t bytes, boost::beast::error_code& ec) {
    return put(boost::asio::const_buffer(request_.body.data() + body_filled_, bytes), ec);
  }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target,
                       int version, error_code&) override {
    request_.method.assign(method.data(), method.size());
    request_.target.assign(target.data(), target.size());
    version_ = version == 10 ? 10 : 11;
  }

  void on_response_impl(int, string_view, int, error_code&) override {}

  void on_field_impl(boost::beast::http::field field, string_view name, string_view value,
                     error_code&) override {
    const std::string_view n(name.data(), name.size());
    const std::string_view v(value.data(), value.size());
    if (field == boost::beast::http::field::expect) expects_continue_ = is_100_continue(v);
    auto [it, inserted] = request_.headers.try_emplace(n, std::string(v));
    // One value per name; a repeated header folds as RFC 9110 allows.
    if (!inserted) it->second.append(",").append(v);
  }

  // At the end of the header rather than in on_body_init_impl, which Beast calls only with
  // the first body bytes: the session's first body read may then go straight into the body.
  void on_header_impl(error_code&) override {
    // body_limit() has already refused a declared length over the limit.
    const auto length = content_length();
    if (!length) return;
    declared_length_ = static_cast<std::size_t>(*length);
    // Reserved once: the body never moves, so the hasher's worker may read it in place.
    request_.body.reserve(*declared_length_);
    // A body of more than one tree-hash leaf (an archive or a part) is hashed as it arrives,
    // each slice while it is still in cache. A smaller one is hashed later if at all: its
    // SHA-256 is also its tree hash, so one pass serves both.
    if (*length > tree_hash_chunk) hasher_.emplace();
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}

  std::size_t on_body_impl(string_view body, error_code&) override {
    // Bytes read into body_space() are in place already; others come from the read buffer.
    if (body.data() != request_.body.data() + body_filled_) {
      request_.body.resize(body_filled_);
      request_.body.append(body.data(), body.size());
    }
    const std::string_view arrived(request_.body.data() + body_filled_, body.size());
    body_filled_ += body.size();
    if (hasher_) hasher_->update(arrived);
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {
    if (declared_length_) request_.body.resize(body_filled_);
    if (!hasher_) return;
    const auto hashes = hasher_->finish();
    request_.digests = request::body_digests{hashes.sha256, hashes.tree_hash};
    hasher_.reset();
  }

  static bool is_100_continue(std::string_view v) { return header_name_equal(v, "100-continue"); }

  request request_;
  std::optional<std::size_t> declared_length_;  ///< Content-Length, when the body has one
  std::size_t body_filled_ = 0;                 ///< body bytes parsed so far
  // After request_: destroyed first, so its worker stops before the body it reads is freed.
  std::optional<body_hasher> hasher_;
  unsigned version_ = 11;
  bool expects_continue_ = false;
};

}  // namespace glacier::http
