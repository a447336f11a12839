// UploadArchive's tree-hash verification against one plain SHA-256 pass (OpenSSL EVP) over
// the same bytes: the tree hash hashes every byte once plus ~1 node per MiB, so it should
// run at nearly the same speed.
#include <benchmark/benchmark.h>

#include <string>

#include "glacier/aws/tree_hash.hpp"

namespace {

const std::string& bytes(std::int64_t n) {
  static std::string data;
  if (data.size() < static_cast<std::size_t>(n)) {
    data.resize(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7 + 3) % 251);
  }
  return data;
}

void BM_tree_hash(benchmark::State& state) {
  const std::string_view data(bytes(state.range(0)).data(),
                              static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto d = glacier::tree_hash(data);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_tree_hash)->Arg(64 << 10)->Arg(1 << 20)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);

void BM_sha256_evp(benchmark::State& state) {
  const std::string_view data(bytes(state.range(0)).data(),
                              static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto d = glacier::sha256(data);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_sha256_evp)->Arg(64 << 10)->Arg(1 << 20)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace
