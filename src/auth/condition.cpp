#include "glacier/auth/condition.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "glacier/auth/policy_error.hpp"
#include "glacier/auth/wildcard.hpp"
#include "glacier/core/clock.hpp"

namespace glacier::auth {

namespace {

constexpr std::string_view for_any_prefix = "foranyvalue:";
constexpr std::string_view for_all_prefix = "forallvalues:";
constexpr std::string_view if_exists_suffix = "ifexists";

struct operator_spec {
  std::string_view name;  // lower case
  condition_family family;
  comparison cmp;
  bool negated;
};

// Every operator of IAM's condition reference, by its lower-case name.
constexpr std::array<operator_spec, 27> operators{{
    {"stringequals", condition_family::string, comparison::equals, false},
    {"stringnotequals", condition_family::string, comparison::equals, true},
    {"stringequalsignorecase", condition_family::string_ignore_case, comparison::equals, false},
    {"stringnotequalsignorecase", condition_family::string_ignore_case, comparison::equals, true},
    {"stringlike", condition_family::string_like, comparison::equals, false},
    {"stringnotlike", condition_family::string_like, comparison::equals, true},
    {"numericequals", condition_family::numeric, comparison::equals, false},
    {"numericnotequals", condition_family::numeric, comparison::equals, true},
    {"numericlessthan", condition_family::numeric, comparison::less, false},
    {"numericlessthanequals", condition_family::numeric, comparison::less_equals, false},
    {"numericgreaterthan", condition_family::numeric, comparison::greater, false},
    {"numericgreaterthanequals", condition_family::numeric, comparison::greater_equals, false},
    {"dateequals", condition_family::date, comparison::equals, false},
    {"datenotequals", condition_family::date, comparison::equals, true},
    {"datelessthan", condition_family::date, comparison::less, false},
    {"datelessthanequals", condition_family::date, comparison::less_equals, false},
    {"dategreaterthan", condition_family::date, comparison::greater, false},
    {"dategreaterthanequals", condition_family::date, comparison::greater_equals, false},
    {"bool", condition_family::boolean, comparison::equals, false},
    {"binaryequals", condition_family::binary, comparison::equals, false},
    {"ipaddress", condition_family::ip_address, comparison::equals, false},
    {"notipaddress", condition_family::ip_address, comparison::equals, true},
    {"arnequals", condition_family::arn, comparison::equals, false},
    {"arnlike", condition_family::arn, comparison::equals, false},
    {"arnnotequals", condition_family::arn, comparison::equals, true},
    {"arnnotlike", condition_family::arn, comparison::equals, true},
    {"null", condition_family::null, comparison::equals, false},
}};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto* last = text.data() + text.size();
  const auto result = std::from_chars(text.data(), last, value);
  if (text.empty() || result.ec != std::errc() || result.ptr != last || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool ordered(comparison cmp, double request, double policy) {
  switch (cmp) {
    case comparison::equals:
      return request == policy;
    case comparison::less:
      return request < policy;
    case comparison::less_equals:
      return request <= policy;
    case comparison::greater:
      return request > policy;
    case comparison::greater_equals:
      return request >= policy;
  }
  return false;
}

bool in_network(const ip_network& network, const ip_network& address) {
  if (network.v6 != address.v6) return false;
  unsigned bits = network.prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    const unsigned keep = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<unsigned char>(0xff << (8 - keep));
    if ((network.address[i] & mask) != (address.address[i] & mask)) return false;
  }
  return true;
}

// ARNs compare part by part (arn:partition:service:region:account:resource), each part
// with wildcards; the resource part keeps any further colons.
bool arn_match(std::string_view pattern, std::string_view text) {
  for (int part = 0; part < 5; ++part) {
    const auto p = pattern.find(':');
    const auto t = text.find(':');
    if (p == std::string_view::npos || t == std::string_view::npos) return false;
    if (!wildcard_match(pattern.substr(0, p), text.substr(0, t))) return false;
    pattern.remove_prefix(p + 1);
    text.remove_prefix(t + 1);
  }
  return wildcard_match(pattern, text);
}

// Whether the request's `j`th value matches the policy's `i`th value.
bool value_matches(const condition& c, std::size_t i, const key_values& request, std::size_t j) {
  const std::string& text = request.texts()[j];
  switch (c.family) {
    case condition_family::string:
    case condition_family::binary:
      return text == c.values[i];
    case condition_family::string_ignore_case:
      return lower_ascii(text) == lower_ascii(c.values[i]);
    case condition_family::string_like:
      return wildcard_match(c.values[i], text);
    case condition_family::numeric: {
      const auto number = parse_number(text);
      return number && ordered(c.cmp, *number, c.numbers[i]);
    }
    case condition_family::date: {
      std::int64_t ms = 0;
      return parse_policy_date(text, ms) &&
             ordered(c.cmp, static_cast<double>(ms), static_cast<double>(c.dates_ms[i]));
    }
    case condition_family::boolean:
      return lower_ascii(text) == c.values[i];
    case condition_family::ip_address: {
      const auto* address = request.address(j);
      return address != nullptr && in_network(c.networks[i], *address);
    }
    case condition_family::arn:
      return arn_match(c.values[i], text);
    case condition_family::null:
      return false;
  }
  return false;
}

// The request's `j`th value satisfies the operator: it matches some policy value (OR), or
// for a negated operator it matches none of them (NOR).
bool satisfies(const condition& c, const key_values& request, std::size_t j) {
  bool any = false;
  for (std::size_t i = 0; i < c.values.size() && !any; ++i) any = value_matches(c, i, request, j);
  return c.negated ? !any : any;
}

std::string value_text(const nlohmann::json& value, std::string_view operator_name) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  throw policy_error("Invalid value " + value.dump().substr(0, 100) + " for condition operator " +
                     std::string(operator_name) + ": expected a string, number or boolean");
}

}  // namespace

bool parse_policy_date(std::string_view text, std::int64_t& epoch_ms) {
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(),
                  [](char c) { return (c >= '0' && c <= '9') || c == '-'; }) &&
      text.find('-', 1) == std::string_view::npos) {
    std::int64_t seconds = 0;
    const auto* last = text.data() + text.size();
    const auto result = std::from_chars(text.data(), last, seconds);
    if (result.ec != std::errc() || result.ptr != last) return false;
    if (seconds > 253402300799 || seconds < -62135596800) return false;  // years 1-9999
    epoch_ms = seconds * 1000;
    return true;
  }
  time_point t;
  if (!parse_iso8601(text, t)) return false;
  epoch_ms = t.time_since_epoch().count();
  return true;
}

bool parse_ip_network(std::string_view text, ip_network& out) {
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  ip_network n;
  if (inet_pton(AF_INET, address.c_str(), n.address.data()) == 1) {
    n.v6 = false;
    n.prefix = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), n.address.data()) == 1) {
    n.v6 = true;
    n.prefix = 128;
  } else {
    return false;
  }
  if (slash != std::string_view::npos) {
    const auto bits = text.substr(slash + 1);
    unsigned prefix = 0;
    const auto* last = bits.data() + bits.size();
    const auto result = std::from_chars(bits.data(), last, prefix);
    if (bits.empty() || result.ec != std::errc() || result.ptr != last || prefix > n.prefix) {
      return false;
    }
    n.prefix = prefix;
  }
  out = n;
  return true;
}

condition parse_condition(std::string_view operator_name, std::string_view key,
                          const nlohmann::json& values) {
  condition c;
  c.operator_name = std::string(operator_name);
  auto name = lower_ascii(operator_name);
  std::string_view rest = name;
  if (starts_with(rest, for_any_prefix)) {
    c.qualifier = set_qualifier::for_any_value;
    rest.remove_prefix(for_any_prefix.size());
  } else if (starts_with(rest, for_all_prefix)) {
    c.qualifier = set_qualifier::for_all_values;
    rest.remove_prefix(for_all_prefix.size());
  }
  if (rest.size() > if_exists_suffix.size() &&
      rest.substr(rest.size() - if_exists_suffix.size()) == if_exists_suffix) {
    c.if_exists = true;
    rest.remove_suffix(if_exists_suffix.size());
  }
  const auto spec = std::find_if(operators.begin(), operators.end(),
                                 [rest](const operator_spec& s) { return s.name == rest; });
  if (spec == operators.end()) {
    throw policy_error("Unsupported condition operator: " + c.operator_name);
  }
  c.family = spec->family;
  c.cmp = spec->cmp;
  c.negated = spec->negated;
  if (c.family == condition_family::null && (c.if_exists || c.qualifier != set_qualifier::none)) {
    // IAM defines no IfExists form of Null, and a set qualifier means nothing for presence.
    throw policy_error("Unsupported condition operator: " + c.operator_name);
  }
  if (key.empty()) throw policy_error("Empty condition key for operator " + c.operator_name);
  c.key = lower_ascii(key);

  const auto add = [&](const nlohmann::json& value) {
    auto text = value_text(value, operator_name);
    const auto invalid = [&](std::string_view expected) {
      return policy_error("Invalid value \"" + text.substr(0, 100) + "\" for " + c.operator_name +
                          " on " + std::string(key) + ": expected " + std::string(expected));
    };
    switch (c.family) {
      case condition_family::numeric: {
        const auto number = parse_number(text);
        if (!number) throw invalid("a number");
        c.numbers.push_back(*number);
        break;
      }
      case condition_family::date: {
        std::int64_t ms = 0;
        if (!parse_policy_date(text, ms)) throw invalid("an ISO 8601 date or epoch seconds");
        c.dates_ms.push_back(ms);
        break;
      }
      case condition_family::boolean:
      case condition_family::null:
        text = lower_ascii(text);
        if (text != "true" && text != "false") throw invalid("true or false");
        break;
      case condition_family::ip_address: {
        ip_network network;
        if (!parse_ip_network(text, network)) throw invalid("an IPv4 or IPv6 address or CIDR");
        c.networks.push_back(network);
        break;
      }
      case condition_family::arn:
        if (text.rfind("arn:", 0) != 0 && text != "*") throw invalid("an ARN");
        break;
      case condition_family::string:
      case condition_family::string_ignore_case:
      case condition_family::string_like:
      case condition_family::binary:
        break;
    }
    c.values.push_back(std::move(text));
  };
  if (values.is_array()) {
    for (const auto& value : values) add(value);
  } else {
    add(values);
  }
  if (c.values.empty()) {
    throw policy_error("No values for condition operator " + c.operator_name + " on " +
                       std::string(key));
  }
  return c;
}

const ip_network* key_values::address(std::size_t i) const {
  if (addresses_.empty()) {
    addresses_.resize(texts_.size());
    for (std::size_t j = 0; j < texts_.size(); ++j) {
      ip_network parsed;
      if (parse_ip_network(texts_[j], parsed)) addresses_[j] = parsed;
    }
  }
  return addresses_[i] ? &*addresses_[i] : nullptr;
}

bool condition_holds(const condition& c, const key_values* values) {
  const bool absent = values == nullptr || values->texts().empty();
  if (c.family == condition_family::null) {
    const auto wanted = absent ? "true" : "false";
    return std::find(c.values.begin(), c.values.end(), wanted) != c.values.end();
  }
  if (absent) {
    if (c.if_exists) return true;
    switch (c.qualifier) {
      case set_qualifier::for_all_values:
        return true;
      case set_qualifier::for_any_value:
        return false;
      case set_qualifier::none:
        return c.negated;
    }
  }
  const std::size_t count = values->texts().size();
  const auto any_value = [&] {
    for (std::size_t j = 0; j < count; ++j) {
      if (satisfies(c, *values, j)) return true;
    }
    return false;
  };
  const auto all_values = [&] {
    for (std::size_t j = 0; j < count; ++j) {
      if (!satisfies(c, *values, j)) return false;
    }
    return true;
  };
  switch (c.qualifier) {
    case set_qualifier::for_any_value:
      return any_value();
    case set_qualifier::for_all_values:
      return all_values();
    case set_qualifier::none:
      break;
  }
  // No qualifier: a positive operator needs one request value to match; a negated one
  // needs none of them to.
  return c.negated ? all_values() : any_value();
}

bool condition_holds(const condition& c, const std::vector<std::string>* values) {
  if (values == nullptr) return condition_holds(c, static_cast<const key_values*>(nullptr));
  const key_values request(*values);
  return condition_holds(c, &request);
}

}  // namespace glacier::auth
