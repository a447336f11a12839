// Account-level operations and their enforcement on InitiateJob, driven by the clock.
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {


class account : public ::testing::Test {
 protected:
  void SetUp() override {
    h.create_vault("v");
    archive_id = h.upload("v", pattern_bytes(2 * mib));
  }
  http::response retrieve(const std::string& tier) {
    return h.send("POST", "/-/vaults/v/jobs",
                  R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + R"(","Tier":")" +
                      tier + "\"}");
  }
  http::response set_policy(const std::string& rule) {
    return h.send("PUT", "/-/policies/data-retrieval", R"({"Policy":{"Rules":[)" + rule + "]}}");
  }
  api_harness h;
  std::string archive_id;
};

TEST_F(account, retrieval_policy_defaults_to_none_and_round_trips) {
  auto got = api_harness::json(h.send("GET", "/-/policies/data-retrieval"));
  EXPECT_EQ(got["Policy"]["Rules"][0]["Strategy"], "None");
  EXPECT_EQ(set_policy(R"({"Strategy":"BytesPerHour","BytesPerHour":10737418240})").status, 204u);
  got = api_harness::json(h.send("GET", "/-/policies/data-retrieval"));
  EXPECT_EQ(got["Policy"]["Rules"][0]["Strategy"], "BytesPerHour");
  EXPECT_EQ(got["Policy"]["Rules"][0]["BytesPerHour"], 10737418240ULL);
}

TEST_F(account, retrieval_policy_is_validated) {
  expect_error(set_policy(R"({"Strategy":"BytesPerHour"})"), 400, "InvalidParameterValueException",
               "BytesPerHour is required");
  expect_error(set_policy(R"({"Strategy":"FreeTier","BytesPerHour":5})"), 400,
               "InvalidParameterValueException", "only allowed when the Strategy is BytesPerHour");
  expect_error(set_policy(R"({"Strategy":"BytesPerHour","BytesPerHour":0})"), 400,
               "InvalidParameterValueException", "Invalid BytesPerHour: 0");
  expect_error(set_policy(R"({"Strategy":"Lots"})"), 400, "InvalidParameterValueException",
               "Invalid Strategy: Lots");
  expect_error(set_policy(R"({"Strategy":"None"},{"Strategy":"None"})"), 400,
               "InvalidParameterValueException", "exactly one rule");
}

TEST_F(account, bytes_per_hour_refuses_retrievals_over_the_limit_for_an_hour) {
  ASSERT_EQ(set_policy(R"({"Strategy":"BytesPerHour","BytesPerHour":5242880})").status, 204u);
  EXPECT_EQ(retrieve("Standard").status, 202u);  // 2 MiB
  EXPECT_EQ(retrieve("Standard").status, 202u);  // 4 MiB
  expect_error(retrieve("Standard"), 400, "PolicyEnforcedException",
               "InitiateJob request denied by current data retrieval policy.", true);
  EXPECT_EQ(retrieve("Expedited").status, 202u);  // not subject to the policy
  h.advance(duration(3600LL * 1000));
  EXPECT_EQ(retrieve("Standard").status, 202u);
}

// The developer guide: a data retrieval policy applies only to Standard retrievals.
TEST_F(account, bulk_retrievals_are_neither_refused_nor_counted_by_a_policy) {
  ASSERT_EQ(set_policy(R"({"Strategy":"BytesPerHour","BytesPerHour":1048576})").status, 204u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(retrieve("Bulk").status, 202u);  // 2 MiB each
  expect_error(retrieve("Standard"), 400, "PolicyEnforcedException",
               "InitiateJob request denied by current data retrieval policy.", true);
  ASSERT_EQ(set_policy(R"({"Strategy":"BytesPerHour","BytesPerHour":2097152})").status, 204u);
  EXPECT_EQ(retrieve("Standard").status, 202u);  // the Bulk bytes did not count
  h.cfg.free_tier_bytes_per_day = 1;
  ASSERT_EQ(set_policy(R"({"Strategy":"FreeTier"})").status, 204u);
  EXPECT_EQ(retrieve("Bulk").status, 202u);
  EXPECT_EQ(retrieve("Standard").status, 400u);
}

TEST_F(account, free_tier_uses_the_daily_allowance) {
  h.cfg.free_tier_bytes_per_day = 3 * mib;
  ASSERT_EQ(set_policy(R"({"Strategy":"FreeTier"})").status, 204u);
  EXPECT_EQ(retrieve("Standard").status, 202u);
  EXPECT_EQ(retrieve("Standard").status, 400u);
  h.advance(duration(23LL * 3600 * 1000));
  EXPECT_EQ(retrieve("Standard").status, 400u);
  h.advance(duration(3600LL * 1000));
  EXPECT_EQ(retrieve("Standard").status, 202u);
}

TEST_F(account, provisioned_capacity_lasts_a_month_and_is_limited_to_two) {
  const auto first = h.send("POST", "/-/provisioned-capacity");
  ASSERT_EQ(first.status, 201u);
  EXPECT_EQ(first.headers.at("x-amz-capacity-id").size(), 24u);
  EXPECT_EQ(h.send("POST", "/-/provisioned-capacity").status, 201u);
  expect_error(h.send("POST", "/-/provisioned-capacity"), 400, "LimitExceededException",
               "at most 2");
  const auto list = api_harness::json(h.send("GET", "/-/provisioned-capacity"));
  ASSERT_EQ(list["ProvisionedCapacityList"].size(), 2u);
  EXPECT_EQ(list["ProvisionedCapacityList"][0]["CapacityId"],
            first.headers.at("x-amz-capacity-id"));
  EXPECT_EQ(list["ProvisionedCapacityList"][0]["StartDate"], "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(list["ProvisionedCapacityList"][0]["ExpirationDate"], "2024-02-01T00:00:00.000Z");
}

TEST_F(account, expedited_capacity_is_on_demand_allowance_plus_three_per_unit) {
  h.cfg.expedited_on_demand_per_5min = 1;
  EXPECT_EQ(retrieve("Expedited").status, 202u);
  const auto refused = retrieve("Expedited");
  expect_error(refused, 503, "InsufficientCapacityException", "not enough capacity");
  EXPECT_NE(refused.body.find("\"type\":\"Server\""), std::string::npos);
  EXPECT_EQ(retrieve("Standard").status, 202u);  // only Expedited needs capacity
  ASSERT_EQ(h.send("POST", "/-/provisioned-capacity").status, 201u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(retrieve("Expedited").status, 202u);
  EXPECT_EQ(retrieve("Expedited").status, 503u);
  h.advance(duration(5LL * 60 * 1000));
  EXPECT_EQ(retrieve("Expedited").status, 202u);
}

TEST_F(account, expedited_capacity_is_unlimited_by_default) {
  for (int i = 0; i < 20; ++i) EXPECT_EQ(retrieve("Expedited").status, 202u);
}

}  // namespace
}  // namespace glacier::testing
