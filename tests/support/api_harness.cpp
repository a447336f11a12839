#include "support/api_harness.hpp"

#include <gtest/gtest.h>

#include "glacier/aws/tree_hash.hpp"

namespace glacier::testing {

namespace {
// Fixed apart from the id seed, so tests that vary the ids still meet the same faults.
constexpr std::uint64_t fault_seed = 7;
}  // namespace

api_harness::api_harness(std::uint64_t seed) : api_harness(config{}, seed) {}

api_harness::api_harness(const config& settings, std::uint64_t seed)
    : clock(time_point(duration(start_ms))), parts(settings, clock, seed, fault_seed) {}

http::response api_harness::send(const std::string& method, const std::string& target,
                                 std::string body, http::header_map headers, bool with_version) {
  http::request r;
  r.method = method;
  r.target = target;
  r.headers = std::move(headers);
  if (with_version) r.headers.emplace("x-amz-glacier-version", "2012-06-01");
  // As an HTTP client frames a body, unless the test sends it chunked.
  if (!r.headers.contains("Transfer-Encoding")) {
    r.headers.try_emplace("Content-Length", std::to_string(body.size()));
  }
  r.body = std::move(body);
  return dispatcher.handle(std::move(r));
}

nlohmann::json api_harness::json(const http::response& r) {
  return nlohmann::json::parse(r.payload(), nullptr, false);
}

void api_harness::create_vault(const std::string& name) {
  const auto r = send("PUT", "/-/vaults/" + name);
  ASSERT_EQ(r.status, 201u) << r.body;
}

std::string api_harness::upload(const std::string& vault, const std::string& data,
                                const std::string& description) {
  auto headers = with_content_sha256(data, {{"x-amz-sha256-tree-hash", to_hex(tree_hash(data))}});
  if (!description.empty()) headers.emplace("x-amz-archive-description", description);
  const auto r = send("POST", "/-/vaults/" + vault + "/archives", data, headers);
  EXPECT_EQ(r.status, 201u) << r.body;
  return r.headers.contains("x-amz-archive-id") ? r.headers.at("x-amz-archive-id") : "";
}

std::string api_harness::initiate(const std::string& vault, const std::string& body) {
  const auto r = send("POST", "/-/vaults/" + vault + "/jobs", body);
  EXPECT_EQ(r.status, 202u) << r.body;
  return r.headers.contains("x-amz-job-id") ? r.headers.at("x-amz-job-id") : "";
}

nlohmann::json api_harness::describe(const std::string& vault, const std::string& job_id) {
  return json(send("GET", "/-/vaults/" + vault + "/jobs/" + job_id));
}

std::size_t api_harness::advance(duration by) {
  clock.advance(by);
  const auto completed = scheduler.run_due();
  // Select jobs the scheduler handed over run here, as the worker thread would run them.
  return completed + parts.select_jobs.run_pending();
}

http::header_map with_content_sha256(std::string_view body, http::header_map headers) {
  headers.emplace("x-amz-content-sha256", to_hex(sha256(body)));
  return headers;
}

std::string pattern_bytes(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + 3 + seed) % 251);
  return s;
}

}  // namespace glacier::testing
