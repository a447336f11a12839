#pragma once

#include <string>
#include <string_view>

namespace glacier::api {

/// The largest access or lock policy a vault takes (spec §2.8).
inline constexpr std::size_t max_policy_bytes = 20 * 1024;

/// The `Policy` string of a {"Policy": "..."} body, checked: present, at most 20 KB, and a
/// policy document glacier-mock can evaluate (InvalidParameterValueException naming the
/// element, operator or key it cannot). `what` names the policy in error messages.
std::string policy_document(std::string_view body, std::string_view what);

}  // namespace glacier::api
