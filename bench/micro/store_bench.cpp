// The store with 10 and with 1,000,000 jobs in one vault, wired as in
// tests/support/api_harness.cpp (manual clock, seeded ids, no journal): create, describe,
// list a page (from the start, from a marker, with a status filter nothing matches; with its
// JSON, copied or visited), the metrics counts, heap bytes per retained job, and the
// scheduler completing due jobs.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "glacier/api/job_json.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"
#include "glacier/core/ids.hpp"
#include "glacier/jobs/scheduler.hpp"
#include "glacier/store/store.hpp"

namespace {

constexpr long long store_start_ms = 1704067200000LL;  // 2024-01-01T00:00:00Z

glacier::job_parameters inventory_job() {
  glacier::job_parameters p;
  p.action = glacier::job_action::inventory_retrieval;
  p.inventory = glacier::inventory_selection{};
  return p;
}

/// A store holding `jobs` in-progress inventory jobs in vault "bench".
struct world {
  explicit world(std::size_t jobs) : clock(glacier::time_point(glacier::duration(store_start_ms))) {
    cfg.standard_delay = glacier::duration(3'600'000);  // nothing completes meanwhile
    store.create_vault(where, "bench");
    ids_sample.reserve(1024);
    const auto before = mallinfo2().uordblks;
    for (std::size_t i = 0; i < jobs; ++i) {
      const auto j = store.create_job(where, "bench", inventory_job());
      if (i % std::max<std::size_t>(1, jobs / 1000) == 0) ids_sample.push_back(j.id);
      if (i == jobs / 2) middle_id = j.id;
    }
    heap_bytes_per_job = static_cast<double>(mallinfo2().uordblks - before) /
                         static_cast<double>(std::max<std::size_t>(jobs, 1));
  }

  glacier::config cfg;
  glacier::manual_clock clock;
  glacier::id_generator ids{42};
  glacier::store store{clock, ids, cfg};
  glacier::scope where{"123456789012", "us-east-1"};
  std::vector<std::string> ids_sample;
  std::string middle_id;
  double heap_bytes_per_job = 0;
};

// Built once per size and shared by the read-only benchmarks (filling a million takes
// seconds). `scratch` worlds are separate ones for benchmarks that add jobs.
world& world_of(std::int64_t jobs, bool scratch = false) {
  static std::map<std::pair<std::int64_t, bool>, std::unique_ptr<world>> worlds;
  auto& w = worlds[{jobs, scratch}];
  if (!w) w = std::make_unique<world>(static_cast<std::size_t>(jobs));
  return *w;
}

void BM_store_fill_heap_per_job(benchmark::State& state) {
  // The work is done by world_of(); this reports its heap accounting.
  auto& w = world_of(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(w.heap_bytes_per_job);
  state.counters["heap_bytes_per_job"] = w.heap_bytes_per_job;
}
BENCHMARK(BM_store_fill_heap_per_job)->Arg(10)->Arg(1'000'000)->Iterations(1);

void BM_store_create_job(benchmark::State& state) {
  auto& w = world_of(state.range(0), true);
  for (auto _ : state) {
    auto j = w.store.create_job(w.where, "bench", inventory_job());
    benchmark::DoNotOptimize(j);
  }
  state.SetLabel("store starts with N jobs; grows by the iterations");
}
BENCHMARK(BM_store_create_job)->Arg(10)->Arg(1'000'000)->Iterations(200'000);

void BM_store_describe_job(benchmark::State& state) {
  auto& w = world_of(state.range(0));
  std::size_t i = 0;
  for (auto _ : state) {
    auto j = w.store.describe_job(w.where, "bench", w.ids_sample[i++ % w.ids_sample.size()]);
    benchmark::DoNotOptimize(j);
  }
}
BENCHMARK(BM_store_describe_job)->Arg(10)->Arg(1'000'000);

void BM_store_list_jobs_first_page(benchmark::State& state) {
  auto& w = world_of(state.range(0));
  for (auto _ : state) {
    auto page = w.store.list_jobs(w.where, "bench", {}, std::nullopt, 50);
    benchmark::DoNotOptimize(page);
  }
}
BENCHMARK(BM_store_list_jobs_first_page)->Arg(10)->Arg(1'000'000);

void BM_store_list_jobs_from_marker(benchmark::State& state) {
  auto& w = world_of(state.range(0));
  for (auto _ : state) {
    auto page = w.store.list_jobs(w.where, "bench", {}, w.middle_id, 50);
    benchmark::DoNotOptimize(page);
  }
}
BENCHMARK(BM_store_list_jobs_from_marker)->Arg(10)->Arg(1'000'000);

// The whole of ListJobs' work for a page of 50 (of 60 jobs): the store's copies of the page
// and then its JSON, as the handler did, and the JSON written as the store visits the page
// through one reused job (store::visit_job_page), as it does now.
void BM_store_list_jobs_page_json_of_copies(benchmark::State& state) {
  auto& w = world_of(state.range(0));
  for (auto _ : state) {
    const auto page = w.store.list_jobs(w.where, "bench", {}, std::nullopt, 50);
    const auto body = glacier::api::job_list_body(page.items, page.marker);
    benchmark::DoNotOptimize(body.data());
  }
}
BENCHMARK(BM_store_list_jobs_page_json_of_copies)->Arg(60);

void BM_store_list_jobs_page_json_visited(benchmark::State& state) {
  auto& w = world_of(state.range(0));
  for (auto _ : state) {
    glacier::api::job_list_writer writer(50);
    const auto marker = w.store.visit_job_page(w.where, "bench", {}, std::nullopt, 50,
                                               [&](const glacier::job& j) { writer.add(j); });
    const auto body = std::move(writer).finish(marker);
    benchmark::DoNotOptimize(body.data());
  }
}
BENCHMARK(BM_store_list_jobs_page_json_visited)->Arg(60);

// ListJobs?statuscode=Succeeded while every job is in progress: the page stays empty, so
// the store walks every job of the vault under its lock.
void BM_store_list_jobs_filter_no_match(benchmark::State& state) {
  auto& w = world_of(state.range(0));
  glacier::job_filter filter;
  filter.status = glacier::job_status::succeeded;
  for (auto _ : state) {
    auto page = w.store.list_jobs(w.where, "bench", filter, std::nullopt, 50);
    benchmark::DoNotOptimize(page);
  }
  state.SetLabel("statuscode=Succeeded, all InProgress");
}
BENCHMARK(BM_store_list_jobs_filter_no_match)
    ->Arg(10)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMicrosecond);

// GET /_mock/metrics counts jobs by status and tier with this, under the store lock.
void BM_store_stats(benchmark::State& state) {
  auto& w = world_of(state.range(0));
  for (auto _ : state) {
    auto s = w.store.stats();
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_store_stats)->Arg(10)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// The scheduler completing N inventory jobs that fell due at once (empty vault, so the
// inventory document is tiny): time per completed job.
void BM_scheduler_complete_due(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto w = std::make_unique<world>(0);
    w->cfg.standard_delay = glacier::duration(1000);
    glacier::scheduler sched(w->clock, w->store, w->cfg);
    for (std::size_t i = 0; i < n; ++i) {
      const auto j = w->store.create_job(w->where, "bench", inventory_job());
      sched.schedule({j.sequence, j.due});
    }
    w->clock.advance(glacier::duration(1000));
    state.ResumeTiming();
    benchmark::DoNotOptimize(sched.run_due());
    state.PauseTiming();
    w.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_scheduler_complete_due)->Arg(100'000)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
