// Evaluates a parsed resource policy for one request, with IAM's rules.
#include <algorithm>

#include "glacier/auth/policy.hpp"
#include "glacier/auth/wildcard.hpp"

namespace glacier::auth {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
}

bool resource_applies(const statement& s, std::string_view resource) {
  const bool listed =
      std::any_of(s.resources.begin(), s.resources.end(),
                  [&](const std::string& p) { return wildcard_match(p, resource); });
  return listed != s.not_resource;
}

bool conditions_hold(const statement& s, const condition_context& context) {
  std::vector<std::string> values;
  for (const auto& c : s.conditions) {
    values.clear();
    const bool present = context.lookup(c.key, values);
    if (!condition_holds(c, present ? &values : nullptr)) return false;
  }
  return true;
}

}  // namespace

bool covers_action(const statement& s, std::string_view action) {
  const bool listed = std::any_of(s.actions.begin(), s.actions.end(),
                                  [&](const std::string& p) { return wildcard_match(p, action); });
  return listed != s.not_action;
}

bool principal_applies(const statement& s, const caller& who) {
  const auto& p = s.principals;
  const bool account = p.everyone || contains(p.accounts, who.account);
  const bool self = p.everyone || contains(p.arns, who.arn);
  const bool role = p.everyone || contains(p.arns, who.role_arn);
  if (!s.not_principal) return account || self || role;
  // NotPrincipal leaves out a caller only when it names every identity the request
  // carries: the account, and the user (or the role and its session). Naming a user
  // without its account still covers the request, as IAM's NotPrincipal page warns.
  const bool root = who.type == principal_type::account;
  const bool excluded =
      account && (root || self || who.arn.empty()) && (who.role_arn.empty() || role);
  return !excluded;
}

evaluation evaluate(const policy& p, const request_view& request) {
  evaluation result;
  const auto consider = [&](const statement& s) {
    if (!resource_applies(s, request.resource) || !principal_applies(s, request.caller) ||
        !conditions_hold(s, request.context)) {
      return false;
    }
    if (s.effect == effect::deny) {
      result = {decision::deny, &s};
      return true;  // an explicit deny ends the evaluation
    }
    if (result.decision == decision::not_applicable) result = {decision::allow, &s};
    return false;
  };
  if (request.action_index && *request.action_index < p.statements_by_action.size()) {
    for (const auto i : p.statements_by_action[*request.action_index]) {
      if (consider(p.statements[i])) break;
    }
    return result;
  }
  for (const auto& s : p.statements) {
    if (covers_action(s, request.action) && consider(s)) break;
  }
  return result;
}

}  // namespace glacier::auth
