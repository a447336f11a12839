// Vault operations through the dispatcher.
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

TEST(create_vault, answers_201_with_location_and_is_idempotent) {
  api_harness h;
  for (int i = 0; i < 2; ++i) {
    const auto r = h.send("PUT", "/-/vaults/my.vault_1-x");
    EXPECT_EQ(r.status, 201u);
    EXPECT_EQ(r.headers.at("Location"), "/123456789012/vaults/my.vault_1-x");
    EXPECT_TRUE(r.body.empty());
  }
}

TEST(create_vault, rejects_invalid_names) {
  api_harness h;
  expect_error(h.send("PUT", "/-/vaults/bad%20name"), 400, "InvalidParameterValueException",
               "Invalid vault name: bad name");
  expect_error(h.send("PUT", "/-/vaults/" + std::string(256, 'a')), 400,
               "InvalidParameterValueException", "Invalid vault name");
  EXPECT_EQ(h.send("PUT", "/-/vaults/" + std::string(255, 'a')).status, 201u);
}

TEST(describe_vault, reports_live_counts) {
  api_harness h;
  h.create_vault("v");
  auto d = api_harness::json(h.send("GET", "/-/vaults/v"));
  EXPECT_EQ(d["VaultName"], "v");
  EXPECT_EQ(d["VaultARN"], "arn:aws:glacier:us-east-1:123456789012:vaults/v");
  EXPECT_EQ(d["CreationDate"], "2024-01-01T00:00:00.000Z");
  EXPECT_TRUE(d["LastInventoryDate"].is_null());
  EXPECT_EQ(d["NumberOfArchives"], 0);
  EXPECT_EQ(d["SizeInBytes"], 0);
  h.upload("v", "hello");
  h.upload("v", "world!");
  d = api_harness::json(h.send("GET", "/-/vaults/v"));
  EXPECT_EQ(d["NumberOfArchives"], 2);
  EXPECT_EQ(d["SizeInBytes"], 11);
}

TEST(describe_vault, unknown_or_invalid_vault_is_404) {
  api_harness h;
  expect_error(h.send("GET", "/-/vaults/nope"), 404, "ResourceNotFoundException",
               "Vault not found for ARN: arn:aws:glacier:us-east-1:123456789012:vaults/nope", true);
  expect_error(h.send("GET", "/-/vaults/a:b"), 404, "ResourceNotFoundException",
               "Vault not found for ARN: a:b", true);
}

TEST(list_vaults, pages_by_name_with_arn_markers) {
  api_harness h;
  for (const char* name : {"d", "a", "c", "b", "e"}) h.create_vault(name);
  auto r = api_harness::json(h.send("GET", "/-/vaults?limit=2"));
  ASSERT_EQ(r["VaultList"].size(), 2u);
  EXPECT_EQ(r["VaultList"][0]["VaultName"], "a");
  EXPECT_EQ(r["VaultList"][1]["VaultName"], "b");
  EXPECT_EQ(r["Marker"], "arn:aws:glacier:us-east-1:123456789012:vaults/b");
  r = api_harness::json(h.send(
      "GET",
      "/-/vaults?limit=2&marker=arn%3Aaws%3Aglacier%3Aus-east-1%3A123456789012%3Avaults%2Fb"));
  EXPECT_EQ(r["VaultList"][0]["VaultName"], "c");
  r = api_harness::json(
      h.send("GET", "/-/vaults?marker=arn:aws:glacier:us-east-1:123456789012:vaults/d"));
  ASSERT_EQ(r["VaultList"].size(), 1u);
  EXPECT_TRUE(r["Marker"].is_null());
}

TEST(list_vaults, an_empty_marker_lists_from_the_start) {
  api_harness h;
  for (const char* name : {"b", "a", "c"}) h.create_vault(name);
  const auto r = h.send("GET", "/-/vaults?marker=&limit=1");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto body = api_harness::json(r);
  ASSERT_EQ(body["VaultList"].size(), 1u);
  EXPECT_EQ(body["VaultList"][0]["VaultName"], "a");
  EXPECT_EQ(body["Marker"], "arn:aws:glacier:us-east-1:123456789012:vaults/a");
}

TEST(list_vaults, defaults_to_ten_and_validates_limit) {
  api_harness h;
  for (int i = 0; i < 12; ++i) h.create_vault("v" + std::to_string(100 + i));
  const auto r = api_harness::json(h.send("GET", "/-/vaults"));
  EXPECT_EQ(r["VaultList"].size(), 10u);
  EXPECT_FALSE(r["Marker"].is_null());
  for (const char* bad : {"0", "", "x", "-1", "99999999999999999999999"}) {
    expect_error(h.send("GET", std::string("/-/vaults?limit=") + bad), 400,
                 "InvalidParameterValueException", std::string("Invalid limit: ") + bad);
  }
}

// AWS answered limit=1000 with 10 vaults and a marker (github.com/aws/aws-sdk-net/issues/895).
TEST(list_vaults, a_limit_above_ten_lists_ten) {
  api_harness h;
  for (int i = 0; i < 12; ++i) h.create_vault("v" + std::to_string(100 + i));
  for (const char* limit : {"11", "1000"}) {
    const auto r = h.send("GET", std::string("/-/vaults?limit=") + limit);
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto body = api_harness::json(r);
    EXPECT_EQ(body["VaultList"].size(), 10u);
    EXPECT_EQ(body["Marker"], "arn:aws:glacier:us-east-1:123456789012:vaults/v109");
  }
}

TEST(delete_vault, refuses_a_vault_with_archives) {
  api_harness h;
  h.create_vault("v");
  const auto id = h.upload("v", "data");
  expect_error(h.send("DELETE", "/-/vaults/v"), 400, "InvalidParameterValueException",
               "Vault not empty or recently written to: "
               "arn:aws:glacier:us-east-1:123456789012:vaults/v",
               true);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + id).status, 204u);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v").status, 204u);
  EXPECT_EQ(h.send("GET", "/-/vaults/v").status, 404u);
}

}  // namespace
}  // namespace glacier::testing
