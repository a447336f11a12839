#pragma once

// Beast's HTTP/1.1 parser, delivering straight into the api layer's request: method, target,
// each header field and the body go into glacier::http::request as they are parsed, instead
// of into a beast::http::message (one heap node per field) that is then copied field by field.
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

  void on_header_impl(error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // body_limit() has already refused a declared length over the limit.
    if (!length) return;
    request_.body.reserve(static_cast<std::size_t>(*length));
    // A body of more than one tree-hash leaf (an archive or a part) is hashed as it arrives,
    // each slice while it is still in cache. A smaller one is hashed later if at all: its
    // SHA-256 is also its tree hash, so one pass serves both.
    if (*length > tree_hash_chunk) hasher_.emplace();
  }

  std::size_t on_body_impl(string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    if (hasher_) hasher_->update(std::string_view(body.data(), body.size()));
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {
    if (!hasher_) return;
    const auto hashes = hasher_->finish();
    request_.digests = request::body_digests{hashes.sha256, hashes.tree_hash};
    hasher_.reset();
  }

  static bool is_100_continue(std::string_view v) { return header_name_equal(v, "100-continue"); }

  request request_;
  std::optional<body_hasher> hasher_;
  unsigned version_ = 11;
  bool expects_continue_ = false;
};

}  // namespace glacier::http
