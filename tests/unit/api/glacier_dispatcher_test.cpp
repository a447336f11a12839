// Pre-checks every request goes through: version, account, region, ids, unknown routes.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

TEST(dispatcher, requires_the_version_header) {
  api_harness h;
  const auto r = h.send("GET", "/-/vaults", "", {}, false);
  expect_error(r, 400, "MissingParameterValueException", "Required parameter missing: API version",
               true);
  EXPECT_EQ(r.body,
            R"({"code":"MissingParameterValueException","message":"Required parameter missing: )"
            R"(API version","type":"Client"})");
  EXPECT_EQ(r.body.size(), 109u);
}

TEST(dispatcher, rejects_another_version) {
  api_harness h;
  expect_error(h.send("GET", "/-/vaults", "", {{"x-amz-glacier-version", "2011-01-01"}}, false),
               400, "InvalidParameterValueException", "Invalid API version: 2011-01-01");
}

TEST(dispatcher, sets_request_id_and_date_on_every_response) {
  api_harness h;
  for (const auto& r :
       {h.send("GET", "/-/vaults"), h.send("GET", "/-/vaults/none"), h.send("GET", "/nowhere")}) {
    EXPECT_EQ(r.headers.at("x-amzn-RequestId").size(), 47u);
    EXPECT_EQ(r.headers.at("x-amzn-RequestId"), r.request_id);
    EXPECT_EQ(r.headers.at("Date"), "Mon, 01 Jan 2024 00:00:00 GMT");
  }
}

TEST(dispatcher, resolves_dash_to_a_12_digit_access_key_or_the_default_account) {
  api_harness h;
  const http::header_map signed_by_account{
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=111122223333/20240101/eu-west-1/glacier/aws4_request, "
       "SignedHeaders=host, Signature=abc"}};
  const auto r = h.send("PUT", "/-/vaults/v", "", signed_by_account);
  EXPECT_EQ(r.headers.at("Location"), "/111122223333/vaults/v");
  const auto d = api_harness::json(h.send("GET", "/111122223333/vaults/v", "", signed_by_account));
  EXPECT_EQ(d["VaultARN"], "arn:aws:glacier:eu-west-1:111122223333:vaults/v");
  // Same account, other region: another namespace.
  EXPECT_EQ(h.send("GET", "/111122223333/vaults/v").status, 404u);
  const http::header_map signed_by_name{
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/glacier/"
       "aws4_request, SignedHeaders=host, Signature=abc"}};
  EXPECT_EQ(h.send("PUT", "/-/vaults/v", "", signed_by_name).headers.at("Location"),
            "/123456789012/vaults/v");
}

TEST(dispatcher, rejects_an_account_that_is_neither_dash_nor_12_digits) {
  api_harness h;
  expect_error(h.send("GET", "/1234-5678-9012/vaults"), 400, "InvalidParameterValueException",
               "Invalid account ID: 1234-5678-9012");
}

TEST(dispatcher, unknown_path_is_a_json_404_and_wrong_method_a_json_405) {
  api_harness h;
  expect_error(h.send("GET", "/-/nothing/here"), 404, "ResourceNotFoundException",
               "No operation matches GET /-/nothing/here", true);
  expect_error(h.send("PATCH", "/-/vaults/v"), 405, "MethodNotAllowedException",
               "The method PATCH is not allowed on /-/vaults/v", true);
}

TEST(dispatcher, names_the_operation_for_the_access_log) {
  api_harness h;
  EXPECT_EQ(h.send("PUT", "/-/vaults/v").operation, "CreateVault");
  EXPECT_EQ(h.send("GET", "/-/vaults").operation, "ListVaults");
  EXPECT_EQ(h.send("GET", "/-/vaults/v/jobs").operation, "ListJobs");
}

TEST(dispatcher, health_needs_no_glacier_headers) {
  api_harness h;
  const auto r = h.send("GET", "/_mock/health", "", {}, false);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(api_harness::json(r)["status"], "ok");
}

TEST(dispatcher, admin_false_answers_every_mock_path_as_an_unknown_path) {
  api_harness h;
  h.cfg.admin = false;
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/_mock/health"},
                                                        {"POST", "/_mock/reset"},
                                                        {"GET", "/_mock/state"},
                                                        {"GET", "/_mock/ui"},
                                                        {"POST", "/_mock/clock/advance"},
                                                        {"GET", "/_mock/vaults"}}) {
    const auto r = h.send(method, target, "", {}, false);
    expect_error(r, 404, "ResourceNotFoundException",
                 "No operation matches " + method + " " + target, true);
    EXPECT_EQ(r.operation, "") << target;
  }
  // The Glacier API itself is untouched.
  EXPECT_EQ(h.send("PUT", "/-/vaults/v").status, 201u);
}

}  // namespace
}  // namespace glacier::testing
