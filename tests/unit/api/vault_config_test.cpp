// Vault subresources: access policy, notifications, lock and tags.
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

const std::string policy_body = R"({"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"})";

class vault_config : public ::testing::Test {
 protected:
  void SetUp() override { h.create_vault("v"); }
  api_harness h;
};

TEST_F(vault_config, access_policy_set_get_delete) {
  expect_error(h.send("GET", "/-/vaults/v/access-policy"), 404, "ResourceNotFoundException",
               "No vault access policy is set");
  EXPECT_EQ(h.send("PUT", "/-/vaults/v/access-policy", policy_body).status, 204u);
  const auto got = api_harness::json(h.send("GET", "/-/vaults/v/access-policy"));
  EXPECT_EQ(got["Policy"], R"({"Version":"2012-10-17","Statement":[]})");
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/access-policy").status, 204u);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/access-policy").status, 204u);
  EXPECT_EQ(h.send("GET", "/-/vaults/v/access-policy").status, 404u);
}

TEST_F(vault_config, access_policy_is_validated) {
  expect_error(h.send("PUT", "/-/vaults/v/access-policy", "{}"), 400,
               "MissingParameterValueException", "Required parameter missing: Policy", true);
  expect_error(h.send("PUT", "/-/vaults/v/access-policy", R"({"Policy":"not json"})"), 400,
               "InvalidParameterValueException", "JSON policy document");
  const std::string huge = R"({"Policy":"{\"a\":\")" + std::string(20 * 1024, 'x') + R"(\"}"})";
  expect_error(h.send("PUT", "/-/vaults/v/access-policy", huge), 400,
               "InvalidParameterValueException", "20 KB");
  expect_error(h.send("PUT", "/-/vaults/v/access-policy", "nope"), 400, "SerializationException",
               "not valid JSON");
}

TEST_F(vault_config, notifications_set_get_delete) {
  expect_error(h.send("GET", "/-/vaults/v/notification-configuration"), 404,
               "ResourceNotFoundException", "No notification configuration");
  const std::string body =
      R"({"SNSTopic":"arn:aws:sns:us-east-1:123456789012:t","Events":["ArchiveRetrievalCompleted"]})";
  EXPECT_EQ(h.send("PUT", "/-/vaults/v/notification-configuration", body).status, 204u);
  const auto got = api_harness::json(h.send("GET", "/-/vaults/v/notification-configuration"));
  EXPECT_EQ(got["SNSTopic"], "arn:aws:sns:us-east-1:123456789012:t");
  EXPECT_EQ(got["Events"], nlohmann::json::array({"ArchiveRetrievalCompleted"}));
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/notification-configuration").status, 204u);
  EXPECT_EQ(h.send("GET", "/-/vaults/v/notification-configuration").status, 404u);
}

TEST_F(vault_config, notifications_are_validated) {
  expect_error(h.send("PUT", "/-/vaults/v/notification-configuration",
                      R"({"SNSTopic":"topic","Events":["ArchiveRetrievalCompleted"]})"),
               400, "InvalidParameterValueException", "Invalid SNSTopic: topic");
  expect_error(h.send("PUT", "/-/vaults/v/notification-configuration",
                      R"({"SNSTopic":"arn:aws:sns:us-east-1:123456789012:t","Events":["Done"]})"),
               400, "InvalidParameterValueException", "Invalid Events: \"Done\"");
  expect_error(h.send("PUT", "/-/vaults/v/notification-configuration",
                      R"({"SNSTopic":"arn:aws:sns:us-east-1:123456789012:t"})"),
               400, "MissingParameterValueException", "Events");
}

TEST_F(vault_config, lock_goes_in_progress_then_locked) {
  const auto r = h.send("POST", "/-/vaults/v/lock-policy", policy_body);
  ASSERT_EQ(r.status, 201u) << r.body;
  const auto lock_id = r.headers.at("x-amz-lock-id");
  EXPECT_EQ(lock_id.size(), 24u);
  auto lock = api_harness::json(h.send("GET", "/-/vaults/v/lock-policy"));
  EXPECT_EQ(lock["State"], "InProgress");
  EXPECT_EQ(lock["ExpirationDate"], "2024-01-02T00:00:00.000Z");
  EXPECT_EQ(lock["CreationDate"], "2024-01-01T00:00:00.000Z");
  expect_error(h.send("POST", "/-/vaults/v/lock-policy", policy_body), 403, "AccessDeniedException",
               "already in progress");
  expect_error(h.send("POST", "/-/vaults/v/lock-policy/WRONGWRONGWRONGWRONGWRON"), 400,
               "InvalidParameterValueException", "Invalid lock ID");
  EXPECT_EQ(h.send("POST", "/-/vaults/v/lock-policy/" + lock_id).status, 204u);
  EXPECT_EQ(h.send("POST", "/-/vaults/v/lock-policy/" + lock_id).status, 204u);
  lock = api_harness::json(h.send("GET", "/-/vaults/v/lock-policy"));
  EXPECT_EQ(lock["State"], "Locked");
  EXPECT_TRUE(lock["ExpirationDate"].is_null());
  expect_error(h.send("POST", "/-/vaults/v/lock-policy/WRONGWRONGWRONGWRONGWRON"), 403,
               "AccessDeniedException", "another lock ID");
  expect_error(h.send("DELETE", "/-/vaults/v/lock-policy"), 403, "AccessDeniedException",
               "cannot be aborted");
  expect_error(h.send("POST", "/-/vaults/v/lock-policy", policy_body), 403, "AccessDeniedException",
               "locked");
}

TEST_F(vault_config, an_in_progress_lock_expires_after_24_hours_and_abort_is_idempotent) {
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/lock-policy").status, 204u);
  ASSERT_EQ(h.send("POST", "/-/vaults/v/lock-policy", policy_body).status, 201u);
  h.advance(duration(24LL * 3600 * 1000));
  expect_error(h.send("GET", "/-/vaults/v/lock-policy"), 404, "ResourceNotFoundException",
               "No vault lock policy");
  ASSERT_EQ(h.send("POST", "/-/vaults/v/lock-policy", policy_body).status, 201u);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/lock-policy").status, 204u);
  EXPECT_EQ(h.send("GET", "/-/vaults/v/lock-policy").status, 404u);
}

TEST_F(vault_config, tags_add_overwrite_remove_and_list) {
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v/tags"))["Tags"], nlohmann::json::object());
  EXPECT_EQ(
      h.send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"a":"1","b":"2"}})").status,
      204u);
  EXPECT_EQ(h.send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"a":"x"}})").status, 204u);
  EXPECT_EQ(h.send("POST", "/-/vaults/v/tags?operation=remove", R"({"TagKeys":["b","zz"]})").status,
            204u);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v/tags"))["Tags"],
            nlohmann::json({{"a", "x"}}));
  expect_error(h.send("POST", "/-/vaults/v/tags?operation=nope", "{}"), 400,
               "InvalidParameterValueException", "Invalid operation: nope");
}

TEST_F(vault_config, tags_are_validated_and_limited_to_50) {
  expect_error(h.send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"aws:x":"1"}})"), 400,
               "InvalidParameterValueException", "may not start with aws:");
  expect_error(h.send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"a#":"1"}})"), 400,
               "InvalidParameterValueException", "Invalid tag key: a#");
  expect_error(h.send("POST", "/-/vaults/v/tags?operation=add",
                      R"({"Tags":{"k":")" + std::string(256, 'v') + "\"}}"),
               400, "InvalidParameterValueException", "Invalid tag value for key k");
  nlohmann::json tags = nlohmann::json::object();
  for (int i = 0; i < 50; ++i) tags["k" + std::to_string(i)] = "v";
  EXPECT_EQ(
      h.send("POST", "/-/vaults/v/tags?operation=add", nlohmann::json({{"Tags", tags}}).dump())
          .status,
      204u);
  expect_error(h.send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"one-more":"v"}})"),
               400, "LimitExceededException", "at most 50 tags");
}

}  // namespace
}  // namespace glacier::testing
