#include "glacier/http/message.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace glacier::http {

bool header_name_less::operator()(std::string_view a, std::string_view b) const noexcept {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lx = static_cast<unsigned char>(x >= 'A' && x <= 'Z' ? x + 32 : x);
    const auto ly = static_cast<unsigned char>(y >= 'A' && y <= 'Z' ? y + 32 : y);
    return lx < ly;
  });
}

namespace {

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

}  // namespace

bool header_name_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

header_map::header_map(std::initializer_list<value_type> fields) {
  fields_.reserve(fields.size());
  for (const auto& [name, value] : fields) try_emplace(name, value);
}

header_map::iterator header_map::find(std::string_view name) noexcept {
  return std::find_if(fields_.begin(), fields_.end(),
                      [name](const value_type& f) { return header_name_equal(f.first, name); });
}

header_map::const_iterator header_map::find(std::string_view name) const noexcept {
  return std::find_if(fields_.begin(), fields_.end(),
                      [name](const value_type& f) { return header_name_equal(f.first, name); });
}

std::string& header_map::at(std::string_view name) {
  const auto it = find(name);
  if (it == end()) throw std::out_of_range("no header " + std::string(name));
  return it->second;
}

const std::string& header_map::at(std::string_view name) const {
  const auto it = find(name);
  if (it == end()) throw std::out_of_range("no header " + std::string(name));
  return it->second;
}

std::string& header_map::operator[](std::string_view name) {
  return try_emplace(name, std::string()).first->second;
}

std::pair<header_map::iterator, bool> header_map::try_emplace(std::string_view name,
                                                              std::string value) {
  if (const auto it = find(name); it != end()) return {it, false};
  if (fields_.empty()) fields_.reserve(16);
  fields_.emplace_back(std::string(name), std::move(value));
  return {std::prev(fields_.end()), true};
}

std::size_t header_map::erase(std::string_view name) {
  const auto it = find(name);
  if (it == end()) return 0;
  fields_.erase(it);
  return 1;
}

std::string_view header_or_empty(const header_map& headers, std::string_view name) {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string_view{} : std::string_view(it->second);
}

}  // namespace glacier::http
