#include "glacier/core/credentials_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

namespace glacier {

namespace {

bool is_account_id(std::string_view text) {
  if (text.size() != 12) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// IAM user and role names: letters, digits and + = , . @ _ - (at most 64 characters).
bool is_iam_name(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("+=,.@_-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Access key ids are printable ASCII without the characters that would break the
// Credential= field of an Authorization header.
bool is_access_key_id(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  for (const char c : text) {
    if (c <= ' ' || c > '~' || c == '/' || c == ',' || c == '=') return false;
  }
  return true;
}

std::string member(const nlohmann::json& entry, const char* name, bool required,
                   const std::string& where) {
  const auto it = entry.find(name);
  if (it == entry.end()) {
    if (required) throw std::invalid_argument(where + " has no \"" + name + "\"");
    return {};
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw std::invalid_argument(where + ": \"" + name + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

credential_entry parse_entry(const nlohmann::json& entry, const std::string& where) {
  if (!entry.is_object()) throw std::invalid_argument(where + " must be an object");
  static const std::set<std::string> known = {
      "access_key_id", "secret_access_key", "account_id", "user",
      "role",          "session_token",     "expiration"};
  for (const auto& [key, value] : entry.items()) {
    if (!known.count(key))
      throw std::invalid_argument(where + " has an unknown member \"" + key + "\"");
  }
  credential_entry c;
  c.access_key_id = member(entry, "access_key_id", true, where);
  c.secret_access_key = member(entry, "secret_access_key", true, where);
  c.account_id = member(entry, "account_id", true, where);
  c.user = member(entry, "user", false, where);
  c.role = member(entry, "role", false, where);
  c.session_token = member(entry, "session_token", false, where);
  const auto expiration = member(entry, "expiration", false, where);
  if (!is_access_key_id(c.access_key_id)) {
    throw std::invalid_argument(where + ": invalid access_key_id \"" + c.access_key_id + "\"");
  }
  if (!is_account_id(c.account_id)) {
    throw std::invalid_argument(where + ": account_id must be 12 digits, not \"" + c.account_id +
                                "\"");
  }
  if (!c.user.empty() && !is_iam_name(c.user)) {
    throw std::invalid_argument(where + ": invalid user name \"" + c.user + "\"");
  }
  if (!c.role.empty() && !is_iam_name(c.role)) {
    throw std::invalid_argument(where + ": invalid role name \"" + c.role + "\"");
  }
  if (!c.user.empty() && !c.role.empty()) {
    throw std::invalid_argument(where + ": give \"user\" or \"role\", not both");
  }
  if (!c.role.empty() && c.session_token.empty()) {
    throw std::invalid_argument(where + ": a \"role\" session needs a \"session_token\"");
  }
  if (!expiration.empty()) {
    if (c.session_token.empty()) {
      throw std::invalid_argument(where + ": \"expiration\" applies to a \"session_token\" only");
    }
    time_point at;
    if (!parse_iso8601(expiration, at)) {
      throw std::invalid_argument(where + ": \"expiration\" must be an ISO 8601 date-time, not \"" +
                                  expiration + "\"");
    }
    c.expiration = at;
  }
  return c;
}

}  // namespace

std::vector<credential_entry> parse_credentials(std::string_view json_text) {
  const auto document = nlohmann::json::parse(json_text, nullptr, false);
  if (document.is_discarded()) throw std::invalid_argument("not valid JSON");
  if (!document.is_object() || !document.contains("credentials") ||
      !document["credentials"].is_array()) {
    throw std::invalid_argument("expected {\"credentials\": [ ... ]}");
  }
  std::vector<credential_entry> out;
  std::set<std::string> seen;
  const auto& list = document["credentials"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto entry = parse_entry(list[i], "credentials[" + std::to_string(i) + "]");
    if (!seen.insert(entry.access_key_id).second) {
      throw std::invalid_argument("credentials[" + std::to_string(i) + "]: access_key_id \"" +
                                  entry.access_key_id + "\" is declared twice");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<credential_entry> read_credentials_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read " + path);
  std::string text(max_credentials_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_credentials_file_bytes) {
    throw std::invalid_argument(path + " is larger than 1 MiB");
  }
  try {
    return parse_credentials(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
}

}  // namespace glacier
