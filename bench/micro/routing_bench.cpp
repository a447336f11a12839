// Routing: the route table alone, and what the dispatcher does per request before it
// (parse the target with Boost.URL, copy the decoded segments).
#include <benchmark/benchmark.h>

#include <boost/url/parse.hpp>
#include <string>
#include <vector>

#include "glacier/api/router.hpp"

namespace {

const std::string job_id(92, 'J');

struct target {
  const char* method;
  std::string path;
};

// The InitiateJob and DescribeJob targets of bench/wrk, one late in the table, one unknown.
const std::vector<target>& targets() {
  static const std::vector<target> all{
      {"POST", "/-/vaults/bench/jobs"},
      {"GET", "/-/vaults/bench/jobs/" + job_id},
      {"GET", "/-/vaults/bench/jobs?limit=50"},
      {"PUT", "/-/vaults/bench/multipart-uploads/" + job_id},
      {"GET", "/-/no/such/path/here"},
  };
  return all;
}

std::vector<std::string> segments_of(const boost::urls::url_view& url) {
  std::vector<std::string> segments;
  for (auto segment : url.segments()) segments.push_back(std::move(segment));
  return segments;
}

void BM_route_match(benchmark::State& state) {
  const auto& t = targets()[static_cast<std::size_t>(state.range(0))];
  const auto url = *boost::urls::parse_origin_form(t.path);
  const auto segments = segments_of(url);
  const auto& table = glacier::api::glacier_routes();
  for (auto _ : state) {
    auto match = table.match(t.method, segments, url);
    benchmark::DoNotOptimize(match);
  }
  state.SetLabel(std::string(t.method) + " " + t.path.substr(0, 40));
}
BENCHMARK(BM_route_match)->DenseRange(0, 4);

void BM_route_parse_and_match(benchmark::State& state) {
  const auto& t = targets()[static_cast<std::size_t>(state.range(0))];
  const auto& table = glacier::api::glacier_routes();
  for (auto _ : state) {
    const auto url = *boost::urls::parse_origin_form(t.path);
    const auto segments = segments_of(url);
    auto match = table.match(t.method, segments, url);
    benchmark::DoNotOptimize(match);
  }
  state.SetLabel(std::string(t.method) + " " + t.path.substr(0, 40));
}
BENCHMARK(BM_route_parse_and_match)->DenseRange(0, 4);

}  // namespace
