// The JSON of a job: DescribeJob's body (one job), a ListJobs page (50 jobs), each through
// the nlohmann object (still used by the admin API and notifications) and through the direct
// writer the two operations use, and the journal record the store builds for every created
// or completed job.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "glacier/api/job_json.hpp"
#include "glacier/store/model/job.hpp"
#include "store/records.hpp"
#include "support/job_json_reference.hpp"

namespace {

constexpr long long job_start_ms = 1704067200000LL;

glacier::job make_job(bool archive) {
  glacier::job j;
  j.sequence = 12345;
  j.id = std::string(92, 'J');
  j.vault_name = "bench";
  j.vault_arn = "arn:aws:glacier:us-east-1:123456789012:vaults/bench";
  j.creation_date = glacier::time_point(glacier::duration(job_start_ms));
  j.due = j.creation_date + glacier::duration(3000);
  j.status = glacier::job_status::succeeded;
  j.status_message = "Succeeded";
  j.completion_date = j.due;
  if (archive) {
    j.parameters.action = glacier::job_action::archive_retrieval;
    j.parameters.archive_id = std::string(138, 'A');
    j.parameters.tier = glacier::retrieval_tier::expedited;
    j.archive_size = 65536;
    j.archive_tree_hash = std::string(64, 'a');
    j.range_tree_hash = j.archive_tree_hash;
    j.retrieved = {0, 65535};
    j.output_length = 65536;
  } else {
    j.parameters.action = glacier::job_action::inventory_retrieval;
    j.parameters.inventory = glacier::inventory_selection{};
    j.inventory_size = 170;
    j.output_length = 170;
  }
  return j;
}

void BM_job_description_json_dump(benchmark::State& state) {
  const auto j = make_job(state.range(0) == 1);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto text = glacier::reference::job_description_json(j).dump();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetLabel(state.range(0) == 1 ? "archive job" : "inventory job");
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_job_description_json_dump)->Arg(0)->Arg(1);

// The direct writer DescribeJob uses now: the same bytes as the dump above.
void BM_job_description_body(benchmark::State& state) {
  const auto j = make_job(state.range(0) == 1);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto text = glacier::api::job_description_body(j);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetLabel(state.range(0) == 1 ? "archive job" : "inventory job");
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_job_description_body)->Arg(0)->Arg(1);

// Building the object only, without dump(): where the time goes.
void BM_job_description_json_build(benchmark::State& state) {
  const auto j = make_job(state.range(0) == 1);
  for (auto _ : state) {
    auto d = glacier::reference::job_description_json(j);
    benchmark::DoNotOptimize(d);
  }
  state.SetLabel(state.range(0) == 1 ? "archive job" : "inventory job");
}
BENCHMARK(BM_job_description_json_build)->Arg(0)->Arg(1);

// What ListJobs does with a page of 50: the array of descriptions, then one dump.
void BM_list_jobs_page_json(benchmark::State& state) {
  std::vector<glacier::job> page(50, make_job(false));
  for (auto _ : state) {
    nlohmann::ordered_json body;
    body["JobList"] = nlohmann::ordered_json::array();
    for (const auto& j : page)
      body["JobList"].push_back(glacier::reference::job_description_json(j));
    body["Marker"] = page.back().id;
    const auto text = body.dump();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetItemsProcessed(state.iterations() * 50);
}
BENCHMARK(BM_list_jobs_page_json);

// The same page through the direct writer ListJobs uses now.
void BM_list_jobs_page_body(benchmark::State& state) {
  const std::vector<glacier::job> page(50, make_job(false));
  const std::optional<std::string> marker = page.back().id;
  for (auto _ : state) {
    const auto text = glacier::api::job_list_body(page, marker);
    benchmark::DoNotOptimize(text.data());
  }
  state.SetItemsProcessed(state.iterations() * 50);
}
BENCHMARK(BM_list_jobs_page_body);

// store::create_job and store::complete_job build this record under the store lock even
// when no journal is attached (no --data-dir).
void BM_journal_job_record(benchmark::State& state) {
  const auto j = make_job(state.range(0) == 1);
  for (auto _ : state) {
    auto r = glacier::records::job_json(j);
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(state.range(0) == 1 ? "archive job" : "inventory job");
}
BENCHMARK(BM_journal_job_record)->Arg(0)->Arg(1);

}  // namespace
