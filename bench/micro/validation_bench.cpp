// InitiateJob parameters: reading the JSON body and validating it.
#include <benchmark/benchmark.h>

#include <string>

#include "glacier/api/job_parameters.hpp"

namespace {

const std::string inventory_body = R"({"Type":"inventory-retrieval"})";
const std::string archive_body =
    R"({"Type":"archive-retrieval","ArchiveId":")" + std::string(138, 'A') +
    R"(","Tier":"Expedited","Description":"nightly restore","RetrievalByteRange":"0-2097151"})";
const std::string inventory_full_body =
    R"({"Type":"inventory-retrieval","Format":"CSV","InventoryRetrievalParameters":)"
    R"({"StartDate":"2024-01-01T00:00:00Z","EndDate":"2024-06-01T00:00:00Z","Limit":"1000"}})";

const char* body_name(std::int64_t which) {
  return which == 0 ? "inventory" : which == 1 ? "archive+range+tier" : "inventory+parameters";
}

const std::string& body(std::int64_t which) {
  switch (which) {
    case 0:
      return inventory_body;
    case 1:
      return archive_body;
    default:
      return inventory_full_body;
  }
}

void BM_read_job_parameters_json(benchmark::State& state) {
  const auto& b = body(state.range(0));
  for (auto _ : state) {
    auto raw = glacier::api::read_job_parameters_json(b);
    benchmark::DoNotOptimize(raw);
  }
  state.SetLabel(body_name(state.range(0)));
}
BENCHMARK(BM_read_job_parameters_json)->DenseRange(0, 2);

void BM_validate_job_parameters(benchmark::State& state) {
  const auto raw = glacier::api::read_job_parameters_json(body(state.range(0)));
  for (auto _ : state) {
    auto p = glacier::api::validate_job_parameters(raw);
    benchmark::DoNotOptimize(p);
  }
  state.SetLabel(body_name(state.range(0)));
}
BENCHMARK(BM_validate_job_parameters)->DenseRange(0, 2);

void BM_read_and_validate(benchmark::State& state) {
  const auto& b = body(state.range(0));
  for (auto _ : state) {
    auto p = glacier::api::validate_job_parameters(glacier::api::read_job_parameters_json(b));
    benchmark::DoNotOptimize(p);
  }
  state.SetLabel(body_name(state.range(0)));
}
BENCHMARK(BM_read_and_validate)->DenseRange(0, 2);

}  // namespace
