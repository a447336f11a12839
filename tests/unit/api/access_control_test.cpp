// Vault Lock and vault access policies applied to the requests they govern (spec Part 3B).
#include "glacier/api/access_control.hpp"

#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

constexpr long long day_ms = 24LL * 3600 * 1000;
const std::string vault_arn = "arn:aws:glacier:us-east-1:123456789012:vaults/v";
const std::string root_arn = "arn:aws:iam::123456789012:root";

// The body of SetVaultAccessPolicy / InitiateVaultLock for a policy document.
std::string policy_body(const nlohmann::json& statements) {
  const nlohmann::json document{{"Version", "2012-10-17"}, {"Statement", statements}};
  return nlohmann::json{{"Policy", document.dump()}}.dump();
}

// Developer Guide, vault-lock-policy Example 1: deny deletes of archives younger than a year.
nlohmann::json compliance_statement() {
  return {{"Sid", "deny-young-deletes"},
          {"Principal", "*"},
          {"Effect", "Deny"},
          {"Action", "glacier:DeleteArchive"},
          {"Resource", vault_arn},
          {"Condition", {{"NumericLessThan", {{"glacier:ArchiveAgeInDays", "365"}}}}}};
}

nlohmann::json deny(const std::string& action) {
  return {{"Principal", "*"}, {"Effect", "Deny"}, {"Action", action}, {"Resource", vault_arn}};
}

// A Deny of `action` on the vault, for everyone, under `condition`.
nlohmann::json deny_if(const std::string& action, nlohmann::json condition) {
  auto statement = deny(action);
  statement["Condition"] = std::move(condition);
  return statement;
}

class access_control : public ::testing::Test {
 protected:
  void SetUp() override { h.create_vault("v"); }

  // InitiateVaultLock with these statements; returns the lock id.
  std::string start_lock(const nlohmann::json& statement) {
    const auto r =
        h.send("POST", "/-/vaults/v/lock-policy", policy_body(nlohmann::json::array({statement})));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.headers.contains("x-amz-lock-id") ? r.headers.at("x-amz-lock-id") : "";
  }

  void lock_vault(const nlohmann::json& statement) {
    const auto lock_id = start_lock(statement);
    ASSERT_EQ(h.send("POST", "/-/vaults/v/lock-policy/" + lock_id).status, 204u);
  }

  void set_access_policy(const nlohmann::json& statements) {
    const auto r = h.send("PUT", "/-/vaults/v/access-policy", policy_body(statements));
    ASSERT_EQ(r.status, 204u) << r.body;
  }

  void expect_denied(const http::response& r, const std::string& iam_action) {
    expect_error(r, 403, "AccessDeniedException",
                 "User: " + root_arn + " is not authorized to perform: " + iam_action +
                     " on resource: " + vault_arn +
                     " with an explicit deny in a resource-based policy",
                 true);
    // The authorization layer writes its message first, as AWS's front end does.
    EXPECT_EQ(r.body.rfind("{\"message\":", 0), 0u) << r.body;
  }

  api_harness h;
};

TEST_F(access_control, a_compliance_lock_refuses_young_deletes_until_the_clock_passes_a_year) {
  const auto archive = h.upload("v", "compliance record");
  lock_vault(compliance_statement());
  expect_denied(h.send("DELETE", "/-/vaults/v/archives/" + archive), "glacier:DeleteArchive");
  h.advance(duration(364 * day_ms));
  expect_denied(h.send("DELETE", "/-/vaults/v/archives/" + archive), "glacier:DeleteArchive");
  h.advance(duration(day_ms));
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + archive).status, 204u);
  EXPECT_NE(h.metrics.exposition().find(
                "glacier_access_denied_total{operation=\"DeleteArchive\",reason=\"vault lock "
                "policy\"} 2"),
            std::string::npos)
      << h.metrics.exposition();
}

TEST_F(access_control, a_lock_applies_while_in_progress_and_not_after_it_expires) {
  const auto archive = h.upload("v", "record");
  start_lock(compliance_statement());
  expect_denied(h.send("DELETE", "/-/vaults/v/archives/" + archive), "glacier:DeleteArchive");
  // An InProgress lock that is not completed within 24 hours goes, with its policy.
  h.advance(duration(day_ms));
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + archive).status, 204u);
}

TEST_F(access_control, an_aborted_lock_no_longer_applies) {
  const auto archive = h.upload("v", "record");
  start_lock(compliance_statement());
  expect_denied(h.send("DELETE", "/-/vaults/v/archives/" + archive), "glacier:DeleteArchive");
  ASSERT_EQ(h.send("DELETE", "/-/vaults/v/lock-policy").status, 204u);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + archive).status, 204u);
}

TEST_F(access_control, the_access_policy_applies_from_set_until_deleted) {
  set_access_policy(nlohmann::json::array({deny("glacier:Describe*")}));
  expect_denied(h.send("GET", "/-/vaults/v"), "glacier:DescribeVault");
  EXPECT_EQ(h.send("GET", "/-/vaults/v/tags").status, 200u);
  ASSERT_EQ(h.send("DELETE", "/-/vaults/v/access-policy").status, 204u);
  EXPECT_EQ(h.send("GET", "/-/vaults/v").status, 200u);
  EXPECT_NE(h.metrics.exposition().find(
                "glacier_access_denied_total{operation=\"DescribeVault\",reason=\"vault access "
                "policy\"} 1"),
            std::string::npos);
}

TEST_F(access_control, a_replaced_access_policy_takes_effect_at_once) {
  set_access_policy(nlohmann::json::array({deny("glacier:DescribeVault")}));
  expect_denied(h.send("GET", "/-/vaults/v"), "glacier:DescribeVault");
  set_access_policy(nlohmann::json::array({deny("glacier:ListTagsForVault")}));
  EXPECT_EQ(h.send("GET", "/-/vaults/v").status, 200u);
  expect_denied(h.send("GET", "/-/vaults/v/tags"), "glacier:ListTagsForVault");
}

TEST_F(access_control, a_vault_created_again_does_not_inherit_the_old_vaults_policy) {
  set_access_policy(nlohmann::json::array({deny("glacier:DescribeVault")}));
  expect_denied(h.send("GET", "/-/vaults/v"), "glacier:DescribeVault");
  ASSERT_EQ(h.send("DELETE", "/-/vaults/v").status, 204u);
  h.create_vault("v");
  EXPECT_EQ(h.send("GET", "/-/vaults/v").status, 200u);
}

TEST_F(access_control, a_legal_hold_tag_blocks_deletes_while_it_is_set) {
  const auto archive = h.upload("v", "held");
  nlohmann::json hold = deny("glacier:DeleteArchive");
  hold["Condition"] = {{"StringLike", {{"glacier:ResourceTag/LegalHold", {"true", ""}}}}};
  lock_vault(hold);
  EXPECT_EQ(
      h.send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"LegalHold":"true"}})").status,
      204u);
  expect_denied(h.send("DELETE", "/-/vaults/v/archives/" + archive), "glacier:DeleteArchive");
  EXPECT_EQ(
      h.send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"LegalHold":"false"}})").status,
      204u);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + archive).status, 204u);
}

TEST_F(access_control, archive_age_applies_to_initiate_job_of_the_named_archive) {
  const auto archive = h.upload("v", "young");
  set_access_policy(nlohmann::json::array({deny_if(
      "glacier:InitiateJob", {{"NumericLessThan", {{"glacier:ArchiveAgeinDays", "30"}}}})}));
  const std::string retrieval =
      R"({"Type":"archive-retrieval","ArchiveId":")" + archive + R"(","Tier":"Bulk"})";
  expect_denied(h.send("POST", "/-/vaults/v/jobs", retrieval), "glacier:InitiateJob");
  // An inventory job names no archive, so the key is absent and NumericLessThan is false.
  EXPECT_EQ(h.send("POST", "/-/vaults/v/jobs", R"({"Type":"inventory-retrieval"})").status, 202u);
  // The query-parameter form names the archive too (spec Part 1 §2).
  expect_denied(h.send("POST", "/-/vaults/v/jobs?Type=archive-retrieval&ArchiveId=" + archive),
                "glacier:InitiateJob");
  h.advance(duration(30 * day_ms));
  EXPECT_EQ(h.send("POST", "/-/vaults/v/jobs", retrieval).status, 202u);
}

TEST_F(access_control, current_time_is_the_mock_clocks) {
  set_access_policy(nlohmann::json::array({deny_if(
      "glacier:DeleteVault", {{"DateLessThan", {{"aws:CurrentTime", "2025-01-01T00:00:00Z"}}}})}));
  expect_denied(h.send("DELETE", "/-/vaults/v"), "glacier:DeleteVault");
  h.advance(duration(367 * day_ms));
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v").status, 204u);
}

TEST_F(access_control, source_ip_is_the_clients_address) {
  set_access_policy(nlohmann::json::array(
      {deny_if("glacier:DescribeVault", {{"NotIpAddress", {{"aws:SourceIp", "10.0.0.0/8"}}}})}));
  const auto from = [&](const std::string& address) {
    http::request r;
    r.method = "GET";
    r.target = "/-/vaults/v";
    r.headers.emplace("x-amz-glacier-version", "2012-06-01");
    r.remote_address = address;
    return h.dispatcher.handle(std::move(r));
  };
  EXPECT_EQ(from("10.1.2.3").status, 200u);
  expect_denied(from("127.0.0.1"), "glacier:DescribeVault");
}

TEST_F(access_control, a_statement_for_another_principal_or_vault_does_not_apply) {
  nlohmann::json other_user = deny("glacier:DescribeVault");
  other_user["Principal"] = {{"AWS", "arn:aws:iam::123456789012:user/bob"}};
  nlohmann::json other_vault = deny("glacier:DescribeVault");
  other_vault["Resource"] = "arn:aws:glacier:us-east-1:123456789012:vaults/other";
  set_access_policy(nlohmann::json::array({other_user, other_vault}));
  EXPECT_EQ(h.send("GET", "/-/vaults/v").status, 200u);
}

TEST_F(access_control, the_access_log_names_the_caller) {
  const auto r = h.send("GET", "/-/vaults/v");
  EXPECT_EQ(r.principal, root_arn);
  const auto own = h.send("GET", "/-/vaults", "",
                          {{"Authorization",
                            "AWS4-HMAC-SHA256 Credential=210987654321/20240101/eu-west-1/glacier/"
                            "aws4_request, SignedHeaders=host, Signature=00"}});
  EXPECT_EQ(own.principal, "arn:aws:iam::210987654321:root");
}

TEST(access_control_setting, an_unsupported_policy_is_refused_naming_it_and_changes_nothing) {
  api_harness h;
  h.create_vault("v");
  nlohmann::json statement = deny("glacier:DeleteArchive");
  statement["Condition"] = {{"StringSounds", {{"aws:username", "bob"}}}};
  const auto body = policy_body(nlohmann::json::array({statement}));
  expect_error(h.send("PUT", "/-/vaults/v/access-policy", body), 400,
               "InvalidParameterValueException",
               "The specified vault access policy is invalid. Provide a valid policy. "
               "Unsupported condition operator: StringSounds",
               true);
  expect_error(h.send("GET", "/-/vaults/v/access-policy"), 404, "ResourceNotFoundException",
               "No vault access policy");
  statement["Condition"] = {{"StringEquals", {{"s3:prefix", "x"}}}};
  expect_error(
      h.send("POST", "/-/vaults/v/lock-policy", policy_body(nlohmann::json::array({statement}))),
      400, "InvalidParameterValueException", "s3:prefix");
  expect_error(h.send("GET", "/-/vaults/v/lock-policy"), 404, "ResourceNotFoundException",
               "No vault lock policy");
  nlohmann::json extra = deny("glacier:DeleteArchive");
  extra["Principals"] = "*";
  expect_error(
      h.send("PUT", "/-/vaults/v/access-policy", policy_body(nlohmann::json::array({extra}))), 400,
      "InvalidParameterValueException", "Unsupported policy element: Principals");
}

TEST(access_control_setting, enforcement_can_be_turned_off) {
  config cfg;
  cfg.enforce_policies = false;
  api_harness h(cfg);
  h.create_vault("v");
  const auto body = policy_body(nlohmann::json::array({deny("glacier:DescribeVault")}));
  ASSERT_EQ(h.send("PUT", "/-/vaults/v/access-policy", body).status, 204u);
  EXPECT_EQ(h.send("GET", "/-/vaults/v").status, 200u);
}

TEST(access_control_messages, follow_aws_wording) {
  auth::caller alice;
  alice.arn = "arn:aws:iam::111122223333:user/alice";
  EXPECT_EQ(api::explicit_deny_message(alice, "glacier:DeleteVault",
                                       "arn:aws:glacier:eu-west-1:111122223333:vaults/x"),
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
            "glacier:DeleteVault on resource: arn:aws:glacier:eu-west-1:111122223333:vaults/x "
            "with an explicit deny in a resource-based policy");
  EXPECT_EQ(api::account_denied_message("444455556666"),
            "Access denied for account ID: 444455556666");
}

}  // namespace
}  // namespace glacier::testing
