#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glacier/aws/tree_hash.hpp"

namespace glacier::http {

/// Case-insensitive ordering for HTTP header names.
struct header_name_less {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};

/// True when two header names are equal ignoring ASCII case.
bool header_name_equal(std::string_view a, std::string_view b) noexcept;

/// Header fields by case-insensitive name; one value per name (Glacier never repeats one).
/// A flat vector in insertion order: a request or response has a dozen fields, which a
/// linear scan finds faster than a tree, and with one allocation instead of one per field.
/// The interface is the subset of std::map's that the code uses.
class header_map {
 public:
  using value_type = std::pair<std::string, std::string>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  header_map() = default;
  header_map(std::initializer_list<value_type> fields);

  iterator begin() noexcept { return fields_.begin(); }
  iterator end() noexcept { return fields_.end(); }
  const_iterator begin() const noexcept { return fields_.begin(); }
  const_iterator end() const noexcept { return fields_.end(); }
  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }
  void reserve(std::size_t n) { fields_.reserve(n); }

  /// The field with this name (any case), or end().
  iterator find(std::string_view name) noexcept;
  const_iterator find(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != end(); }
  std::size_t count(std::string_view name) const noexcept { return contains(name) ? 1 : 0; }
  /// The value of the field; throws std::out_of_range when it is absent.
  std::string& at(std::string_view name);
  const std::string& at(std::string_view name) const;
  /// The value of the field, added empty when absent.
  std::string& operator[](std::string_view name);
  /// Adds the field unless one of that name exists; returns it and whether it was added.
  std::pair<iterator, bool> try_emplace(std::string_view name, std::string value);
  std::pair<iterator, bool> emplace(std::string_view name, std::string value) {
    return try_emplace(name, std::move(value));
  }
  /// Removes the field; returns how many were removed (0 or 1).
  std::size_t erase(std::string_view name);

 private:
  std::vector<value_type> fields_;
};

/// A request as the api layer sees it: no Beast types below http/.
struct request {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< origin-form target, path plus query, still percent-encoded
  header_map headers;
  std::string body;            ///< moved into storage by uploads, so it is never copied
  std::string remote_address;  ///< the client's IP address (aws:SourceIp); empty when unknown
  /// The body's SHA-256 and tree hash, when the session computed them while the body
  /// arrived (large bodies: see request_parser); otherwise they are computed on demand.
  struct body_digests {
    digest sha256;
    digest tree_hash;
  };
  std::optional<body_digests> digests;
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
  std::string principal;   ///< the caller's principal ARN, for the access log
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
