// The admin API under /_mock/: state, clock control, job control, notifications, faults.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "glacier/aws/tree_hash.hpp"
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

TEST_F(admin, removes_one_fault_rule_by_id) {
  ASSERT_EQ(call("POST", "/_mock/faults", R"({"operation":"DescribeVault","latency_ms":5})").status,
            201u);
  ASSERT_EQ(call("POST", "/_mock/faults", R"({"operation":"ListVaults","latency_ms":7})").status,
            201u);
  EXPECT_EQ(call("DELETE", "/_mock/faults/1").status, 204u);
  const auto left = api_harness::json(call("GET", "/_mock/faults"))["faults"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["id"], 2);
  EXPECT_EQ(h.send("GET", "/-/vaults/v").delay, std::chrono::milliseconds(0));
  EXPECT_EQ(h.send("GET", "/-/vaults").delay, std::chrono::milliseconds(7));
  expect_error(call("DELETE", "/_mock/faults/1"), 404, "ResourceNotFoundException",
               "The fault rule was not found: 1", true);
  expect_error(call("DELETE", "/_mock/faults/x1"), 404, "ResourceNotFoundException",
               "The fault rule was not found: x1", true);
}

TEST_F(admin, downloads_an_archive_from_whichever_vault_holds_it) {
  h.create_vault("other");
  const auto data = pattern_bytes(3 * 1024 * 1024 + 5);
  const auto id = h.upload("other", data, "backup.tar");
  const auto r = call("GET", "/_mock/archives/" + id);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.payload(), data);
  EXPECT_EQ(r.headers.at("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r.headers.at("Content-Disposition"), "attachment; filename=\"" + id + "\"");
  EXPECT_EQ(r.headers.at("x-amz-sha256-tree-hash"), to_hex(tree_hash(data)));
  EXPECT_EQ(r.operation, "AdminDownloadArchive");
  expect_error(call("GET", "/_mock/archives/nope"), 404, "ResourceNotFoundException",
               "The archive ID was not found: nope", true);
  ASSERT_EQ(h.send("DELETE", "/-/vaults/other/archives/" + id).status, 204u);
  EXPECT_EQ(call("GET", "/_mock/archives/" + id).status, 404u);
}

TEST_F(admin, state_limit_caps_the_lists_and_keeps_the_counts) {
  for (const char* data : {"a", "b", "c"}) h.upload("v", data);
  for (int i = 0; i < 3; ++i) h.initiate("v", R"({"Type":"inventory-retrieval"})");
  auto vault = api_harness::json(call("GET", "/_mock/state?limit=2"))["accounts"][0]["vaults"][0];
  ASSERT_EQ(vault["archives"].size(), 2u);
  EXPECT_EQ(vault["archives"][0]["size"], 1);
  EXPECT_EQ(vault["number_of_archives"], 3);
  EXPECT_EQ(vault["jobs"].size(), 2u);
  EXPECT_EQ(vault["number_of_jobs"], 3);
  vault = api_harness::json(call("GET", "/_mock/state?limit=0"))["accounts"][0]["vaults"][0];
  EXPECT_TRUE(vault["archives"].empty());
  EXPECT_TRUE(vault["jobs"].empty());
  EXPECT_EQ(vault["number_of_jobs"], 3);
  EXPECT_EQ(vault["number_of_multipart_uploads"], 0);
  vault = api_harness::json(call("GET", "/_mock/state"))["accounts"][0]["vaults"][0];
  EXPECT_EQ(vault["archives"].size(), 3u);
  for (const std::string bad : {"-1", "x", "", "1000000001"}) {
    expect_error(call("GET", "/_mock/state?limit=" + bad), 400, "InvalidParameterValueException",
                 "Invalid limit: " + bad);
  }
}

TEST_F(admin, state_says_when_each_job_falls_due) {
  h.cfg.bulk_delay = duration(5 * 3600 * 1000);
  const auto id = h.initiate("v", R"({"Type":"inventory-retrieval","Tier":"Bulk"})");
  auto job = api_harness::json(call("GET", "/_mock/state"))["accounts"][0]["vaults"][0]["jobs"][0];
  EXPECT_EQ(job["JobId"], id);
  EXPECT_EQ(job["due_date"], "2024-01-01T05:00:00.000Z");
  // Everything else is DescribeJob's answer, unchanged.
  job.erase("due_date");
  EXPECT_EQ(job, h.describe("v", id));
}

// The effective policies are the ones requests are evaluated against: an InProgress lock
// counts until it lapses 24 hours (mock clock) after InitiateVaultLock, a Locked one for good.
TEST_F(admin, state_shows_the_effective_policies_and_drops_a_lapsed_lock) {
  const std::string lock_policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",)"
      R"("Action":"glacier:DeleteVault","Resource":"*"}]})";
  const std::string access_policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",)"
      R"("Action":"glacier:DeleteArchive","Resource":"*"}]})";
  const auto body = [](const std::string& policy) {
    return nlohmann::json{{"Policy", policy}}.dump();
  };
  const auto shown = [&](const std::string& vault) {
    const auto state = api_harness::json(call("GET", "/_mock/state?vault=" + vault));
    return state["accounts"][0]["vaults"][0];
  };
  const auto effective = [&](const std::string& vault) {
    return shown(vault)["effective_policies"];
  };
  auto e = effective("v");
  EXPECT_EQ(e["enforced"], true);
  EXPECT_TRUE(e["vault_lock_policy"].is_null());
  EXPECT_TRUE(e["vault_access_policy"].is_null());

  ASSERT_EQ(h.send("POST", "/-/vaults/v/lock-policy", body(lock_policy)).status, 201u);
  ASSERT_EQ(h.send("PUT", "/-/vaults/v/access-policy", body(access_policy)).status, 204u);
  e = effective("v");
  EXPECT_EQ(e["vault_lock_policy"], nlohmann::json::parse(lock_policy));
  EXPECT_EQ(e["vault_access_policy"], nlohmann::json::parse(access_policy));

  // One second before the 24 hours the InProgress lock still applies; at 24 hours it is gone
  // from the effective policies, while the access policy stays.
  h.advance(duration(24LL * 3600 * 1000 - 1000));
  EXPECT_EQ(effective("v")["vault_lock_policy"], nlohmann::json::parse(lock_policy));
  EXPECT_EQ(shown("v")["lock"]["state"], "InProgress");
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v").status, 403u);
  h.advance(duration(1000));
  e = effective("v");
  EXPECT_TRUE(e["vault_lock_policy"].is_null()) << e.dump();
  EXPECT_EQ(e["vault_access_policy"], nlohmann::json::parse(access_policy));
  // The lock itself is gone from the state too, as GetVaultLock has it.
  EXPECT_TRUE(shown("v")["lock"].is_null()) << shown("v")["lock"].dump();
  EXPECT_EQ(h.send("GET", "/-/vaults/v/lock-policy").status, 404u);

  // A completed lock never lapses.
  h.create_vault("locked");
  const auto started = h.send("POST", "/-/vaults/locked/lock-policy", body(lock_policy));
  ASSERT_EQ(started.status, 201u);
  ASSERT_EQ(
      h.send("POST", "/-/vaults/locked/lock-policy/" + started.headers.at("x-amz-lock-id")).status,
      204u);
  h.advance(duration(400LL * 24 * 3600 * 1000));
  EXPECT_EQ(effective("locked")["vault_lock_policy"], nlohmann::json::parse(lock_policy));
  EXPECT_EQ(shown("locked")["lock"]["state"], "Locked");
}

TEST(admin_state, says_when_policies_are_not_enforced) {
  config cfg;
  cfg.enforce_policies = false;
  api_harness h(cfg);
  h.create_vault("v");
  const auto state = api_harness::json(h.send("GET", "/_mock/state", "", {}, false));
  EXPECT_EQ(state["accounts"][0]["vaults"][0]["effective_policies"]["enforced"], false);
}

TEST_F(admin, notifications_limit_keeps_the_newest_and_reports_the_total) {
  for (int i = 0; i < 3; ++i) {
    h.initiate(
        "v", R"({"Type":"inventory-retrieval","SNSTopic":"arn:aws:sns:us-east-1:123456789012:t"})");
  }
  h.advance(h.cfg.standard_delay);
  auto body = api_harness::json(call("GET", "/_mock/notifications?limit=2"));
  EXPECT_EQ(body["total"], 3);
  ASSERT_EQ(body["notifications"].size(), 2u);
  EXPECT_EQ(body["notifications"][0]["id"], 2);
  EXPECT_EQ(body["notifications"][1]["id"], 3);
  EXPECT_EQ(api_harness::json(call("GET", "/_mock/notifications"))["notifications"].size(), 3u);
  expect_error(call("GET", "/_mock/notifications?limit=many"), 400,
               "InvalidParameterValueException", "Invalid limit: many");
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
