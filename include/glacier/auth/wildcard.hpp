#pragma once

#include <string>
#include <string_view>

namespace glacier::auth {

/// IAM's wildcard match: `*` matches any run of characters (none included), `?` exactly one;
/// everything else matches itself, ASCII letters regardless of case when `ignore_case`.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

/// ASCII lower case of `text` (IAM names that ignore case: actions, condition keys).
std::string lower_ascii(std::string_view text);

}  // namespace glacier::auth
