// The whole service under concurrent load, for ThreadSanitizer above all: the real server
// and dispatcher on several io threads, a running scheduler thread, client threads starting,
// describing and listing jobs while an admin thread moves the clock and completes and fails
// jobs by hand. Each response must be well-formed, and once the clock has moved far enough
// every job must have finished.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "glacier/app/service_parts.hpp"
#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"
#include "glacier/http/server.hpp"
#include "support/http_client.hpp"

namespace {

using namespace std::chrono_literals;
using glacier::http::header_map;
using glacier::testing::http_client;
using glacier::testing::http_reply;

// spdlog builds its registry on first use, inside libspdlog, whose static-init guard
// ThreadSanitizer cannot see (the library is not instrumented). A server test whose io
// threads log first then reports a false race on the registry, as glacier-mock itself
// never does (main sets logging up before any thread). Building it here, before main(),
// covers every test in this binary.
[[maybe_unused]] const bool spdlog_registry_ready = (spdlog::default_logger(), true);

constexpr int client_threads = 8;
// Bounded by both: sanitizer builds run several times slower, and must still finish fast.
constexpr auto load_duration = 2s;
constexpr int max_rounds_per_client = 40;
const std::string vault = "/-/vaults/race";

glacier::config load_config() {
  glacier::config cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 0;
  cfg.io_threads = 4;
  cfg.seed = 7;
  cfg.shutdown_deadline = glacier::duration(2000);
  return cfg;
}

// The service wired as src/app.cpp wires it, minus signal handling: a real (adjustable)
// clock, a started scheduler thread, the dispatcher and the server on its own thread.
struct service {
  explicit service(const glacier::config& c)
      : parts(c, clock, c.seed, c.seed), server(parts.cfg, parts.dispatcher) {
    port = server.listen();
    parts.scheduler.start();
    thread = std::thread([this] { server.run(); });
  }

  ~service() {
    server.stop();
    if (thread.joinable()) thread.join();
    parts.scheduler.stop();
  }

  glacier::adjustable_clock clock;
  glacier::service_parts parts;
  glacier::http::server server;
  std::uint16_t port = 0;
  std::thread thread;
};

// Problems found on any thread; gtest assertions stay on the main thread.
class problems {
 public:
  void add(std::string what) {
    const std::lock_guard lock(mutex_);
    if (list_.size() < 20) list_.push_back(std::move(what));
    ++count_;
  }
  std::size_t count() const {
    const std::lock_guard lock(mutex_);
    return count_;
  }
  std::string summary() const {
    const std::lock_guard lock(mutex_);
    std::string s;
    for (const auto& p : list_) s += p + "\n";
    return s;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> list_;
  std::size_t count_ = 0;
};

// Jobs the clients started, and what the admin thread did to them.
class job_book {
 public:
  void started(const std::string& id) {
    const std::lock_guard lock(mutex_);
    ids_.push_back(id);
  }
  std::vector<std::string> recent(std::size_t n) const {
    const std::lock_guard lock(mutex_);
    const auto from = ids_.size() > n ? ids_.size() - n : 0;
    return {ids_.begin() + static_cast<std::ptrdiff_t>(from), ids_.end()};
  }
  std::vector<std::string> all() const {
    const std::lock_guard lock(mutex_);
    return ids_;
  }
  void failed_by_admin(const std::string& id) {
    const std::lock_guard lock(mutex_);
    failed_.insert(id);
  }
  bool was_failed_by_admin(const std::string& id) const {
    const std::lock_guard lock(mutex_);
    return failed_.contains(id);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> ids_;
  std::set<std::string> failed_;
};

header_map glacier_headers(header_map extra = {}) {
  extra.emplace("x-amz-glacier-version", "2012-06-01");
  return extra;
}

// A response is well-formed when it carries a request id and a body that is what its
// Content-Type says: JSON parses (archive output is raw bytes); an error's JSON is Glacier's
// {"code","message","type"}. Returns the parsed JSON body, or null.
nlohmann::json check_shape(const http_reply& r, const std::string& what, problems& found) {
  const auto context = what + " -> " + std::to_string(r.status) + " " + r.body.substr(0, 200);
  if (r.status < 200 || r.status > 599) found.add("odd status: " + context);
  if (r.header("x-amzn-RequestId").empty()) found.add("no request id: " + context);
  const bool json = r.header("Content-Type").find("json") != std::string::npos;
  if (r.status >= 400 && !json) found.add("error without a JSON body: " + context);
  if (r.body.empty() || !json) return nullptr;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded()) {
    found.add("body is not JSON: " + context);
    return nullptr;
  }
  if (r.status >= 400 && !(j.contains("code") && j.contains("message") && j.contains("type"))) {
    found.add("error body is not Glacier's: " + context);
  }
  return j;
}

// Sends and checks shape and status; a transport failure (timeout, reset) is a problem too.
nlohmann::json call(http_client& client, const std::string& method, const std::string& target,
                    const std::set<unsigned>& allowed, problems& found,
                    const std::string& body = "", http_reply* out = nullptr) {
  const auto what = method + " " + target;
  try {
    auto reply = client.send(method, target, glacier_headers(), body);
    auto j = check_shape(reply, what, found);
    if (!allowed.contains(reply.status)) {
      found.add("unexpected status: " + what + " -> " + std::to_string(reply.status) + " " +
                reply.body.substr(0, 200));
    }
    if (out) *out = std::move(reply);
    return j;
  } catch (const std::exception& e) {
    found.add("transport: " + what + ": " + e.what());
    return nullptr;
  }
}

class concurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    // Hundreds of access-log lines would bury the report of a failure.
    previous_level_ = spdlog::get_level();
    spdlog::set_level(spdlog::level::warn);
    svc_ = std::make_unique<service>(load_config());
  }
  void TearDown() override {
    svc_.reset();
    spdlog::set_level(previous_level_);
  }

  spdlog::level::level_enum previous_level_ = spdlog::level::info;
  std::unique_ptr<service> svc_;
};

TEST_F(concurrency, parallel_clients_and_clock_moves_leave_every_job_finished) {
  problems found;
  job_book jobs;
  std::string archive_id;
  {
    http_client setup(svc_->port);
    ASSERT_EQ(setup.send("PUT", vault, glacier_headers()).status, 201U);
    ASSERT_EQ(setup
                  .send("PUT", vault + "/notification-configuration", glacier_headers(),
                        R"({"SNSTopic":"arn:aws:sns:us-east-1:123456789012:t",)"
                        R"("Events":["ArchiveRetrievalCompleted","InventoryRetrievalCompleted"]})")
                  .status,
              204U);
    const std::string data(5000, 'a');
    const auto up = setup.send(
        "POST", vault + "/archives",
        glacier_headers({{"x-amz-sha256-tree-hash", glacier::to_hex(glacier::tree_hash(data))},
                         {"x-amz-content-sha256", glacier::to_hex(glacier::sha256(data))}}),
        data);
    ASSERT_EQ(up.status, 201U) << up.body;
    archive_id = up.header("x-amz-archive-id");
  }

  const auto deadline = std::chrono::steady_clock::now() + load_duration;
  std::atomic<int> clients_running{client_threads};
  std::atomic<int> requests{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < client_threads; ++t) {
    threads.emplace_back([&, t] {
      try {
        http_client client(svc_->port);
        const char* tiers[] = {"Expedited", "Standard", "Bulk"};
        for (int round = 0;
             round < max_rounds_per_client && std::chrono::steady_clock::now() < deadline;
             ++round) {
          const std::string body =
              (round + t) % 3 == 0
                  ? std::string(R"({"Type":"inventory-retrieval","Format":"JSON"})")
                  : R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + R"(","Tier":")" +
                        tiers[round % 3] + R"("})";
          http_reply started;
          call(client, "POST", vault + "/jobs", {202}, found, body, &started);
          requests += 1;
          const auto id = started.header("x-amz-job-id");
          if (id.empty()) continue;
          jobs.started(id);
          const auto described = call(client, "GET", vault + "/jobs/" + id, {200}, found);
          if (described.is_object() && described.value("JobId", "") != id) {
            found.add("DescribeJob answered for another job: " + described.dump());
          }
          const auto listed =
              call(client, "GET", vault + "/jobs?limit=5" + (round % 2 ? "&completed=false" : ""),
                   {200}, found);
          if (listed.is_object() && !listed["JobList"].is_array()) {
            found.add("ListJobs without a JobList: " + listed.dump());
          }
          // Output of a job that may or may not be done yet: both answers are fine.
          call(client, "GET", vault + "/jobs/" + id + "/output", {200, 400}, found);
          requests += 3;
        }
      } catch (const std::exception& e) {
        found.add(std::string("client thread: ") + e.what());
      }
      --clients_running;
    });
  }

  // The admin side: moves the clock, completes and fails recent jobs by hand (racing the
  // scheduler, so "not in progress" is a fine answer), and reads the state and metrics.
  threads.emplace_back([&] {
    try {
      http_client admin(svc_->port);
      for (int round = 0; clients_running > 0; ++round) {
        call(admin, "POST", "/_mock/clock/advance", {200}, found, R"({"seconds": 1})");
        const auto recent = jobs.recent(4);
        if (recent.size() >= 2) {
          call(admin, "POST", "/_mock/jobs/" + recent[0] + "/complete", {200, 400}, found);
          http_reply failed;
          call(admin, "POST", "/_mock/jobs/" + recent[1] + "/fail", {200, 400}, found,
               R"({"message":"failed by the concurrency test"})", &failed);
          if (failed.status == 200) jobs.failed_by_admin(recent[1]);
        }
        if (round % 5 == 0) {
          call(admin, "GET", "/_mock/state", {200}, found);
          try {
            if (admin.send("GET", "/_mock/metrics").status != 200) found.add("metrics failed");
          } catch (const std::exception& e) {
            found.add(std::string("metrics: ") + e.what());
          }
        }
        requests += 3;
        std::this_thread::sleep_for(5ms);
      }
    } catch (const std::exception& e) {
      found.add(std::string("admin thread: ") + e.what());
    }
  });
  for (auto& t : threads) t.join();

  ASSERT_EQ(found.count(), 0U) << found.summary();
  const auto started = jobs.all();
  ASSERT_GE(started.size(), static_cast<std::size_t>(client_threads)) << "too little load";

  // Past every tier's delay (hours, far under the 24 h retention): nothing is left running.
  http_client client(svc_->port);
  call(client, "POST", "/_mock/clock/advance", {200}, found, R"({"seconds": 7200})");
  std::map<std::string, int> by_status;
  for (const auto& id : started) {
    const auto j = call(client, "GET", vault + "/jobs/" + id, {200}, found);
    if (!j.is_object()) continue;
    const auto status = j.value("StatusCode", "");
    ++by_status[status];
    if (!j.value("Completed", false)) found.add("job still running: " + j.dump());
    const auto expected = jobs.was_failed_by_admin(id) ? "Failed" : "Succeeded";
    if (status != expected) found.add("job " + id + " is " + status + ", expected " + expected);
  }
  const auto running = call(client, "GET", vault + "/jobs?completed=false", {200}, found);
  if (running.is_object() && !running["JobList"].empty()) {
    found.add("ListJobs still lists running jobs: " + running.dump().substr(0, 300));
  }
  const auto notifications = call(client, "GET", "/_mock/notifications", {200}, found);
  if (notifications.is_object() && notifications["notifications"].size() != started.size()) {
    found.add("expected one notification per job, got " +
              std::to_string(notifications["notifications"].size()) + " for " +
              std::to_string(started.size()) + " jobs");
  }
  EXPECT_EQ(found.count(), 0U) << found.summary();
  EXPECT_EQ(by_status["Succeeded"] + by_status["Failed"], static_cast<int>(started.size()));
  std::printf("concurrency: %d requests, %zu jobs (%d succeeded, %d failed)\n", requests.load(),
              started.size(), by_status["Succeeded"], by_status["Failed"]);
}

}  // namespace
