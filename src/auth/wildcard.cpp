#include "glacier/auth/wildcard.hpp"

namespace glacier::auth {

namespace {

char fold(char c, bool ignore_case) {
  return ignore_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
  // Most patterns in policies are plain ARNs and action names. A pattern always matches
  // itself, and one without `*` only text of its own length (`?` is one character): so
  // the usual hit is one memcmp and the usual miss one memchr.
  if (!ignore_case && pattern == text) return true;
  if (pattern.find('*') == std::string_view::npos && pattern.size() != text.size()) return false;
  // Greedy with one backtrack point: the last `*` seen. Linear in practice, never
  // exponential, so a hostile pattern in a 20 KB policy cannot stall a request.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (p < pattern.size() &&
               (pattern[p] == '?' || fold(pattern[p], ignore_case) == fold(text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = fold(c, true);
  return out;
}

}  // namespace glacier::auth
