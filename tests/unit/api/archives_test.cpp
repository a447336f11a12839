// Archive operations through the dispatcher.
#include <gtest/gtest.h>

#include <cctype>

#include "glacier/aws/tree_hash.hpp"
#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

TEST(upload_archive, answers_201_with_id_location_and_tree_hash) {
  api_harness h;
  h.create_vault("v");
  const auto data = pattern_bytes(3 * 1024 * 1024 + 1);
  const auto r =
      h.send("POST", "/-/vaults/v/archives", data,
             with_content_sha256(data, {{"x-amz-sha256-tree-hash", to_hex(tree_hash(data))}}));
  ASSERT_EQ(r.status, 201u) << r.body;
  const auto id = r.headers.at("x-amz-archive-id");
  EXPECT_EQ(id.size(), 138u);
  EXPECT_EQ(r.headers.at("Location"), "/123456789012/vaults/v/archives/" + id);
  EXPECT_EQ(r.headers.at("x-amz-sha256-tree-hash"), to_hex(tree_hash(data)));
}

TEST(upload_archive, rejects_a_checksum_mismatch) {
  api_harness h;
  h.create_vault("v");
  const auto wrong = to_hex(sha256("other"));
  expect_error(h.send("POST", "/-/vaults/v/archives", "data",
                      with_content_sha256("data", {{"x-amz-sha256-tree-hash", wrong}})),
               400, "InvalidParameterValueException",
               "Checksum mismatch: expected " + wrong + ", computed " + to_hex(sha256("data")),
               true);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

TEST(upload_archive, validates_headers_and_size) {
  api_harness h;
  h.create_vault("v");
  const auto hash = to_hex(sha256("data"));
  expect_error(h.send("POST", "/-/vaults/v/archives", "data", with_content_sha256("data")), 400,
               "MissingParameterValueException", "x-amz-sha256-tree-hash");
  expect_error(
      h.send("POST", "/-/vaults/v/archives", "data",
             with_content_sha256("data", {{"x-amz-sha256-tree-hash", hash},
                                          {"x-amz-archive-description", std::string(1025, 'd')}})),
      400, "InvalidParameterValueException", "x-amz-archive-description");
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

// AWS reports a tree hash that is not 64 hex digits as a mismatch, echoing what was sent.
TEST(upload_archive, reports_a_malformed_tree_hash_as_a_checksum_mismatch) {
  api_harness h;
  h.create_vault("v");
  for (const auto& sent : {std::string("zz"), std::string(63, 'a'), std::string(64, 'g')}) {
    expect_error(h.send("POST", "/-/vaults/v/archives", "data",
                        with_content_sha256("data", {{"x-amz-sha256-tree-hash", sent}})),
                 400, "InvalidParameterValueException",
                 "Checksum mismatch: expected " + sent + ", computed " + to_hex(sha256("data")),
                 true);
  }
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

// Compared as text, as x-amz-content-sha256 is: the right digest in uppercase is a mismatch.
TEST(upload_archive, compares_the_tree_hash_as_lowercase_hex) {
  api_harness h;
  h.create_vault("v");
  auto upper = to_hex(sha256("data"));
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  expect_error(h.send("POST", "/-/vaults/v/archives", "data",
                      with_content_sha256("data", {{"x-amz-sha256-tree-hash", upper}})),
               400, "InvalidParameterValueException",
               "Checksum mismatch: expected " + upper + ", computed " + to_hex(sha256("data")),
               true);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

// Content-Length is required on UploadArchive (the developer guide's common request
// headers): a body sent chunked has none and is refused.
TEST(upload_archive, requires_content_length) {
  api_harness h;
  h.create_vault("v");
  expect_error(
      h.send("POST", "/-/vaults/v/archives", "data",
             with_content_sha256("data", {{"x-amz-sha256-tree-hash", to_hex(sha256("data"))},
                                          {"Transfer-Encoding", "chunked"}})),
      400, "MissingParameterValueException", "Required parameter missing: Content-Length", true);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

// AWS's wording, "Invalid Content-Length: 38505164800" in a public report, for both bounds.
TEST(upload_archive, refuses_an_empty_or_oversized_body_in_aws_words) {
  api_harness h;
  h.create_vault("v");
  expect_error(h.send("POST", "/-/vaults/v/archives", "",
                      with_content_sha256("", {{"x-amz-sha256-tree-hash", to_hex(sha256(""))}})),
               400, "InvalidParameterValueException", "Invalid Content-Length: 0", true);
  h.cfg.max_upload_bytes = 3;
  expect_error(
      h.send("POST", "/-/vaults/v/archives", "data",
             with_content_sha256("data", {{"x-amz-sha256-tree-hash", to_hex(sha256("data"))}})),
      400, "InvalidParameterValueException", "Invalid Content-Length: 4", true);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

TEST(upload_archive, refuses_past_the_total_archive_limit_without_storing) {
  api_harness h;
  h.cfg.max_total_archive_bytes = 10;
  h.create_vault("v");
  h.upload("v", "12345678");
  expect_error(
      h.send("POST", "/-/vaults/v/archives", "123",
             with_content_sha256("123", {{"x-amz-sha256-tree-hash", to_hex(sha256("123"))}})),
      400, "LimitExceededException", "max_total_archive_bytes");
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 1);
}

// Spec Part 3A.3: AWS's answer to a payload that is not what x-amz-content-sha256 says.
std::string content_hash_mismatch(const std::string& computed, const std::string& sent) {
  return "The value passed in as x-amz-content-sha256 does not match the computed payload "
         "hash. Computed digest: " +
         computed + " expected hash: " + sent;
}

TEST(upload_archive, refuses_a_body_that_is_not_what_x_amz_content_sha256_says) {
  api_harness h;
  h.create_vault("v");
  const auto data = pattern_bytes(2 * 1024 * 1024 + 5);
  const auto sent = to_hex(sha256("something else"));
  const auto r =
      h.send("POST", "/-/vaults/v/archives", data,
             {{"x-amz-sha256-tree-hash", to_hex(tree_hash(data))}, {"x-amz-content-sha256", sent}});
  expect_error(r, 403, "InvalidSignatureException",
               content_hash_mismatch(to_hex(sha256(data)), sent), true);
  // AWS's authentication layer writes message first.
  EXPECT_EQ(r.body.rfind(R"({"message":)", 0), 0u) << r.body;
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

TEST(upload_archive, refuses_a_malformed_x_amz_content_sha256_as_a_mismatch) {
  api_harness h;
  h.create_vault("v");
  expect_error(h.send("POST", "/-/vaults/v/archives", "data",
                      {{"x-amz-sha256-tree-hash", to_hex(sha256("data"))},
                       {"x-amz-content-sha256", "not-a-digest"}}),
               403, "InvalidSignatureException",
               content_hash_mismatch(to_hex(sha256("data")), "not-a-digest"), true);
}

TEST(upload_archive, requires_x_amz_content_sha256) {
  api_harness h;
  h.create_vault("v");
  expect_error(h.send("POST", "/-/vaults/v/archives", "data",
                      {{"x-amz-sha256-tree-hash", to_hex(sha256("data"))}}),
               400, "MissingParameterValueException",
               "Required parameter missing: x-amz-content-sha256", true);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

TEST(upload_archive, checks_the_payload_hash_before_the_vault_and_the_tree_hash) {
  api_harness h;
  const auto sent = to_hex(sha256("x"));
  // Authentication comes first: no vault, a bad tree hash, yet the answer is the 403.
  expect_error(h.send("POST", "/-/vaults/missing/archives", "data",
                      {{"x-amz-sha256-tree-hash", "zz"}, {"x-amz-content-sha256", sent}}),
               403, "InvalidSignatureException",
               content_hash_mismatch(to_hex(sha256("data")), sent), true);
}

TEST(delete_archive, is_idempotent) {
  api_harness h;
  h.create_vault("v");
  const auto id = h.upload("v", "data");
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + id).status, 204u);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + id).status, 204u);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/v"))["NumberOfArchives"], 0);
}

// Archive ids are bound to their vault (github.com/vsespb/mt-aws-glacier/issues/32).
TEST(delete_archive, refuses_an_archive_of_another_vault_and_keeps_it) {
  api_harness h;
  h.create_vault("a");
  h.create_vault("b");
  const auto id = h.upload("a", "data");
  expect_error(h.send("DELETE", "/-/vaults/b/archives/" + id), 400,
               "InvalidParameterValueException",
               "Invalid vault name: arn:aws:glacier:us-east-1:123456789012:vaults/b", true);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/a"))["NumberOfArchives"], 1);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/a/archives/" + id).status, 204u);
  EXPECT_EQ(api_harness::json(h.send("GET", "/-/vaults/a"))["NumberOfArchives"], 0);
}

}  // namespace
}  // namespace glacier::testing
