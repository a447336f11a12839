// The admin API under /_mock/: state, clock control, job control, notifications, faults.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

class admin : public ::testing::Test {
 protected:
  void SetUp() override { h.create_vault("v"); }
  http::response call(const std::string& method, const std::string& target, std::string body = "") {
    return h.send(method, target, std::move(body), {}, false);
  }
  api_harness h;
};

TEST_F(admin, advancing_the_clock_completes_due_jobs_with_their_due_time) {
  h.cfg.bulk_delay = duration(5 * 3600 * 1000);
  const auto id = h.initiate("v", R"({"Type":"inventory-retrieval","Tier":"Bulk"})");
  auto r = call("POST", "/_mock/clock/advance", R"({"seconds": 18000})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(api_harness::json(r)["completed_jobs"], 1);
  EXPECT_EQ(api_harness::json(r)["now"], "2024-01-01T05:00:00.000Z");
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["StatusCode"], "Succeeded");
  EXPECT_EQ(d["CompletionDate"], "2024-01-01T05:00:00.000Z");
  expect_error(call("POST", "/_mock/clock/advance", R"({"seconds": -1})"), 400,
               "InvalidParameterValueException", "Invalid seconds");
  expect_error(call("POST", "/_mock/clock/advance", "x"), 400, "SerializationException", "JSON");
}

TEST_F(admin, completes_or_fails_a_job_on_request) {
  const auto done = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  const auto failed = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  EXPECT_EQ(call("POST", "/_mock/jobs/" + done + "/complete").status, 200u);
  EXPECT_EQ(h.describe("v", done)["StatusCode"], "Succeeded");
  EXPECT_EQ(h.describe("v", done)["CompletionDate"], "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(call("POST", "/_mock/jobs/" + failed + "/fail", R"({"message":"tape on fire"})").status,
            200u);
  const auto d = h.describe("v", failed);
  EXPECT_EQ(d["StatusCode"], "Failed");
  EXPECT_EQ(d["StatusMessage"], "tape on fire");
  expect_error(call("POST", "/_mock/jobs/" + done + "/fail"), 400, "InvalidParameterValueException",
               "not in progress");
  expect_error(call("POST", "/_mock/jobs/nope/complete"), 404, "ResourceNotFoundException",
               "The job ID was not found: nope");
  // The scheduler's own pass later finds nothing left to do.
  EXPECT_EQ(h.advance(h.cfg.standard_delay), 0u);
}

TEST_F(admin, records_notifications_for_job_and_vault_topics) {
  ASSERT_EQ(h.send("PUT", "/-/vaults/v/notification-configuration",
                   R"({"SNSTopic":"arn:aws:sns:us-east-1:123456789012:vault-topic",)"
                   R"("Events":["InventoryRetrievalCompleted"]})")
                .status,
            204u);
  const auto both = h.initiate(
      "v", R"({"Type":"inventory-retrieval","SNSTopic":"arn:aws:sns:us-east-1:123456789012:job"})");
  const auto archive = h.upload("v", "abc");
  const auto neither =
      h.initiate("v", R"({"Type":"archive-retrieval","ArchiveId":")" + archive + "\"}");
  h.advance(h.cfg.standard_delay);
  const auto body = api_harness::json(call("GET", "/_mock/notifications"));
  const auto& list = body["notifications"];
  ASSERT_EQ(list.size(), 2u) << body.dump();
  EXPECT_EQ(list[0]["topic_arn"], "arn:aws:sns:us-east-1:123456789012:job");
  EXPECT_EQ(list[1]["topic_arn"], "arn:aws:sns:us-east-1:123456789012:vault-topic");
  for (const auto& n : list) {
    EXPECT_EQ(n["job_id"], both);
    EXPECT_EQ(n["status"], "recorded");
    EXPECT_EQ(n["message"], h.describe("v", both));
  }
  (void)neither;
}

TEST_F(admin, a_counted_fault_hits_the_next_requests_only) {
  auto r = call("POST", "/_mock/faults",
                R"({"operation":"InitiateJob","error":"InsufficientCapacityException","count":1})");
  ASSERT_EQ(r.status, 201u) << r.body;
  const auto injected = h.send("POST", "/-/vaults/v/jobs", R"({"Type":"inventory-retrieval"})");
  expect_error(injected, 503, "InsufficientCapacityException", "Injected fault for InitiateJob");
  EXPECT_EQ(injected.fault, "rule 1 InsufficientCapacityException");
  EXPECT_EQ(h.send("POST", "/-/vaults/v/jobs", R"({"Type":"inventory-retrieval"})").status, 202u);
  EXPECT_TRUE(api_harness::json(call("GET", "/_mock/faults"))["faults"].empty());
}

TEST_F(admin, a_latency_fault_delays_without_changing_the_answer) {
  ASSERT_EQ(call("POST", "/_mock/faults", R"({"operation":"*","latency_ms":250})").status, 201u);
  const auto r = h.send("GET", "/-/vaults/v");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.delay, std::chrono::milliseconds(250));
  EXPECT_EQ(call("DELETE", "/_mock/faults").status, 204u);
  EXPECT_EQ(h.send("GET", "/-/vaults/v").delay, std::chrono::milliseconds(0));
}

TEST_F(admin, a_probability_fault_hits_about_that_share) {
  ASSERT_EQ(call("POST", "/_mock/faults",
                 R"({"operation":"DescribeVault","error":"ThrottlingException","probability":0.5})")
                .status,
            201u);
  int hits = 0;
  for (int i = 0; i < 400; ++i) hits += h.send("GET", "/-/vaults/v").status == 400;
  EXPECT_GT(hits, 120);
  EXPECT_LT(hits, 280);
}

TEST_F(admin, rejects_bad_fault_rules) {
  expect_error(call("POST", "/_mock/faults", R"({"error":"NoSuchException"})"), 400,
               "InvalidParameterValueException", "unknown error code NoSuchException");
  expect_error(call("POST", "/_mock/faults", R"({"operation":"InitiateJob"})"), 400,
               "InvalidParameterValueException", "give an error");
  expect_error(call("POST", "/_mock/faults", R"({"latency_ms":5,"probability":2})"), 400,
               "InvalidParameterValueException", "probability");
}

TEST_F(admin, state_shows_everything_and_reset_clears_it) {
  h.upload("v", "abc", "desc");
  h.initiate("v", R"({"Type":"inventory-retrieval"})");
  auto state = api_harness::json(call("GET", "/_mock/state"));
  ASSERT_EQ(state["accounts"].size(), 1u);
  const auto& vault = state["accounts"][0]["vaults"][0];
  EXPECT_EQ(vault["name"], "v");
  EXPECT_EQ(vault["archives"][0]["description"], "desc");
  EXPECT_EQ(vault["jobs"].size(), 1u);
  EXPECT_TRUE(
      api_harness::json(call("GET", "/_mock/state?vault=other"))["accounts"][0]["vaults"].empty());
  EXPECT_EQ(call("POST", "/_mock/reset").status, 200u);
  state = api_harness::json(call("GET", "/_mock/state"));
  EXPECT_TRUE(state["accounts"].empty());
  EXPECT_EQ(h.send("GET", "/-/vaults/v").status, 404u);
}

}  // namespace
}  // namespace glacier::testing

namespace glacier::testing {
namespace {

// Checks the Prometheus text format's rules: every sample's metric family has a TYPE line
// before it, names and labels are well formed, and values are numbers.
std::map<std::string, double> parse_prometheus(const std::string& text) {
  std::map<std::string, double> samples;
  std::set<std::string> typed;
  std::istringstream lines(text);
  std::string line;
  const std::regex type_line(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  const std::regex sample_line(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (\S+))");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (line.starts_with("# HELP ")) continue;
    if (std::regex_match(line, m, type_line)) {
      typed.insert(m[1]);
      continue;
    }
    EXPECT_TRUE(std::regex_match(line, m, sample_line)) << "bad line: " << line;
    std::string family = m[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (family.ends_with(suffix) &&
          typed.contains(family.substr(0, family.size() - strlen(suffix)))) {
        family = family.substr(0, family.size() - strlen(suffix));
      }
    }
    EXPECT_TRUE(typed.contains(family)) << "no TYPE before " << line;
    samples[line.substr(0, line.rfind(' '))] = std::stod(line.substr(line.rfind(' ') + 1));
  }
  return samples;
}

TEST(admin_metrics, expose_requests_jobs_archives_and_notifications) {
  api_harness h;
  h.create_vault("v");
  h.upload("v", "hello");
  h.initiate("v", R"({"Type":"inventory-retrieval","Tier":"Bulk"})");
  h.send("GET", "/-/vaults/missing");
  const auto r = h.send("GET", "/_mock/metrics", "", {}, false);
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers.at("Content-Type"), "text/plain; version=0.0.4");
  const auto samples = parse_prometheus(r.body);
  EXPECT_EQ(samples.at(R"(glacier_requests_total{operation="CreateVault",status="201"})"), 1);
  EXPECT_EQ(samples.at(R"(glacier_requests_total{operation="DescribeVault",status="404"})"), 1);
  EXPECT_EQ(samples.at(R"(glacier_request_duration_seconds_count{operation="UploadArchive"})"), 1);
  EXPECT_EQ(
      samples.at(R"(glacier_request_duration_seconds_bucket{operation="UploadArchive",le="+Inf"})"),
      1);
  EXPECT_EQ(samples.at(R"(glacier_jobs{status="InProgress",tier="Bulk"})"), 1);
  EXPECT_EQ(samples.at("glacier_archives"), 1);
  EXPECT_EQ(samples.at("glacier_archive_bytes"), 5);
}

}  // namespace
}  // namespace glacier::testing
