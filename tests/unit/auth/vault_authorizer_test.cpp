// A vault's two policies together, and the condition keys a Glacier request supplies.
#include "glacier/auth/vault_authorizer.hpp"

#include <gtest/gtest.h>

#include "glacier/auth/actions.hpp"
#include "glacier/auth/request_context.hpp"

namespace glacier::auth {
namespace {

constexpr std::string_view arn = "arn:aws:glacier:us-east-1:111111111111:vaults/v";

caller iam_user(const std::string& account, const std::string& name) {
  caller c;
  c.account = account;
  c.arn = "arn:aws:iam::" + account + ":user/" + name;
  c.user_name = name;
  c.user_id = "AIDA" + name;
  c.type = principal_type::user;
  return c;
}

std::shared_ptr<const policy> parsed(std::string_view text) {
  return std::make_shared<const policy>(parse_vault_policy(text));
}

verdict decide(const vault_policies& policies, const caller& who, std::string_view operation,
               bool cross_account) {
  const auto id = *find_action(operation);
  glacier_request_context context(who, glacier_actions()[id]);
  const request_view request{who, lower_action_names()[id], arn, context, id};
  return authorize(policies, request, cross_account).verdict;
}

const auto owner_user = iam_user("111111111111", "alice");
const auto partner_user = iam_user("222222222222", "pat");

TEST(vault_authorizer, same_account_is_allowed_unless_a_deny_matches) {
  EXPECT_EQ(decide({}, owner_user, "DeleteArchive", false), verdict::allowed);
  const vault_policies policies{
      parsed(
          R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:DeleteVault","Resource":"*"}]})"),
      nullptr};
  EXPECT_EQ(decide(policies, owner_user, "DeleteVault", false), verdict::explicit_deny);
  EXPECT_EQ(decide(policies, owner_user, "DeleteArchive", false), verdict::allowed);
}

TEST(vault_authorizer, another_account_needs_an_allow_from_either_policy) {
  EXPECT_EQ(decide({}, partner_user, "DescribeVault", true), verdict::no_allow);
  const auto grant = parsed(
      R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"glacier:Describe*","Resource":"arn:aws:glacier:us-east-1:111111111111:vaults/v"}]})");
  EXPECT_EQ(decide({nullptr, grant}, partner_user, "DescribeVault", true), verdict::allowed);
  EXPECT_EQ(decide({grant, nullptr}, partner_user, "DescribeVault", true), verdict::allowed);
  EXPECT_EQ(decide({nullptr, grant}, partner_user, "DeleteVault", true), verdict::no_allow);
}

TEST(vault_authorizer, a_lock_deny_wins_over_an_access_allow) {
  const vault_policies policies{
      parsed(
          R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:DescribeVault","Resource":"*"}]})"),
      parsed(
          R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*"}]})")};
  const auto id = *find_action("DescribeVault");
  glacier_request_context context(partner_user, glacier_actions()[id]);
  const request_view request{partner_user, lower_action_names()[id], arn, context, id};
  const auto result = authorize(policies, request, true);
  EXPECT_EQ(result.verdict, verdict::explicit_deny);
  EXPECT_EQ(result.source, "vault lock policy");
}

TEST(vault_authorizer, an_access_policy_deny_wins_over_a_lock_allow) {
  const vault_policies policies{
      parsed(
          R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*"}]})"),
      parsed(
          R"({"Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"glacier:DeleteVault","Resource":"*"}]})")};
  EXPECT_EQ(decide(policies, owner_user, "DeleteVault", false), verdict::explicit_deny);
  EXPECT_EQ(decide(policies, partner_user, "DeleteVault", true), verdict::allowed);
  EXPECT_EQ(decide(policies, owner_user, "DescribeVault", false), verdict::allowed);
}

TEST(request_context, archive_age_is_whole_days_rounded_down_on_the_given_clock) {
  const auto& deletes = glacier_actions()[*find_action("DeleteArchive")];
  glacier_request_context context(owner_user, deletes);
  context.archive_created = time_point(duration(0));
  std::vector<std::string> out;
  context.now = time_point(duration(365LL * 86400000 - 1));
  ASSERT_TRUE(context.lookup("glacier:archiveageindays", out));
  EXPECT_EQ(out, std::vector<std::string>{"364"});
  out.clear();
  context.now = time_point(duration(365LL * 86400000));
  ASSERT_TRUE(context.lookup("glacier:archiveageindays", out));
  EXPECT_EQ(out, std::vector<std::string>{"365"});
  // Only DeleteArchive and InitiateJob carry the key.
  glacier_request_context other(owner_user, glacier_actions()[*find_action("UploadArchive")]);
  other.archive_created = time_point(duration(0));
  EXPECT_FALSE(other.lookup("glacier:archiveageindays", out));
}

TEST(request_context, tags_principal_and_time_keys) {
  const auto& deletes = glacier_actions()[*find_action("DeleteArchive")];
  const vault_tags tags{{"LegalHold", "true"}};
  glacier_request_context context(owner_user, deletes);
  context.tags = &tags;
  context.now = time_point(duration(1704067200000));
  context.source_ip = "127.0.0.1";
  const auto value = [&](std::string_view key) {
    std::vector<std::string> out;
    return context.lookup(key, out) ? out.at(0) : std::string("<absent>");
  };
  EXPECT_EQ(value("glacier:resourcetag/legalhold"), "true");
  EXPECT_EQ(value("glacier:resourcetag/other"), "<absent>");
  EXPECT_EQ(value("aws:currenttime"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(value("aws:epochtime"), "1704067200");
  EXPECT_EQ(value("aws:securetransport"), "false");
  EXPECT_EQ(value("aws:sourceip"), "127.0.0.1");
  EXPECT_EQ(value("aws:principalaccount"), "111111111111");
  EXPECT_EQ(value("aws:principalarn"), "arn:aws:iam::111111111111:user/alice");
  EXPECT_EQ(value("aws:principaltype"), "User");
  EXPECT_EQ(value("aws:username"), "alice");
  EXPECT_EQ(value("aws:userid"), "AIDAalice");
  EXPECT_EQ(value("aws:multifactorauthpresent"), "<absent>");
  const auto root = root_caller("AKID", "111111111111");
  glacier_request_context as_root(root, deletes);
  std::vector<std::string> out;
  EXPECT_FALSE(as_root.lookup("aws:username", out));
  ASSERT_TRUE(as_root.lookup("aws:principalarn", out));
  EXPECT_EQ(out.at(0), "arn:aws:iam::111111111111:root");
}

TEST(policy_cache, keeps_parsed_policies_for_one_revision_of_a_vault) {
  policy_cache cache;
  const std::string a =
      R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:*","Resource":"*"}]})";
  const std::string b =
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*"}]})";
  EXPECT_FALSE(cache.find("arn:v"));
  const auto first = cache.put("arn:v", 1, &a, nullptr);
  ASSERT_NE(first.lock, nullptr);
  EXPECT_EQ(first.access, nullptr);
  const auto again = cache.find("arn:v");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->revision, 1U);
  EXPECT_EQ(again->policies.lock, first.lock);
  // Another revision replaces the entry.
  const auto second = cache.put("arn:v", 2, nullptr, &b);
  ASSERT_NE(second.access, nullptr);
  EXPECT_EQ(second.access->statements.at(0).effect, effect::allow);
  EXPECT_EQ(cache.find("arn:v")->revision, 2U);
  EXPECT_EQ(cache.find("arn:v")->policies.lock, nullptr);
  EXPECT_FALSE(cache.find("arn:other"));
  // A stored text that does not parse is not enforced (and was logged).
  const std::string bad = "not a policy";
  EXPECT_EQ(cache.put("arn:v", 3, &bad, nullptr).lock, nullptr);
}

}  // namespace
}  // namespace glacier::auth
