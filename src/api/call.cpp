#include "glacier/api/call.hpp"

#include <boost/url/params_view.hpp>

namespace glacier::api {

const std::string& call::path(std::string_view name) const {
  static const std::string none;
  for (const auto& [key, value] : path_parameters) {
    if (key == name) return value;
  }
  return none;
}

std::optional<std::string> call::query(std::string_view key) const {
  const auto params = url.params();
  const auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  return std::string((*it).value);
}

}  // namespace glacier::api
