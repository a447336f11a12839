// Every InitiateJob validation rule: the bad value, then status, code and message.
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {


class initiate_job : public ::testing::Test {
 protected:
  void SetUp() override {
    h.create_vault("v");
    archive_id = h.upload("v", pattern_bytes(3 * mib + 100));
  }

  http::response post(const std::string& body) { return h.send("POST", "/-/vaults/v/jobs", body); }
  http::response post_archive_job(const std::string& extra) {
    return post(R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"" + extra + "}");
  }
  void expect_invalid(const http::response& r, const std::string& message_part) {
    expect_error(r, 400, "InvalidParameterValueException", message_part);
  }

  api_harness h;
  std::string archive_id;
};

TEST_F(initiate_job, accepts_an_inventory_job_and_answers_202_with_location) {
  const auto r = post(R"({"Type":"inventory-retrieval"})");
  ASSERT_EQ(r.status, 202u) << r.body;
  const auto id = r.headers.at("x-amz-job-id");
  EXPECT_EQ(id.size(), 92u);
  EXPECT_EQ(
      id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(r.headers.at("Location"), "/123456789012/vaults/v/jobs/" + id);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(initiate_job, rejects_malformed_json) {
  expect_error(post("{\"Type\": "), 400, "SerializationException", "not valid JSON");
}

TEST_F(initiate_job, rejects_a_non_object_body) {
  expect_error(post("[1,2]"), 400, "SerializationException", "JSON object");
  expect_error(post("\"inventory-retrieval\""), 400, "SerializationException", "JSON object");
}

TEST_F(initiate_job, rejects_a_field_of_the_wrong_type) {
  expect_error(post(R"({"Type":5})"), 400, "SerializationException", "Type");
  expect_error(post(R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":"x"})"), 400,
               "SerializationException", "InventoryRetrievalParameters");
}

TEST_F(initiate_job, requires_type) {
  expect_error(post(R"({"Tier":"Bulk"})"), 400, "MissingParameterValueException",
               "Required parameter missing: Type", true);
}

TEST_F(initiate_job, rejects_an_unknown_type) {
  expect_invalid(post(R"({"Type":"foo"})"),
                 "Invalid job type: foo. Valid values are: archive-retrieval, "
                 "inventory-retrieval, select");
}

TEST_F(initiate_job, takes_select_as_a_type_that_needs_select_parameters) {
  expect_error(post(R"({"Type":"select","ArchiveId":")" + archive_id + "\"}"), 400,
               "MissingParameterValueException", "Required parameter missing: SelectParameters",
               true);
}

TEST_F(initiate_job, rejects_an_unknown_tier) {
  expect_invalid(post_archive_job(R"(,"Tier":"Fast")"),
                 "Invalid Tier: Fast. Valid values are: Expedited, Standard, Bulk");
}

TEST_F(initiate_job, requires_archive_id_for_archive_retrieval) {
  expect_invalid(post(R"({"Type":"archive-retrieval"})"), "ArchiveId is required");
  expect_invalid(post(R"({"Type":"archive-retrieval","ArchiveId":""})"), "ArchiveId is required");
}

TEST_F(initiate_job, forbids_archive_id_for_inventory) {
  expect_invalid(post(R"({"Type":"inventory-retrieval","ArchiveId":")" + archive_id + "\"}"),
                 "ArchiveId is not allowed for inventory-retrieval");
}

TEST_F(initiate_job, answers_404_for_an_unknown_archive) {
  expect_error(post(R"({"Type":"archive-retrieval","ArchiveId":"nope"})"), 404,
               "ResourceNotFoundException", "The archive ID was not found: nope", true);
}

// Archive ids are bound to their vault: AWS names the vault of the request.
TEST_F(initiate_job, refuses_an_archive_of_another_vault) {
  h.create_vault("other");
  expect_error(h.send("POST", "/-/vaults/other/jobs",
                      R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"}"),
               400, "InvalidParameterValueException",
               "Invalid vault name: arn:aws:glacier:us-east-1:123456789012:vaults/other", true);
  // Through another account's vault of the same name too.
  h.send("PUT", "/111122223333/vaults/v");
  expect_error(h.send("POST", "/111122223333/vaults/v/jobs",
                      R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"}"),
               400, "InvalidParameterValueException",
               "Invalid vault name: arn:aws:glacier:us-east-1:111122223333:vaults/v", true);
  EXPECT_TRUE(api_harness::json(h.send("GET", "/-/vaults/other/jobs"))["JobList"].empty());
}

TEST_F(initiate_job, rejects_a_description_that_is_too_long_or_not_printable) {
  expect_invalid(
      post(R"({"Type":"inventory-retrieval","Description":")" + std::string(1025, 'a') + "\"}"),
      "Invalid Description");
  expect_invalid(post(R"({"Type":"inventory-retrieval","Description":"tab\there"})"),
                 "Invalid Description");
  EXPECT_EQ(
      post(R"({"Type":"inventory-retrieval","Description":")" + std::string(1024, 'a') + "\"}")
          .status,
      202u);
}

TEST_F(initiate_job, rejects_an_unknown_format_and_format_on_archive_jobs) {
  expect_invalid(post(R"({"Type":"inventory-retrieval","Format":"XML"})"),
                 "Invalid Format: XML. Valid values are: CSV, JSON");
  expect_invalid(post_archive_job(R"(,"Format":"CSV")"), "Format is only valid for inventory");
}

TEST_F(initiate_job, rejects_a_malformed_retrieval_byte_range) {
  for (const char* bad : {"abc", "1-", "-5", "5-1", "1 - 2"}) {
    expect_invalid(post_archive_job(std::string(R"(,"RetrievalByteRange":")") + bad + "\""),
                   std::string("Invalid RetrievalByteRange: ") + bad);
  }
}

TEST_F(initiate_job, rejects_a_range_not_starting_on_a_mebibyte) {
  expect_invalid(post_archive_job(R"(,"RetrievalByteRange":"1-1048575")"),
                 "start of the range must be a multiple of 1 MiB");
}

TEST_F(initiate_job, rejects_a_range_not_ending_on_a_mebibyte_or_the_archive_end) {
  expect_invalid(post_archive_job(R"(,"RetrievalByteRange":"0-1048574")"),
                 "Invalid RetrievalByteRange: 0-1048574");
}

TEST_F(initiate_job, rejects_a_range_past_the_end_of_the_archive) {
  expect_invalid(post_archive_job(R"(,"RetrievalByteRange":"0-4194303")"),
                 "less than the archive size");
}

TEST_F(initiate_job, accepts_aligned_ranges_and_the_archive_end) {
  EXPECT_EQ(post_archive_job(R"(,"RetrievalByteRange":"1048576-2097151")").status, 202u);
  const auto end = std::to_string(3 * mib + 99);
  EXPECT_EQ(post_archive_job(R"(,"RetrievalByteRange":"2097152-)" + end + "\"").status, 202u);
}

TEST_F(initiate_job, forbids_a_range_on_inventory_jobs) {
  expect_invalid(post(R"({"Type":"inventory-retrieval","RetrievalByteRange":"0-1048575"})"),
                 "RetrievalByteRange is not allowed for inventory-retrieval");
}

TEST_F(initiate_job, rejects_an_sns_topic_that_is_not_a_topic_arn) {
  for (const char* bad :
       {"topic", "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sns:us-east-1:1234:topic",
        "arn:aws:sns:us-east-1:123456789012:", "arn:aws:sns:us-east-1:123456789012:bad name"}) {
    expect_invalid(post(std::string(R"({"Type":"inventory-retrieval","SNSTopic":")") + bad + "\"}"),
                   std::string("Invalid SNSTopic: ") + bad);
  }
  EXPECT_EQ(
      post(R"({"Type":"inventory-retrieval","SNSTopic":"arn:aws:sns:eu-west-1:123456789012:t-1"})")
          .status,
      202u);
}

TEST_F(initiate_job, rejects_bad_inventory_dates) {
  expect_invalid(post(R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":)"
                      R"({"StartDate":"yesterday"}})"),
                 "Invalid StartDate: yesterday");
  expect_invalid(post(R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":)"
                      R"({"EndDate":"2013-02-30T00:00:00Z"}})"),
                 "Invalid EndDate: 2013-02-30T00:00:00Z");
  expect_invalid(post(R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":)"
                      R"({"StartDate":"2014-01-01T00:00:00Z","EndDate":"2013-01-01T00:00:00Z"}})"),
                 "StartDate 2014-01-01T00:00:00Z must be before EndDate");
}

TEST_F(initiate_job, rejects_a_limit_that_is_not_a_positive_integer) {
  for (const char* bad : {"0", "-1", "ten", "1.5"}) {
    expect_invalid(post(std::string(R"({"Type":"inventory-retrieval",)") +
                        R"("InventoryRetrievalParameters":{"Limit":")" + bad + "\"}}"),
                   std::string("Invalid Limit: ") + bad);
  }
}

TEST_F(initiate_job, rejects_a_marker_it_did_not_hand_out) {
  expect_invalid(post(R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":)"
                      R"({"Marker":"garbage"}})"),
                 "Invalid Marker: garbage");
}

TEST_F(initiate_job, forbids_inventory_parameters_on_archive_jobs) {
  expect_invalid(post_archive_job(R"(,"InventoryRetrievalParameters":{"Limit":"1"})"),
                 "InventoryRetrievalParameters is only valid for inventory-retrieval");
}

TEST_F(initiate_job, answers_404_for_an_unknown_vault) {
  expect_error(h.send("POST", "/-/vaults/nope/jobs", R"({"Type":"inventory-retrieval"})"), 404,
               "ResourceNotFoundException",
               "Vault not found for ARN: arn:aws:glacier:us-east-1:123456789012:vaults/nope", true);
}

TEST_F(initiate_job, accepts_the_query_parameter_form) {
  const auto r = h.send("POST",
                        "/-/vaults/v/jobs?Type=inventory-retrieval&Format=CSV&Limit=5"
                        "&StartDate=2013-01-01T00:00:00Z");
  ASSERT_EQ(r.status, 202u) << r.body;
  const auto d = h.describe("v", r.headers.at("x-amz-job-id"));
  EXPECT_EQ(d["InventoryRetrievalParameters"]["Format"], "CSV");
  EXPECT_EQ(d["InventoryRetrievalParameters"]["Limit"], "5");
  EXPECT_EQ(d["InventoryRetrievalParameters"]["StartDate"], "2013-01-01T00:00:00Z");
}

TEST_F(initiate_job, validates_the_query_form_with_the_same_errors) {
  expect_invalid(h.send("POST", "/-/vaults/v/jobs?Type=foo"), "Invalid job type: foo");
  expect_invalid(h.send("POST", "/-/vaults/v/jobs?Type=inventory-retrieval&Limit=0"),
                 "Invalid Limit: 0");
  expect_error(h.send("POST", "/-/vaults/v/jobs"), 400, "MissingParameterValueException", "Type");
}

TEST_F(initiate_job, ignores_the_query_when_the_body_is_json) {
  const auto r = h.send("POST", "/-/vaults/v/jobs?Type=foo", R"({"Type":"inventory-retrieval"})");
  EXPECT_EQ(r.status, 202u) << r.body;
}

}  // namespace
}  // namespace glacier::testing
