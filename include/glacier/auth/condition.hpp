#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glacier::auth {

/// The type of comparison a condition operator makes (IAM condition operators).
enum class condition_family {
  string,              ///< StringEquals, StringNotEquals
  string_ignore_case,  ///< StringEqualsIgnoreCase, StringNotEqualsIgnoreCase
  string_like,         ///< StringLike, StringNotLike
  numeric,             ///< Numeric*
  date,                ///< Date*
  boolean,             ///< Bool
  binary,              ///< BinaryEquals
  ip_address,          ///< IpAddress, NotIpAddress
  arn,                 ///< ArnEquals, ArnLike, ArnNotEquals, ArnNotLike
  null,                ///< Null
};

/// How an ordered operator (Numeric, Date) compares the request's value with the policy's.
enum class comparison { equals, less, less_equals, greater, greater_equals };

/// ForAnyValue / ForAllValues, for keys with several values in the request.
enum class set_qualifier { none, for_any_value, for_all_values };

/// An IPv4 or IPv6 network, addresses as 16 bytes (IPv4 in the first 4).
struct ip_network {
  bool v6 = false;
  std::array<unsigned char, 16> address{};
  unsigned prefix = 0;
};

/// One test of a Condition block: operator, key, and the values to compare with.
struct condition {
  std::string operator_name;  ///< as the policy writes it, for messages
  condition_family family = condition_family::string;
  comparison cmp = comparison::equals;
  bool negated = false;    ///< a ...Not... operator: true when no value matches
  bool if_exists = false;  ///< ...IfExists: true when the key is absent
  set_qualifier qualifier = set_qualifier::none;
  std::string key;  ///< lower case: keys ignore case
  /// Index of `key` in its policy's policy::condition_keys, so a request looks each key up
  /// once however many statements test it.
  std::size_t key_slot = 0;
  std::vector<std::string> values;
  std::vector<double> numbers;         ///< numeric: the values as numbers
  std::vector<std::int64_t> dates_ms;  ///< date: the values as epoch milliseconds
  std::vector<ip_network> networks;    ///< ip_address: the values as networks
};

/// Parses one operator/key/values triple of a Condition block. Throws policy_error naming
/// the operator or value when it is unknown or malformed.
condition parse_condition(std::string_view operator_name, std::string_view key,
                          const nlohmann::json& values);

/// A request's values of one condition key, with the forms operators parse them into kept
/// after first use: a policy may test aws:SourceIp in dozens of statements.
class key_values {
 public:
  explicit key_values(std::vector<std::string> texts) : texts_(std::move(texts)) {}
  const std::vector<std::string>& texts() const { return texts_; }
  /// The `i`th value as an IP address, or null when it is not one.
  const ip_network* address(std::size_t i) const;

 private:
  std::vector<std::string> texts_;
  mutable std::vector<std::optional<ip_network>> addresses_;  // parsed on first use
};

/// Whether `c` holds for the request's values of its key; `values` is null when the
/// request has no such key (IAM's rules for absent keys, IfExists, Null and the set
/// qualifiers apply).
bool condition_holds(const condition& c, const key_values* values);

/// The same for values given as text.
bool condition_holds(const condition& c, const std::vector<std::string>* values);

/// A date as IAM's Date operators read it (ISO 8601, or epoch seconds), in epoch ms.
bool parse_policy_date(std::string_view text, std::int64_t& epoch_ms);

/// An IPv4 or IPv6 address or CIDR block ("203.0.113.0/24", "2001:db8::/32").
bool parse_ip_network(std::string_view text, ip_network& out);

}  // namespace glacier::auth
