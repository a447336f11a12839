#pragma once

// ASCII case helpers of the Select dialect: keywords and unquoted names ignore case.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace glacier::select {

/// `text` in lower case (ASCII letters only).
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// True when `a` and `b` are equal ignoring ASCII case.
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace glacier::select
