#include "glacier/auth/callers.hpp"

#include <algorithm>

#include "glacier/aws/sigv4.hpp"

namespace glacier::auth {

namespace {

// IAM's unique ids are opaque; a stable one derived from the ARN gives aws:userid a value
// that policies can be written against (README "Access control" shows the rule).
std::string unique_id(std::string_view prefix, std::string_view arn) {
  auto hex = sigv4::sha256_hex(arn).substr(0, 17);
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  return std::string(prefix) + hex;
}

}  // namespace

bool is_account_id(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

caller caller_of(const credential_entry& entry) {
  if (entry.user.empty() && entry.role.empty()) {
    auto c = root_caller(entry.access_key_id, entry.account_id);
    c.temporary = !entry.session_token.empty();
    return c;
  }
  caller c;
  c.access_key_id = entry.access_key_id;
  c.account = entry.account_id;
  c.temporary = !entry.session_token.empty();
  if (!entry.user.empty()) {
    c.type = principal_type::user;
    c.arn = "arn:aws:iam::" + entry.account_id + ":user/" + entry.user;
    c.user_name = entry.user;
    c.user_id = unique_id("AIDA", c.arn);
    return c;
  }
  // An assumed-role session is named after its access key, which identifies it uniquely.
  c.type = principal_type::assumed_role;
  c.role_arn = "arn:aws:iam::" + entry.account_id + ":role/" + entry.role;
  c.arn = "arn:aws:sts::" + entry.account_id + ":assumed-role/" + entry.role + "/" +
          entry.access_key_id;
  c.user_id = unique_id("AROA", c.role_arn) + ":" + entry.access_key_id;
  return c;
}

caller_directory::caller_directory(const config& cfg) : default_account_(cfg.default_account) {
  for (const auto& entry : cfg.credentials) {
    declared_.emplace(entry.access_key_id, credential{entry.secret_access_key, entry.session_token,
                                                      entry.expiration, caller_of(entry)});
  }
}

const credential* caller_directory::find(std::string_view access_key_id) const {
  if (declared_.empty()) return nullptr;
  const auto it = declared_.find(std::string(access_key_id));
  return it == declared_.end() ? nullptr : &it->second;
}

caller caller_directory::resolve(std::string_view access_key_id) const {
  if (const auto* declared = find(access_key_id)) return declared->caller;
  return root_caller(std::string(access_key_id),
                     is_account_id(access_key_id) ? std::string(access_key_id) : default_account_);
}

}  // namespace glacier::auth
