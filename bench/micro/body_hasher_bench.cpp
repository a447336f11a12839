// The upload body hasher as the request parser drives it (256 KiB slices, as the session
// reads a large body), with the tree hash's leaves on the worker thread and inline: with
// two CPUs the worker should bring both hashes near one SHA-256 pass (BM_sha256_evp in
// tree_hash_bench.cpp); inline, it takes two.
#include <benchmark/benchmark.h>

#include <string>

#include "glacier/aws/body_hasher.hpp"

namespace {

const std::string& body_bytes(std::size_t n) {
  static std::string data;
  if (data.size() < n) {
    data.resize(n);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 13 + 5) % 251);
  }
  return data;
}

void hash_in_slices(benchmark::State& state, bool on_worker) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string_view data(body_bytes(size).data(), size);
  constexpr std::size_t slice = 256 * 1024;
  for (auto _ : state) {
    glacier::body_hasher hasher(on_worker);
    for (std::size_t at = 0; at < size; at += slice) hasher.update(data.substr(at, slice));
    auto r = hasher.finish();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_body_hasher_leaves_on_worker(benchmark::State& state) {
  hash_in_slices(state, true);
}
void BM_body_hasher_leaves_inline(benchmark::State& state) {
  hash_in_slices(state, false);
}

// Real time: the worker's CPU time is not the calling thread's.
BENCHMARK(BM_body_hasher_leaves_on_worker)
    ->Arg(4 << 20)
    ->Arg(64 << 20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_body_hasher_leaves_inline)
    ->Arg(4 << 20)
    ->Arg(64 << 20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
