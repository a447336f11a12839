// What an S3Location becomes on each PutObject.
#include "glacier/jobs/select/s3_headers.hpp"

#include <gtest/gtest.h>

#include <map>

#include "glacier/aws/s3_client.hpp"
#include "select_test_support.hpp"

namespace glacier::testing {
namespace {

std::multimap<std::string, std::string> headers_for(const nlohmann::json& s3) {
  const auto request = read_select_request(
      {{"Expression", "SELECT * FROM archive"}, {"ExpressionType", "SQL"}}, {{"S3", s3}});
  const auto list = select::put_object_headers(request.location);
  return {list.begin(), list.end()};
}

TEST(s3_headers, a_plain_location_adds_nothing) {
  EXPECT_TRUE(headers_for({{"BucketName", "b-1"}, {"Prefix", "p"}}).empty());
}

TEST(s3_headers, every_member_becomes_its_header) {
  const auto h = headers_for(
      {{"BucketName", "b-1"},
       {"Prefix", "p"},
       {"Encryption",
        {{"EncryptionType", "aws:kms"}, {"KMSKeyId", "key-1"}, {"KMSContext", R"({"a":"b"})"}}},
       {"AccessControlList",
        {{{"Grantee", {{"Type", "CanonicalUser"}, {"ID", "abc"}}}, {"Permission", "READ"}},
         {{"Grantee", {{"Type", "AmazonCustomerByEmail"}, {"EmailAddress", "a@b.c"}}},
          {"Permission", "READ"}},
         {{"Grantee", {{"Type", "Group"}, {"URI", "http://acs/AllUsers"}}},
          {"Permission", "FULL_CONTROL"}}}},
       {"Tagging", {{"team", "data eng"}, {"k&", "v="}}},
       {"UserMetadata", {{"source", "glacier"}}},
       {"StorageClass", "STANDARD_IA"}});
  const std::multimap<std::string, std::string> expected = {
      {"x-amz-server-side-encryption", "aws:kms"},
      {"x-amz-server-side-encryption-aws-kms-key-id", "key-1"},
      {"x-amz-server-side-encryption-context", "eyJhIjoiYiJ9"},
      {"x-amz-grant-read", "id=\"abc\", emailAddress=\"a@b.c\""},
      {"x-amz-grant-full-control", "uri=\"http://acs/AllUsers\""},
      {"x-amz-tagging", "k%26=v%3D&team=data%20eng"},
      {"x-amz-meta-source", "glacier"},
      {"x-amz-storage-class", "STANDARD_IA"},
  };
  EXPECT_EQ(h, expected);
}

TEST(s3_headers, a_canned_acl) {
  EXPECT_EQ(headers_for({{"BucketName", "b-1"}, {"Prefix", "p"}, {"CannedACL", "private"}}),
            (std::multimap<std::string, std::string>{{"x-amz-acl", "private"}}));
}

TEST(s3_path, encodes_all_but_unreserved_characters_and_slashes) {
  EXPECT_EQ(s3_path_encode("out/run 1/job+id~x_y.z-"), "out/run%201/job%2Bid~x_y.z-");
  EXPECT_EQ(s3_path_encode("caf\xc3\xa9"), "caf%C3%A9");
}

}  // namespace
}  // namespace glacier::testing
