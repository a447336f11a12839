// Select jobs through the api layer: InitiateJob's validation of SelectParameters and
// OutputLocation, what DescribeJob and ListJobs show, the run on the (synchronous) select
// worker, and the objects the admin API serves.
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

using json = nlohmann::json;

const std::string csv = "name,qty\nwidget,600\ngadget,20\n\"bolt, large\",900\n";

class select_job_api : public ::testing::Test {
 protected:
  void SetUp() override {
    h.create_vault("v");
    archive_id = h.upload("v", csv);
  }

  json body(const json& select = default_select(), const json& location = default_location()) {
    json b{{"Type", "select"}, {"ArchiveId", archive_id}};
    if (!select.is_null()) b["SelectParameters"] = select;
    if (!location.is_null()) b["OutputLocation"] = location;
    return b;
  }
  static json default_select() {
    return {{"Expression", "SELECT s._1 FROM archive s WHERE CAST(s._2 AS INT) > 100"},
            {"ExpressionType", "SQL"},
            {"InputSerialization", {{"csv", {{"FileHeaderInfo", "IGNORE"}}}}},
            {"OutputSerialization", {{"csv", json::object()}}}};
  }
  static json default_location() {
    return {{"S3", {{"BucketName", "results-bucket"}, {"Prefix", "out/run1"}}}};
  }
  http::response post(const json& b) { return h.send("POST", "/-/vaults/v/jobs", b.dump()); }
  void expect_invalid(const json& b, const std::string& message) {
    expect_error(post(b), 400, "InvalidParameterValueException", message);
  }
  void expect_missing(const json& b, const std::string& name) {
    expect_error(post(b), 400, "MissingParameterValueException",
                 "Required parameter missing: " + name, true);
  }
  json admin(const std::string& target) {
    return api_harness::json(h.send("GET", target, "", {}, false));
  }

  api_harness h;
  std::string archive_id;
};

TEST_F(select_job_api, is_accepted_with_the_output_path_header) {
  const auto r = post(body());
  ASSERT_EQ(r.status, 202u) << r.body;
  const auto id = r.headers.at("x-amz-job-id");
  EXPECT_EQ(r.headers.at("x-amz-job-output-path"), "out/run1/" + id + "/");
  EXPECT_EQ(r.headers.at("Location"), "/123456789012/vaults/v/jobs/" + id);
}

TEST_F(select_job_api, a_prefix_ending_in_a_slash_gets_no_second_one) {
  auto location = default_location();
  location["S3"]["Prefix"] = "out/";
  const auto r = post(body(default_select(), location));
  ASSERT_EQ(r.status, 202u) << r.body;
  EXPECT_EQ(r.headers.at("x-amz-job-output-path"), "out/" + r.headers.at("x-amz-job-id") + "/");
}

TEST_F(select_job_api, describe_job_shows_the_select_members_and_nulls_the_archive_ones) {
  const auto id = h.initiate("v", body().dump());
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["Action"], "Select");
  EXPECT_EQ(d["ArchiveId"], archive_id);
  EXPECT_EQ(d["StatusCode"], "InProgress");
  EXPECT_EQ(d["Tier"], "Standard");
  for (const char* key :
       {"ArchiveSizeInBytes", "ArchiveSHA256TreeHash", "SHA256TreeHash", "RetrievalByteRange",
        "InventorySizeInBytes", "InventoryRetrievalParameters"}) {
    EXPECT_TRUE(d[key].is_null()) << key;
  }
  EXPECT_EQ(d["JobOutputPath"], "out/run1/" + id + "/");
  EXPECT_EQ(d["SelectParameters"], default_select());
  EXPECT_EQ(d["OutputLocation"], default_location());
  const auto listed = api_harness::json(h.send("GET", "/-/vaults/v/jobs"));
  ASSERT_EQ(listed["JobList"].size(), 1u);
  EXPECT_EQ(listed["JobList"][0], d);
}

TEST_F(select_job_api, runs_when_due_and_keeps_the_documented_objects) {
  const auto id = h.initiate("v", body().dump());
  h.advance(duration(60'000));
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["StatusCode"], "Succeeded") << d.dump();
  EXPECT_EQ(d["StatusMessage"], "Succeeded");
  EXPECT_EQ(d["Completed"], true);

  const auto listing = admin("/_mock/jobs/" + id + "/select-output");
  EXPECT_EQ(listing["delivery"], "kept");
  EXPECT_EQ(listing["bucket"], "results-bucket");
  const std::string path = "out/run1/" + id + "/";
  std::vector<std::string> keys;
  for (const auto& o : listing["objects"]) keys.push_back(o["key"]);
  EXPECT_EQ(keys, (std::vector<std::string>{path + "job.txt", path + "results/part-00000.csv",
                                            path + "result_manifest.txt"}));

  const auto result =
      h.send("GET", "/_mock/jobs/" + id + "/select-output?key=" + keys[1], "", {}, false);
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.headers.at("Content-Type"), "text/csv");
  EXPECT_EQ(result.payload(), "widget\n\"bolt, large\"\n");
  const auto manifest =
      h.send("GET", "/_mock/jobs/" + id + "/select-output?key=result_manifest.txt", "", {}, false);
  EXPECT_EQ(manifest.payload(), "s3://results-bucket/" + keys[1] + "\n");
  // job.txt is the job as DescribeJob showed it when it was initiated.
  const auto job_txt = json::parse(
      h.send("GET", "/_mock/jobs/" + id + "/select-output?key=job.txt", "", {}, false).payload());
  EXPECT_EQ(job_txt["JobId"], id);
  EXPECT_EQ(job_txt["StatusCode"], "InProgress");
  EXPECT_EQ(job_txt["SelectParameters"], default_select());
}

TEST_F(select_job_api, a_query_that_fails_ends_the_job_failed_with_error_objects) {
  auto select = default_select();
  select["Expression"] = "SELECT CAST(s._1 AS INT) FROM archive s";
  const auto id = h.initiate("v", body(select).dump());
  h.advance(duration(60'000));
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["StatusCode"], "Failed");
  const std::string message = d["StatusMessage"];
  EXPECT_EQ(message.rfind("CastFailed: ", 0), 0u) << message;
  const auto listing = admin("/_mock/jobs/" + id + "/select-output");
  const std::string path = "out/run1/" + id + "/";
  std::vector<std::string> keys;
  for (const auto& o : listing["objects"]) keys.push_back(o["key"]);
  EXPECT_EQ(keys, (std::vector<std::string>{path + "job.txt", path + "errors/error-00000.json",
                                            path + "error_manifest.txt"}));
  const auto error = json::parse(
      h.send("GET", "/_mock/jobs/" + id + "/select-output?key=" + keys[1], "", {}, false)
          .payload());
  EXPECT_EQ(error["ErrorCode"], "CastFailed");
}

TEST_F(select_job_api, a_non_csv_archive_ends_the_job_failed) {
  const auto binary = h.upload("v", std::string("\x1f\x8b\x08\x00\xff\xfe\x00\x01", 8));
  auto b = body();
  b["ArchiveId"] = binary;
  const auto id = h.initiate("v", b.dump());
  h.advance(duration(60'000));
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["StatusCode"], "Failed");
  const std::string message = d["StatusMessage"];
  EXPECT_EQ(message.rfind("InvalidTextEncoding: ", 0), 0u) << message;
}

TEST_F(select_job_api, an_archive_deleted_before_the_run_fails_the_job) {
  const auto id = h.initiate("v", body().dump());
  ASSERT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + archive_id).status, 204u);
  h.advance(duration(60'000));
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["StatusCode"], "Failed");
  EXPECT_NE(d["StatusMessage"].get<std::string>().find("deleted"), std::string::npos);
}

TEST_F(select_job_api, the_admin_complete_endpoint_runs_it_now) {
  const auto id = h.initiate("v", body().dump());
  EXPECT_EQ(h.send("POST", "/_mock/jobs/" + id + "/complete", "", {}, false).status, 200u);
  h.parts.select_jobs.run_pending();
  EXPECT_EQ(h.describe("v", id)["StatusCode"], "Succeeded");
}

TEST_F(select_job_api, get_job_output_points_to_s3) {
  const auto id = h.initiate("v", body().dump());
  h.advance(duration(60'000));
  expect_error(h.send("GET", "/-/vaults/v/jobs/" + id + "/output"), 400,
               "InvalidParameterValueException", "s3://results-bucket/out/run1/" + id + "/");
}

TEST_F(select_job_api, notifies_its_sns_topic_when_complete) {
  auto b = body();
  b["SNSTopic"] = "arn:aws:sns:us-east-1:123456789012:selects";
  const auto id = h.initiate("v", b.dump());
  h.advance(duration(60'000));
  const auto records = h.notifications.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].topic_arn, "arn:aws:sns:us-east-1:123456789012:selects");
  EXPECT_EQ(json::parse(records[0].message)["StatusCode"], "Succeeded");
  EXPECT_EQ(json::parse(records[0].message)["JobId"], id);
}

TEST_F(select_job_api, state_shows_the_select_output) {
  const auto id = h.initiate("v", body().dump());
  const auto before = admin("/_mock/state");
  const auto& pending = before["accounts"][0]["vaults"][0]["select_outputs"][0];
  EXPECT_EQ(pending["job_id"], id);
  EXPECT_EQ(pending["delivery"], "pending");
  h.advance(duration(60'000));
  const auto after = admin("/_mock/state");
  EXPECT_EQ(after["accounts"][0]["vaults"][0]["select_outputs"][0]["delivery"], "kept");
}

TEST_F(select_job_api, the_admin_output_endpoint_refuses_what_it_does_not_have) {
  expect_error(h.send("GET", "/_mock/jobs/nope/select-output", "", {}, false), 404,
               "ResourceNotFoundException", "The job ID was not found: nope");
  const auto inventory = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  expect_error(h.send("GET", "/_mock/jobs/" + inventory + "/select-output", "", {}, false), 400,
               "InvalidParameterValueException", "not a select job");
  const auto id = h.initiate("v", body().dump());
  h.advance(duration(60'000));
  expect_error(h.send("GET", "/_mock/jobs/" + id + "/select-output?key=nothing", "", {}, false),
               404, "ResourceNotFoundException", "no output object nothing");
}

// InitiateJob's validation, one rule per test.

TEST_F(select_job_api, requires_the_archive_id) {
  auto b = body();
  b.erase("ArchiveId");
  expect_invalid(b, "ArchiveId is required for select jobs");
}

TEST_F(select_job_api, refuses_an_unknown_archive) {
  auto b = body();
  b["ArchiveId"] = "nope";
  expect_error(post(b), 404, "ResourceNotFoundException", "The archive ID was not found: nope");
}

TEST_F(select_job_api, refuses_a_retrieval_byte_range) {
  auto b = body();
  b["RetrievalByteRange"] = "0-1048575";
  expect_invalid(b, "RetrievalByteRange is not allowed for select jobs");
}

TEST_F(select_job_api, refuses_format_and_inventory_parameters) {
  auto b = body();
  b["Format"] = "CSV";
  expect_invalid(b, "Format is only valid for inventory-retrieval jobs, not select");
  b = body();
  b["InventoryRetrievalParameters"] = {{"Limit", "1"}};
  expect_invalid(b, "InventoryRetrievalParameters is only valid for inventory-retrieval jobs");
}

TEST_F(select_job_api, requires_select_parameters_and_output_location) {
  expect_missing(body(nullptr), "SelectParameters");
  expect_missing(body(default_select(), nullptr), "OutputLocation");
}

TEST_F(select_job_api, other_jobs_refuse_select_members) {
  expect_invalid({{"Type", "archive-retrieval"},
                  {"ArchiveId", archive_id},
                  {"SelectParameters", default_select()}},
                 "SelectParameters is only valid for select jobs, not archive-retrieval");
  expect_invalid({{"Type", "inventory-retrieval"}, {"OutputLocation", default_location()}},
                 "OutputLocation is only valid for select jobs, not inventory-retrieval");
}

TEST_F(select_job_api, requires_expression_and_expression_type) {
  auto select = default_select();
  select.erase("Expression");
  expect_missing(body(select), "Expression");
  select = default_select();
  select.erase("ExpressionType");
  expect_missing(body(select), "ExpressionType");
  select = default_select();
  select["ExpressionType"] = "XPATH";
  expect_invalid(body(select), "Invalid ExpressionType: XPATH. Valid values are: SQL");
  select = default_select();
  select["Expression"] = "";
  expect_invalid(body(select), "Invalid Expression: it must not be empty");
  select["Expression"] = "SELECT * FROM archive WHERE s._1 = '" + std::string(128'000, 'x') + "'";
  expect_invalid(body(select), "the limit is 128000 characters");
}

TEST_F(select_job_api, checks_the_sql_at_initiation) {
  auto select = default_select();
  select["Expression"] = "SELECT COUNT(*) FROM archive";
  expect_invalid(body(select), "Invalid Expression: UnsupportedFunction: ");
  select["Expression"] = "SELECT * FROM archive LIMIT 1";
  expect_invalid(body(select), "Invalid Expression: UnsupportedSyntax: LIMIT");
  select["Expression"] = "SELECT s.name FROM archive s";
  expect_invalid(body(select), "Invalid Expression: EvaluatorBindingDoesNotExist: ");
  select["InputSerialization"]["csv"]["FileHeaderInfo"] = "USE";
  EXPECT_EQ(post(body(select)).status, 202u);
}

TEST_F(select_job_api, validates_the_csv_members) {
  auto select = default_select();
  select["InputSerialization"]["csv"]["FileHeaderInfo"] = "SOMETIMES";
  expect_invalid(body(select),
                 "Invalid FileHeaderInfo: SOMETIMES. Valid values are: USE, IGNORE, NONE");
  select["InputSerialization"]["csv"]["FileHeaderInfo"] = "Use";  // as the docs write it
  select["Expression"] = "SELECT s.name FROM archive s";
  EXPECT_EQ(post(body(select)).status, 202u);
  select = default_select();
  select["InputSerialization"]["csv"]["FieldDelimiter"] = "||";
  expect_invalid(body(select),
                 "Invalid FieldDelimiter: \"||\". It must be a single ASCII character");
  select["InputSerialization"]["csv"]["FieldDelimiter"] = "\x01";
  expect_invalid(body(select), "Invalid FieldDelimiter: it must be");
  select["InputSerialization"]["csv"]["FieldDelimiter"] = "\n";
  expect_invalid(body(select), "FieldDelimiter and RecordDelimiter must differ");
  select = default_select();
  select["OutputSerialization"]["csv"]["QuoteFields"] = "NEVER";
  expect_invalid(body(select), "Invalid QuoteFields: NEVER. Valid values are: ALWAYS, ASNEEDED");
  select = default_select();
  select["InputSerialization"]["csv"]["Comments"] = 5;
  expect_error(post(body(select)), 400, "SerializationException", "Comments");
  select = default_select();
  select["InputSerialization"] = "csv";
  expect_error(post(body(select)), 400, "SerializationException", "InputSerialization");
}

TEST_F(select_job_api, validates_the_s3_location) {
  auto location = default_location();
  location["S3"].erase("BucketName");
  expect_missing(body(default_select(), location), "BucketName");
  location = default_location();
  location["S3"].erase("Prefix");
  expect_missing(body(default_select(), location), "Prefix");
  expect_missing(body(default_select(), json::object()), "S3");
  location = default_location();
  location["S3"]["BucketName"] = "Not_A_Bucket";
  expect_invalid(body(default_select(), location), "Invalid BucketName: Not_A_Bucket");
  location = default_location();
  location["S3"]["Prefix"] = std::string(513, 'p');
  expect_invalid(body(default_select(), location), "the limit is 512 bytes");
  location = default_location();
  location["S3"]["Encryption"] = {{"EncryptionType", "rot13"}};
  expect_invalid(body(default_select(), location),
                 "Invalid EncryptionType: rot13. Valid values are: aws:kms, AES256");
  location["S3"]["Encryption"] = {{"EncryptionType", "AES256"}, {"KMSKeyId", "k"}};
  expect_invalid(body(default_select(), location), "KMSKeyId is only valid with EncryptionType");
  location = default_location();
  location["S3"]["CannedACL"] = "everyone";
  expect_invalid(body(default_select(), location), "Invalid CannedACL: everyone");
  location = default_location();
  location["S3"]["StorageClass"] = "GLACIER";
  expect_invalid(body(default_select(), location),
                 "Invalid StorageClass: GLACIER. Valid values are: STANDARD, REDUCED_REDUNDANCY, "
                 "STANDARD_IA");
  location = default_location();
  location["S3"]["AccessControlList"] = {{{"Permission", "READ"}, {"Grantee", {{"ID", "x"}}}}};
  expect_missing(body(default_select(), location), "Grantee.Type");
  location["S3"]["AccessControlList"][0]["Grantee"] = {{"Type", "CanonicalUser"}};
  expect_missing(body(default_select(), location), "Grantee.ID");
  location["S3"]["AccessControlList"][0]["Grantee"] = {{"Type", "Group"}, {"URI", "u"}};
  location["S3"]["AccessControlList"][0]["Permission"] = "ALL";
  expect_invalid(body(default_select(), location), "Invalid Permission: ALL");
  location = default_location();
  json tags = json::object();
  for (int i = 0; i < 11; ++i) tags["k" + std::to_string(i)] = "v";
  location["S3"]["Tagging"] = tags;
  expect_invalid(body(default_select(), location), "at most 10 tags");
  location = default_location();
  location["S3"]["UserMetadata"] = {{"bad key", "v"}};
  expect_invalid(body(default_select(), location), "Invalid UserMetadata");
}

TEST_F(select_job_api, echoes_every_output_location_member) {
  auto location = default_location();
  location["S3"]["Encryption"] = {{"EncryptionType", "aws:kms"}, {"KMSKeyId", "key-1"}};
  location["S3"]["AccessControlList"] = {
      {{"Grantee", {{"Type", "CanonicalUser"}, {"ID", "abc"}}}, {"Permission", "READ"}}};
  location["S3"]["Tagging"] = {{"team", "data"}};
  location["S3"]["UserMetadata"] = {{"source", "glacier"}};
  location["S3"]["StorageClass"] = "STANDARD_IA";
  const auto id = h.initiate("v", body(default_select(), location).dump());
  EXPECT_EQ(h.describe("v", id)["OutputLocation"], location);
}

}  // namespace
}  // namespace glacier::testing
