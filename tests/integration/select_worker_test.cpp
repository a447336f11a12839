// The select worker on its own thread, as the application runs it (for ThreadSanitizer
// above all): the scheduler thread hands due select jobs over while other threads read
// their state, and stop() interrupts a long query without finishing its job.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "glacier/app/service_parts.hpp"
#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/clock.hpp"

namespace {

using namespace std::chrono_literals;

// As in concurrency_test: spdlog's registry is built before any thread logs.
[[maybe_unused]] const bool spdlog_ready_for_select_tests = (spdlog::default_logger(), true);

constexpr auto wait_limit = 30s;  // sanitizer builds are slow; a hang still fails

struct running_service {
  explicit running_service(glacier::config c) : parts(c, clock, 11, 11) {
    parts.scheduler.start();
    parts.select_jobs.start();
  }
  ~running_service() {
    parts.scheduler.stop();
    parts.select_jobs.stop();
  }

  glacier::http::response send(const std::string& method, const std::string& target,
                               std::string body = "", glacier::http::header_map headers = {}) {
    glacier::http::request r;
    r.method = method;
    r.target = target;
    r.headers = std::move(headers);
    r.headers.emplace("x-amz-glacier-version", "2012-06-01");
    r.body = std::move(body);
    return parts.dispatcher.handle(std::move(r));
  }

  std::string upload(const std::string& data) {
    glacier::http::header_map h{
        {"x-amz-sha256-tree-hash", glacier::to_hex(glacier::tree_hash(data))},
        {"x-amz-content-sha256", glacier::to_hex(glacier::sha256(data))},
        {"Content-Length", std::to_string(data.size())}};
    const auto r = send("POST", "/-/vaults/v/archives", data, h);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.headers.at("x-amz-archive-id");
  }

  std::string start_select(const std::string& archive, const std::string& sql) {
    const nlohmann::json body{
        {"Type", "select"},
        {"ArchiveId", archive},
        {"SelectParameters", {{"Expression", sql}, {"ExpressionType", "SQL"}}},
        {"OutputLocation", {{"S3", {{"BucketName", "bucket"}, {"Prefix", "p"}}}}}};
    const auto r = send("POST", "/-/vaults/v/jobs", body.dump());
    EXPECT_EQ(r.status, 202u) << r.body;
    return r.headers.at("x-amz-job-id");
  }

  nlohmann::json describe(const std::string& id) {
    return nlohmann::json::parse(send("GET", "/-/vaults/v/jobs/" + id).payload());
  }

  glacier::adjustable_clock clock;
  glacier::service_parts parts;
};

glacier::config quick_jobs() {
  glacier::config c;
  c.standard_delay = glacier::duration(0);
  return c;
}

TEST(select_worker_thread, runs_jobs_the_scheduler_hands_over_while_others_read) {
  running_service s(quick_jobs());
  ASSERT_EQ(s.send("PUT", "/-/vaults/v").status, 201u);
  std::string csv;
  for (int i = 0; i < 2000; ++i) csv += std::to_string(i) + ",x\n";
  const auto archive = s.upload(csv);

  std::vector<std::string> jobs;
  for (int i = 0; i < 6; ++i) {
    jobs.push_back(s.start_select(
        archive, "SELECT s._1 FROM archive s WHERE s._1 > " + std::to_string(i * 300)));
  }
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      s.send("GET", "/-/vaults/v/jobs");
      s.send("GET", "/_mock/state");
      s.send("GET", "/_mock/jobs/" + jobs.front() + "/select-output");
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + wait_limit;
  for (const auto& id : jobs) {
    while (s.describe(id)["StatusCode"] == "InProgress" &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
  }
  done = true;
  reader.join();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto d = s.describe(jobs[i]);
    EXPECT_EQ(d["StatusCode"], "Succeeded") << d.dump();
    const auto part =
        s.send("GET", "/_mock/jobs/" + jobs[i] + "/select-output?key=results/part-00000.csv");
    const auto lines = std::count(part.payload().begin(), part.payload().end(), '\n');
    EXPECT_EQ(lines, 2000 - static_cast<long>(i) * 300 - 1) << i;
  }
}

TEST(select_worker_thread, stop_interrupts_a_long_query_and_leaves_its_job_in_progress) {
  running_service s(quick_jobs());
  ASSERT_EQ(s.send("PUT", "/-/vaults/v").status, 201u);
  // Long enough that the query is still running when stop() comes: about 64 MiB.
  const std::string line = std::string(60, 'y') + "\n";
  std::string csv;
  csv.reserve(64 << 20);
  while (csv.size() < (64u << 20)) csv += line;
  const auto archive = s.upload(csv);
  const auto id = s.start_select(archive, "SELECT * FROM archive s WHERE s._1 LIKE '%z%'");
  std::this_thread::sleep_for(20ms);
  const auto before = std::chrono::steady_clock::now();
  s.parts.select_jobs.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_EQ(s.describe(id)["StatusCode"], "InProgress");
}

}  // namespace
