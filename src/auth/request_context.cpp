#include "glacier/auth/request_context.hpp"

#include "glacier/auth/wildcard.hpp"

namespace glacier::auth {

namespace {

constexpr long long day_ms = 24LL * 3600 * 1000;
constexpr std::string_view tag_prefix = "glacier:resourcetag/";

std::string_view type_name(principal_type type) {
  switch (type) {
    case principal_type::account:
      return "Account";
    case principal_type::user:
      return "User";
    case principal_type::assumed_role:
      return "AssumedRole";
  }
  return "Account";
}

bool one(std::vector<std::string>& out, std::string value) {
  out.push_back(std::move(value));
  return true;
}

}  // namespace

std::optional<long long> glacier_request_context::archive_age_days() const {
  if (!action_.archive_age || !archive_created) return std::nullopt;
  const auto elapsed = (now - *archive_created).count();
  return elapsed <= 0 ? 0 : elapsed / day_ms;
}

bool glacier_request_context::lookup(std::string_view key, std::vector<std::string>& out) const {
  if (key == archive_age_key) {
    const auto days = archive_age_days();
    return days && one(out, std::to_string(*days));
  }
  if (key.substr(0, tag_prefix.size()) == tag_prefix) {
    if (!action_.resource_tag || tags == nullptr) return false;
    // Tag keys in condition keys ignore case, as the rest of the key does (spec 3B.2).
    const auto wanted = key.substr(tag_prefix.size());
    for (const auto& [tag_key, value] : *tags) {
      if (lower_ascii(tag_key) == wanted) return one(out, value);
    }
    return false;
  }
  if (key == "aws:currenttime") return one(out, format_iso8601_seconds(now));
  if (key == "aws:epochtime") {
    return one(out, std::to_string(now.time_since_epoch().count() / 1000));
  }
  if (key == "aws:securetransport") return one(out, secure_transport ? "true" : "false");
  if (key == "aws:sourceip") return !source_ip.empty() && one(out, std::string(source_ip));
  if (key == "aws:principalaccount") return one(out, caller_.account);
  if (key == "aws:principalarn") return one(out, caller_.principal_arn());
  if (key == "aws:principaltype") return one(out, std::string(type_name(caller_.type)));
  if (key == "aws:username") {
    return caller_.type == principal_type::user && one(out, caller_.user_name);
  }
  if (key == "aws:userid") return one(out, caller_.user_id);
  if (key == "aws:requestedregion") return !region.empty() && one(out, std::string(region));
  if (key == "aws:useragent") return !user_agent.empty() && one(out, std::string(user_agent));
  // Present only for temporary credentials, and glacier-mock knows of no MFA (spec 3B.5).
  if (key == "aws:multifactorauthpresent") return caller_.temporary && one(out, "false");
  return false;
}

}  // namespace glacier::auth
