// Reads a resource policy document into glacier::auth::policy, refusing what the IAM
// policy language does not allow and what glacier-mock cannot evaluate.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "glacier/auth/policy.hpp"
#include "glacier/auth/wildcard.hpp"

namespace glacier::auth {

namespace {

using json = nlohmann::json;

std::string shown(std::string_view text) {
  return std::string(text.substr(0, 200));
}

bool is_account_id(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A string or a non-empty list of strings; `element` names it in errors.
std::vector<std::string> strings(const json& value, std::string_view element) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const auto& item : value) {
      if (!item.is_string()) {
        throw policy_error("Invalid " + std::string(element) + ": expected strings, got " +
                           shown(item.dump()));
      }
      out.push_back(item.get<std::string>());
    }
  } else {
    throw policy_error("Invalid " + std::string(element) +
                       ": expected a string or a list of strings");
  }
  if (out.empty()) throw policy_error("Empty " + std::string(element));
  return out;
}

// arn:<partition>:<service>::<account>:<rest>, as IAM and STS principal ARNs are written.
bool principal_arn_parts(std::string_view arn, std::string_view& service, std::string_view& account,
                         std::string_view& rest) {
  if (arn.rfind("arn:", 0) != 0) return false;
  arn.remove_prefix(4);
  const auto partition_end = arn.find(':');
  if (partition_end == std::string_view::npos || arn.substr(0, 3) != "aws") return false;
  arn.remove_prefix(partition_end + 1);
  const auto service_end = arn.find(':');
  if (service_end == std::string_view::npos) return false;
  service = arn.substr(0, service_end);
  arn.remove_prefix(service_end + 1);
  if (arn.empty() || arn.front() != ':') return false;  // principals have no region
  arn.remove_prefix(1);
  const auto account_end = arn.find(':');
  if (account_end == std::string_view::npos) return false;
  account = arn.substr(0, account_end);
  rest = arn.substr(account_end + 1);
  return true;
}

void add_aws_principal(principal_list& out, const std::string& value) {
  if (value == "*") {
    out.everyone = true;
    return;
  }
  if (value.find_first_of("*?") != std::string::npos) {
    // IAM allows a wildcard only as the whole principal.
    throw policy_error("Invalid principal in policy: " + shown(value) +
                       " (a principal may be \"*\" but may not contain wildcards)");
  }
  if (is_account_id(value)) {
    out.accounts.push_back(value);
    return;
  }
  std::string_view service;
  std::string_view account;
  std::string_view rest;
  const bool parsed = principal_arn_parts(value, service, account, rest) && is_account_id(account);
  const bool iam = parsed && service == "iam" &&
                   (rest == "root" || rest.rfind("user/", 0) == 0 || rest.rfind("role/", 0) == 0);
  const bool sts = parsed && service == "sts" &&
                   (rest.rfind("assumed-role/", 0) == 0 || rest.rfind("federated-user/", 0) == 0);
  if (!iam && !sts) throw policy_error("Invalid principal in policy: " + shown(value));
  if (rest == "root") {
    // The account's root ARN stands for the whole account, as its bare id does.
    out.accounts.emplace_back(account);
  } else {
    out.arns.push_back(value);
  }
}

principal_list parse_principal(const json& value, std::string_view element) {
  principal_list out;
  if (value.is_string()) {
    if (value.get<std::string>() != "*") {
      throw policy_error("Invalid " + std::string(element) + ": " + shown(value.dump()) +
                         " (expected \"*\" or an object such as {\"AWS\": ...})");
    }
    out.everyone = true;
    return out;
  }
  if (!value.is_object() || value.empty()) {
    throw policy_error("Invalid " + std::string(element) + ": expected \"*\" or an object");
  }
  for (const auto& [type, names] : value.items()) {
    const auto list = strings(names, std::string(element) + "." + type);
    if (type == "AWS") {
      for (const auto& name : list) add_aws_principal(out, name);
    } else if (type == "Service" || type == "Federated") {
      // Valid, but never a caller from the credentials file: such entries match nobody.
    } else {
      throw policy_error("Unsupported principal type in " + std::string(element) + ": " +
                         shown(type));
    }
  }
  return out;
}

std::vector<std::string> parse_actions(const json& value, std::string_view element) {
  auto list = strings(value, element);
  for (auto& action : list) {
    const auto colon = action.find(':');
    const bool ok =
        action == "*" ||
        (colon != std::string::npos && colon > 0 && colon + 1 < action.size() &&
         std::all_of(action.begin(), action.begin() + static_cast<long>(colon), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-';
         }));
    if (!ok) throw policy_error("Invalid " + std::string(element) + ": " + shown(action));
    action = lower_ascii(action);  // action names ignore case
  }
  return list;
}

std::vector<std::string> parse_resources(const json& value, std::string_view element,
                                         bool variables_apply) {
  auto list = strings(value, element);
  for (const auto& resource : list) {
    if (resource != "*" && resource.rfind("arn:", 0) != 0) {
      throw policy_error("Invalid " + std::string(element) + ": " + shown(resource) +
                         " (expected \"*\" or an ARN)");
    }
    if (variables_apply && resource.find("${") != std::string::npos) {
      throw policy_error("Unsupported policy variable in " + std::string(element) + ": " +
                         shown(resource));
    }
  }
  return list;
}

std::vector<condition> parse_conditions(const json& value, const parse_options& options,
                                        bool variables_apply) {
  if (!value.is_object()) throw policy_error("Invalid Condition: expected an object");
  std::vector<condition> out;
  for (const auto& [op, keys] : value.items()) {
    if (!keys.is_object() || keys.empty()) {
      throw policy_error("Invalid Condition: " + shown(op) + " must map condition keys to values");
    }
    for (const auto& [key, values] : keys.items()) {
      auto c = parse_condition(op, key, values);
      if (options.key_supported && !options.key_supported(c.key)) {
        throw policy_error("Unsupported condition key: " + shown(key));
      }
      if (variables_apply) {
        for (const auto& v : c.values) {
          if (v.find("${") != std::string::npos) {
            throw policy_error("Unsupported policy variable in Condition " + shown(op) + " " +
                               shown(key) + ": " + shown(v));
          }
        }
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

statement parse_statement(const json& value, const parse_options& options, bool variables_apply) {
  if (!value.is_object()) throw policy_error("Invalid Statement: expected an object");
  static const std::set<std::string, std::less<>> known = {
      "Sid",       "Effect",   "Principal",   "NotPrincipal", "Action",
      "NotAction", "Resource", "NotResource", "Condition"};
  for (const auto& [key, member] : value.items()) {
    if (!known.count(key)) throw policy_error("Unsupported policy element: " + shown(key));
  }
  statement s;
  if (value.contains("Sid")) {
    if (!value["Sid"].is_string()) throw policy_error("Invalid Sid: expected a string");
    s.sid = value["Sid"].get<std::string>();
  }
  const auto both = [&](const char* a, const char* b) {
    if (value.contains(a) && value.contains(b)) {
      throw policy_error(std::string("Invalid Statement") + (s.sid.empty() ? "" : " " + s.sid) +
                         ": it has both " + a + " and " + b);
    }
    if (!value.contains(a) && !value.contains(b)) {
      throw policy_error(std::string("Invalid Statement") + (s.sid.empty() ? "" : " " + s.sid) +
                         ": it needs " + a + " or " + b);
    }
  };
  if (!value.contains("Effect") || !value["Effect"].is_string()) {
    throw policy_error("Invalid Statement: Effect must be \"Allow\" or \"Deny\"");
  }
  const auto effect_name = value["Effect"].get<std::string>();
  if (effect_name == "Allow") {
    s.effect = effect::allow;
  } else if (effect_name == "Deny") {
    s.effect = effect::deny;
  } else {
    throw policy_error("Invalid Effect: " + shown(effect_name) + " (expected Allow or Deny)");
  }
  both("Principal", "NotPrincipal");
  s.not_principal = value.contains("NotPrincipal");
  if (s.not_principal && s.effect == effect::allow) {
    throw policy_error(
        "Invalid Statement: NotPrincipal may only be used with \"Effect\": \"Deny\"");
  }
  s.principals = parse_principal(value[s.not_principal ? "NotPrincipal" : "Principal"],
                                 s.not_principal ? "NotPrincipal" : "Principal");
  both("Action", "NotAction");
  s.not_action = value.contains("NotAction");
  s.actions = parse_actions(value[s.not_action ? "NotAction" : "Action"],
                            s.not_action ? "NotAction" : "Action");
  both("Resource", "NotResource");
  s.not_resource = value.contains("NotResource");
  s.resources = parse_resources(value[s.not_resource ? "NotResource" : "Resource"],
                                s.not_resource ? "NotResource" : "Resource", variables_apply);
  if (value.contains("Condition")) {
    s.conditions = parse_conditions(value["Condition"], options, variables_apply);
  }
  return s;
}

}  // namespace

policy parse_policy(std::string_view text, const parse_options& options) {
  const auto document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    throw policy_error("The policy must be a JSON policy document (an object)");
  }
  for (const auto& [key, member] : document.items()) {
    if (key != "Version" && key != "Id" && key != "Statement") {
      throw policy_error("Unsupported policy element: " + shown(key));
    }
  }
  policy p;
  p.version = "2008-10-17";  // IAM's default when Version is absent
  if (document.contains("Version")) {
    const auto& version = document["Version"];
    if (!version.is_string() || (version.get<std::string>() != "2012-10-17" &&
                                 version.get<std::string>() != "2008-10-17")) {
      throw policy_error("Invalid Version: " + shown(version.dump()) +
                         " (expected \"2012-10-17\" or \"2008-10-17\")");
    }
    p.version = version.get<std::string>();
  }
  if (document.contains("Id") && !document["Id"].is_string()) {
    throw policy_error("Invalid Id: expected a string");
  }
  if (!document.contains("Statement")) throw policy_error("The policy has no Statement");
  // Only the 2012-10-17 language has policy variables; in 2008-10-17 "${" is plain text.
  const bool variables_apply = p.version == "2012-10-17";
  const auto& statements = document["Statement"];
  if (statements.is_array()) {
    for (const auto& s : statements)
      p.statements.push_back(parse_statement(s, options, variables_apply));
  } else {
    p.statements.push_back(parse_statement(statements, options, variables_apply));
  }
  for (auto& s : p.statements) {
    for (auto& c : s.conditions) {
      const auto known = std::find(p.condition_keys.begin(), p.condition_keys.end(), c.key);
      c.key_slot = static_cast<std::size_t>(known - p.condition_keys.begin());
      if (known == p.condition_keys.end()) p.condition_keys.push_back(c.key);
    }
  }
  std::set<std::string, std::less<>> sids;
  for (const auto& s : p.statements) {
    if (!s.sid.empty() && !sids.insert(s.sid).second) {
      throw policy_error("Duplicate Sid: " + shown(s.sid) + " (statement ids must be unique)");
    }
  }
  if (options.actions) {
    p.statements_by_action.resize(options.actions->size());
    p.action_uses_costly_key.resize(options.actions->size(), false);
    for (std::size_t a = 0; a < options.actions->size(); ++a) {
      for (std::size_t i = 0; i < p.statements.size(); ++i) {
        const auto& s = p.statements[i];
        if (!covers_action(s, (*options.actions)[a])) continue;
        p.statements_by_action[a].push_back(static_cast<std::uint32_t>(i));
        for (const auto& c : s.conditions) {
          if (!options.costly_key.empty() && c.key == options.costly_key) {
            p.action_uses_costly_key[a] = true;
          }
        }
      }
    }
  }
  return p;
}

}  // namespace glacier::auth
