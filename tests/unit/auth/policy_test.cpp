// Parsing and evaluating resource policies, with the IAM User Guide's and the Glacier
// Developer Guide's own example policies.
#include "glacier/auth/policy.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <map>

#include "glacier/auth/actions.hpp"
#include "glacier/auth/vault_authorizer.hpp"

namespace glacier::auth {
namespace {

constexpr std::string_view vault_arn = "arn:aws:glacier:us-west-2:999999999999:vaults/examplevault";

class fake_context final : public condition_context {
 public:
  std::map<std::string, std::vector<std::string>> keys;
  bool lookup(std::string_view key, std::vector<std::string>& out) const override {
    const auto it = keys.find(std::string(key));
    if (it == keys.end()) return false;
    out = it->second;
    return true;
  }
};

caller user(const std::string& account, const std::string& name) {
  caller c;
  c.access_key_id = "AKID" + name;
  c.account = account;
  c.arn = "arn:aws:iam::" + account + ":user/" + name;
  c.user_name = name;
  c.type = principal_type::user;
  return c;
}

// One row: who asks for which action (on examplevault unless `resource` says otherwise),
// with which condition keys, and the decision the policy must give.
struct row {
  caller who;
  std::string action;  // "glacier:DeleteArchive"
  std::map<std::string, std::vector<std::string>> keys;
  decision expected;
  std::string resource = std::string(vault_arn);
};

void check(std::string_view document, const std::vector<row>& rows) {
  const auto p = parse_vault_policy(document);
  for (const auto& r : rows) {
    fake_context context;
    context.keys = r.keys;
    std::string action;
    for (const char c : r.action) action += static_cast<char>(std::tolower(c));
    const auto id = find_action(r.action.substr(r.action.find(':') + 1));
    // Evaluated twice: through the per-action index and by walking every statement.
    for (const auto index : {id, std::optional<std::size_t>{}}) {
      const request_view request{r.who, action, r.resource, context, index};
      EXPECT_EQ(evaluate(p, request).decision, r.expected)
          << r.who.arn << " " << r.action << " on " << r.resource
          << (index ? " (indexed)" : " (walked)");
    }
  }
}

const caller alice = user("999999999999", "alice");
const caller bob = user("999999999999", "bob");
const caller stranger = user("444455556666", "carol");
const caller owner_root = root_caller("AKIDROOT", "999999999999");

// Developer Guide, vault-lock-policy Example 1: deny deletes of archives younger than a year.
TEST(policy, lock_example_deny_deletes_under_365_days) {
  check(
      R"({"Version":"2012-10-17","Statement":[{"Sid":"deny-based-on-archive-age",
      "Principal":"*","Effect":"Deny","Action":"glacier:DeleteArchive",
      "Resource":["arn:aws:glacier:us-west-2:999999999999:vaults/examplevault"],
      "Condition":{"NumericLessThan":{"glacier:ArchiveAgeInDays":"365"}}}]})",
      {
          {alice, "glacier:DeleteArchive", {{"glacier:archiveageindays", {"0"}}}, decision::deny},
          {alice, "glacier:DeleteArchive", {{"glacier:archiveageindays", {"364"}}}, decision::deny},
          {owner_root,
           "glacier:DeleteArchive",
           {{"glacier:archiveageindays", {"12"}}},
           decision::deny},
          {alice,
           "glacier:DeleteArchive",
           {{"glacier:archiveageindays", {"365"}}},
           decision::not_applicable},
          // An archive that does not exist has no age: the positive operator is false.
          {alice, "glacier:DeleteArchive", {}, decision::not_applicable},
          {alice, "glacier:UploadArchive", {}, decision::not_applicable},
          {alice,
           "glacier:DeleteArchive",
           {{"glacier:archiveageindays", {"1"}}},
           decision::not_applicable,
           "arn:aws:glacier:us-west-2:999999999999:vaults/other"},
      });
}

// Developer Guide, vault-lock-policy Example 2: legal hold by tag, deletes allowed after a
// year; the tag key's case in the policy does not matter.
TEST(policy, lock_example_legal_hold_tag_and_age_allow) {
  check(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"lock-vault","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Effect":"Deny",
       "Action":"glacier:DeleteArchive","Resource":"arn:aws:glacier:us-west-2:999999999999:vaults/examplevault",
       "Condition":{"StringLike":{"glacier:ResourceTag/LegalHold":["true",""]}}},
      {"Sid":"you-can-delete-archive-older-than-a-year","Principal":{"AWS":"arn:aws:iam::999999999999:root"},
       "Effect":"Allow","Action":"glacier:DeleteArchive","Resource":"arn:aws:glacier:us-west-2:999999999999:vaults/examplevault",
       "Condition":{"NumericGreaterThanEquals":{"glacier:ArchiveAgeInDays":"365"}}}]})",
        {
            {alice,
             "glacier:DeleteArchive",
             {{"glacier:resourcetag/legalhold", {"true"}}, {"glacier:archiveageindays", {"400"}}},
             decision::deny},
            {alice,
             "glacier:DeleteArchive",
             {{"glacier:resourcetag/legalhold", {""}}, {"glacier:archiveageindays", {"400"}}},
             decision::deny},
            {alice,
             "glacier:DeleteArchive",
             {{"glacier:resourcetag/legalhold", {"false"}}, {"glacier:archiveageindays", {"400"}}},
             decision::allow},
            {alice,
             "glacier:DeleteArchive",
             {{"glacier:archiveageindays", {"400"}}},
             decision::allow},
            {alice,
             "glacier:DeleteArchive",
             {{"glacier:archiveageindays", {"10"}}},
             decision::not_applicable},
            // The account principal covers every principal of the account, not others.
            {stranger,
             "glacier:DeleteArchive",
             {{"glacier:resourcetag/legalhold", {"true"}}},
             decision::not_applicable},
        });
}

// Developer Guide, vault-access-policy Example 1: cross-account upload permissions.
TEST(policy, access_example_cross_account_upload) {
  check(R"({"Version":"2012-10-17","Statement":[{"Sid":"cross-account-upload",
      "Principal":{"AWS":["arn:aws:iam::123456789012:root","arn:aws:iam::444455556666:root"]},
      "Effect":"Allow","Action":["glacier:UploadArchive","glacier:InitiateMultipartUpload",
      "glacier:AbortMultipartUpload","glacier:CompleteMultipartUpload"],
      "Resource":["arn:aws:glacier:us-west-2:999999999999:vaults/examplevault"]}]})",
        {
            {stranger, "glacier:UploadArchive", {}, decision::allow},
            {stranger, "glacier:CompleteMultipartUpload", {}, decision::allow},
            {stranger, "glacier:DeleteArchive", {}, decision::not_applicable},
            {user("111122223333", "dave"), "glacier:UploadArchive", {}, decision::not_applicable},
        });
}

// Developer Guide, vault-access-policy Example 2: deletes only with MFA; BoolIfExists as
// IAM recommends, so callers without temporary credentials (no key at all) are denied too.
TEST(policy, access_example_mfa_delete_with_bool_if_exists) {
  check(R"({"Version":"2012-10-17","Statement":[{"Sid":"add-mfa-delete-requirement",
      "Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Effect":"Deny",
      "Action":["glacier:Delete*"],"Resource":["arn:aws:glacier:us-west-2:999999999999:vaults/examplevault"],
      "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":false}}}]})",
        {
            {user("123456789012", "eve"), "glacier:DeleteArchive", {}, decision::deny},
            {user("123456789012", "eve"),
             "glacier:DeleteVault",
             {{"aws:multifactorauthpresent", {"false"}}},
             decision::deny},
            {user("123456789012", "eve"),
             "glacier:DeleteArchive",
             {{"aws:multifactorauthpresent", {"true"}}},
             decision::not_applicable},
            {user("123456789012", "eve"), "glacier:DescribeVault", {}, decision::not_applicable},
        });
}

// IAM: an explicit Deny overrides any Allow, whichever statement comes first.
TEST(policy, explicit_deny_overrides_allow_in_either_order) {
  const auto rows = std::vector<row>{
      {alice, "glacier:DeleteArchive", {}, decision::deny},
      {alice, "glacier:DescribeVault", {}, decision::allow},
  };
  check(R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*"},
      {"Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*"}]})",
        rows);
  check(
      R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*"},
      {"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*"}]})",
      rows);
}

// IAM NotAction example: deny everything except the listed (read) actions.
TEST(policy, not_action_applies_to_every_other_action) {
  check(R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"*"},
      "NotAction":["glacier:Describe*","glacier:List*","glacier:Get*"],"Resource":"*"}})",
        {
            {alice, "glacier:UploadArchive", {}, decision::deny},
            {alice, "glacier:DeleteVault", {}, decision::deny},
            {alice, "glacier:DescribeVault", {}, decision::not_applicable},
            {alice, "glacier:GetJobOutput", {}, decision::not_applicable},
            {alice, "glacier:listjobs", {}, decision::not_applicable},  // actions ignore case
        });
}

// IAM NotResource example: deny what targets anything but the listed resource.
TEST(policy, not_resource_applies_to_every_other_resource) {
  check(R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:*",
      "NotResource":"arn:aws:glacier:us-west-2:999999999999:vaults/example*"}]})",
        {
            {alice, "glacier:DescribeVault", {}, decision::not_applicable},
            {alice,
             "glacier:DescribeVault",
             {},
             decision::deny,
             "arn:aws:glacier:us-west-2:999999999999:vaults/other"},
            // Resources are case-sensitive.
            {alice,
             "glacier:DescribeVault",
             {},
             decision::deny,
             "arn:aws:glacier:us-west-2:999999999999:vaults/EXAMPLEvault"},
        });
}

// IAM NotPrincipal example: deny everyone but one user, whose account is listed too.
TEST(policy, not_principal_excludes_the_listed_user_with_its_account) {
  check(R"({"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":[
      "arn:aws:iam::999999999999:user/alice","arn:aws:iam::999999999999:root"]},
      "Action":"glacier:*","Resource":"*"}]})",
        {
            {alice, "glacier:DeleteArchive", {}, decision::not_applicable},
            {owner_root, "glacier:DeleteArchive", {}, decision::not_applicable},
            {bob, "glacier:DeleteArchive", {}, decision::deny},
            {stranger, "glacier:DeleteArchive", {}, decision::deny},
        });
  // Naming the user without its account does not exempt it, as IAM's page warns.
  check(
      R"({"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::999999999999:user/alice"},
      "Action":"glacier:*","Resource":"*"}]})",
      {{alice, "glacier:DeleteArchive", {}, decision::deny}});
}

caller assumed_role(const std::string& account, const std::string& role,
                    const std::string& session) {
  caller c;
  c.access_key_id = "ASIA" + session;
  c.account = account;
  c.arn = "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session;
  c.role_arn = "arn:aws:iam::" + account + ":role/" + role;
  c.type = principal_type::assumed_role;
  c.temporary = true;
  return c;
}

const caller auditor = assumed_role("999999999999", "auditor", "audit-1");

// IAM's principal page: a role ARN covers every session of the role, a session ARN that
// session only.
TEST(policy, a_role_principal_covers_its_sessions) {
  check(
      R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:role/auditor"},
      "Action":"glacier:DescribeVault","Resource":"*"}]})",
      {
          {auditor, "glacier:DescribeVault", {}, decision::allow},
          {assumed_role("999999999999", "admin", "audit-1"),
           "glacier:DescribeVault",
           {},
           decision::not_applicable},
          {alice, "glacier:DescribeVault", {}, decision::not_applicable},
      });
  check(R"({"Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:sts::999999999999:assumed-role/auditor/audit-1"},
      "Action":"glacier:DescribeVault","Resource":"*"}]})",
        {
            {auditor, "glacier:DescribeVault", {}, decision::allow},
            {assumed_role("999999999999", "auditor", "audit-2"),
             "glacier:DescribeVault",
             {},
             decision::not_applicable},
        });
}

// IAM's NotPrincipal page: to leave out a role session, name the session, the role and
// the account; naming fewer still denies it.
TEST(policy, not_principal_leaves_out_a_role_session_only_with_its_account) {
  check(R"({"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":[
      "arn:aws:sts::999999999999:assumed-role/auditor/audit-1",
      "arn:aws:iam::999999999999:role/auditor","arn:aws:iam::999999999999:root"]},
      "Action":"glacier:*","Resource":"*"}]})",
        {
            {auditor, "glacier:DeleteVault", {}, decision::not_applicable},
            {alice, "glacier:DeleteVault", {}, decision::deny},
        });
  check(R"({"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":[
      "arn:aws:sts::999999999999:assumed-role/auditor/audit-1"]},
      "Action":"glacier:*","Resource":"*"}]})",
        {{auditor, "glacier:DeleteVault", {}, decision::deny}});
}

// Wildcards in Action and Resource, as the Glacier guide's examples write them
// (access-control-overview: vaults/example*, vaults/*, all regions with *).
TEST(policy, action_and_resource_wildcards) {
  check(
      R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":["glacier:Get*","glacier:?escribeVault"],
      "Resource":"arn:aws:glacier:*:999999999999:vaults/ex?mple*"}]})",
      {
          {alice, "glacier:GetVaultLock", {}, decision::deny},
          {alice, "glacier:DescribeVault", {}, decision::deny},
          {alice, "glacier:DescribeJob", {}, decision::not_applicable},
          {alice,
           "glacier:GetVaultLock",
           {},
           decision::deny,
           "arn:aws:glacier:eu-west-1:999999999999:vaults/example-archive"},
          {alice,
           "glacier:GetVaultLock",
           {},
           decision::not_applicable,
           "arn:aws:glacier:us-west-2:444455556666:vaults/examplevault"},
          {alice,
           "glacier:GetVaultLock",
           {},
           decision::not_applicable,
           "arn:aws:glacier:us-west-2:999999999999:vaults/other"},
      });
  check(R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]})",
        {
            {alice, "glacier:UploadArchive", {}, decision::deny},
            {stranger,
             "glacier:ListVaults",
             {},
             decision::deny,
             "arn:aws:glacier:us-west-2:444455556666:vaults/"},
        });
}

TEST(policy, principal_forms_name_accounts_and_users) {
  check(R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":["444455556666",
      "arn:aws:iam::999999999999:user/alice"]},"Action":"glacier:DescribeVault","Resource":"*"}]})",
        {
            {stranger, "glacier:DescribeVault", {}, decision::allow},  // bare account id
            {alice, "glacier:DescribeVault", {}, decision::allow},
            {bob, "glacier:DescribeVault", {}, decision::not_applicable},
            {owner_root, "glacier:DescribeVault", {}, decision::not_applicable},
        });
}

TEST(policy, several_condition_keys_and_operators_are_anded) {
  check(
      R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:InitiateJob","Resource":"*",
      "Condition":{"NumericLessThan":{"glacier:ArchiveAgeInDays":"30"},
                   "StringEquals":{"aws:username":["alice","bob"],"aws:PrincipalAccount":"999999999999"}}}]})",
      {
          {alice,
           "glacier:InitiateJob",
           {{"glacier:archiveageindays", {"3"}},
            {"aws:username", {"alice"}},
            {"aws:principalaccount", {"999999999999"}}},
           decision::deny},
          {alice,
           "glacier:InitiateJob",
           {{"glacier:archiveageindays", {"31"}},
            {"aws:username", {"alice"}},
            {"aws:principalaccount", {"999999999999"}}},
           decision::not_applicable},
          {alice,
           "glacier:InitiateJob",
           {{"glacier:archiveageindays", {"3"}},
            {"aws:username", {"carol"}},
            {"aws:principalaccount", {"999999999999"}}},
           decision::not_applicable},
      });
}

// A request's key is looked up once per evaluation however many statements test it, and
// every statement sees the same values: an address parsed once for IpAddress and
// NotIpAddress alike, a value that is no address matching neither.
TEST(policy, each_condition_key_is_looked_up_once_per_evaluation) {
  class counting_context final : public condition_context {
   public:
    std::map<std::string, std::vector<std::string>> keys;
    mutable std::map<std::string, int> lookups;
    bool lookup(std::string_view key, std::vector<std::string>& out) const override {
      ++lookups[std::string(key)];
      const auto it = keys.find(std::string(key));
      if (it == keys.end()) return false;
      out = it->second;
      return true;
    }
  };
  const auto p = parse_vault_policy(R"({"Statement":[
      {"Sid":"a","Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*",
       "Condition":{"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}},
      {"Sid":"b","Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*",
       "Condition":{"StringEquals":{"aws:username":"mallory"},"IpAddress":{"aws:sourceip":"10.0.0.0/8"}}},
      {"Sid":"c","Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*",
       "Condition":{"StringEquals":{"aws:UserName":"intern"},"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}},
      {"Sid":"d","Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*",
       "Condition":{"Null":{"glacier:ResourceTag/Hold":"false"}}}]})");
  EXPECT_EQ(p.condition_keys.size(), 3U);
  const auto id = find_action("DeleteArchive");
  const auto decide = [&](const std::string& ip, const std::string& name,
                          std::map<std::string, int>* lookups = nullptr) {
    counting_context context;
    context.keys = {{"aws:sourceip", {ip}}, {"aws:username", {name}}};
    const request_view request{alice, "glacier:deletearchive", vault_arn, context, id};
    const auto result = evaluate(p, request);
    if (lookups) *lookups = context.lookups;
    return result.by ? result.by->sid : std::string("none");
  };
  std::map<std::string, int> lookups;
  EXPECT_EQ(decide("192.0.2.7", "alice", &lookups), "none");
  EXPECT_EQ(lookups,
            (std::map<std::string, int>{
                {"aws:sourceip", 1}, {"aws:username", 1}, {"glacier:resourcetag/hold", 1}}));
  EXPECT_EQ(decide("198.51.100.9", "alice"), "a");
  EXPECT_EQ(decide("10.1.2.3", "mallory"), "b");
  EXPECT_EQ(decide("10.1.2.3", "alice"), "none");
  EXPECT_EQ(decide("192.0.2.7", "intern"), "c");
  EXPECT_EQ(decide("2001:db8::1", "intern"), "none");
  EXPECT_EQ(decide("203.0.113.1", "intern"), "none");
  // Not an address: no IpAddress matches it, so NotIpAddress holds (IAM's negation).
  EXPECT_EQ(decide("localhost", "mallory"), "none");
  EXPECT_EQ(decide("localhost", "intern"), "c");
}

TEST(policy, statements_are_indexed_by_the_actions_they_cover) {
  const auto p = parse_vault_policy(
      R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:Delete*","Resource":"*",
      "Condition":{"NumericLessThan":{"glacier:ArchiveAgeInDays":"1"}}},
      {"Effect":"Allow","Principal":"*","NotAction":"glacier:DeleteArchive","Resource":"*"}]})");
  const auto deletes = *find_action("DeleteArchive");
  const auto vault_deletes = *find_action("DeleteVault");
  const auto uploads = *find_action("UploadArchive");
  EXPECT_EQ(p.statements_by_action[deletes], std::vector<std::uint32_t>{0});
  EXPECT_EQ(p.statements_by_action[vault_deletes], (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(p.statements_by_action[uploads], std::vector<std::uint32_t>{1});
  EXPECT_TRUE(p.action_uses_costly_key[deletes]);
  EXPECT_FALSE(p.action_uses_costly_key[uploads]);
}

// What the policy language forbids, and what glacier-mock cannot evaluate, is refused with
// a message that names it.
TEST(policy, refuses_malformed_and_unsupported_documents_naming_the_problem) {
  const std::vector<std::pair<const char*, const char*>> bad = {
      {"[]", "JSON policy document"},
      {"{", "JSON policy document"},
      {R"({"Version":"2012-10-17"})", "no Statement"},
      {R"({"Version":"2013-01-01","Statement":[]})", "Invalid Version"},
      {R"({"Statement":[],"Extra":1})", "Unsupported policy element: Extra"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*","Foo":1}]})",
       "Unsupported policy element: Foo"},
      {R"({"Statement":[{"Effect":"Permit","Principal":"*","Action":"glacier:*","Resource":"*"}]})",
       "Invalid Effect: Permit"},
      {R"({"Statement":[{"Effect":"Allow","Action":"glacier:*","Resource":"*"}]})",
       "needs Principal or NotPrincipal"},
      {R"({"Statement":[{"Effect":"Allow","NotPrincipal":"*","Action":"glacier:*","Resource":"*"}]})",
       "NotPrincipal may only be used"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","NotAction":"x:y","Resource":"*"}]})",
       "both Action and NotAction"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*"}]})",
       "needs Resource or NotResource"},
      {R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::99999999*:root"},"Action":"glacier:*","Resource":"*"}]})",
       "Invalid principal in policy"},
      {R"({"Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":"glacier:*","Resource":"*"}]})",
       "Unsupported principal type"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*",
          "Condition":{"StringStartsWith":{"aws:username":"a"}}}]})",
       "Unsupported condition operator: StringStartsWith"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*",
          "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]})",
       "Unsupported condition key: aws:PrincipalOrgID"},
      {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*",
          "Resource":"arn:aws:glacier:*:*:vaults/${aws:username}"}]})",
       "Unsupported policy variable"},
      {R"({"Statement":[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*"},
          {"Sid":"a","Effect":"Deny","Principal":"*","Action":"glacier:*","Resource":"*"}]})",
       "Duplicate Sid: a"},
  };
  for (const auto& [document, message] : bad) {
    try {
      parse_vault_policy(document);
      ADD_FAILURE() << "accepted " << document;
    } catch (const policy_error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
          << document << " gave: " << e.what();
    }
  }
}

TEST(policy, the_2008_language_takes_variables_as_text) {
  EXPECT_NO_THROW(parse_vault_policy(
      R"({"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*",
          "Resource":"arn:aws:glacier:*:*:vaults/${aws:username}"}]})"));
}

}  // namespace
}  // namespace glacier::auth
