#include "glacier/core/ids.hpp"

#include <string_view>

namespace glacier {

namespace {
constexpr std::size_t alphanumeric_count = 62;
}  // namespace

id_generator::id_generator() : id_generator(std::uint64_t{std::random_device{}()}) {}

// The job id key is the seed itself (the codec mixes it), so a seed fixes job ids too
// without drawing from the engine that makes the other ids.
id_generator::id_generator(std::uint64_t seed) : engine_(seed), job_ids_(seed) {}

std::string id_generator::make(std::size_t length, bool alphanumeric_only) {
  const std::size_t symbols = alphanumeric_only ? alphanumeric_count : id_alphabet.size();
  std::string id(length, ' ');
  std::lock_guard lock(mutex_);
  // Ten symbols per 64-bit draw keeps generation cheap on the InitiateJob hot path.
  std::uint64_t bits = 0;
  int left = 0;
  for (auto& c : id) {
    if (left == 0) {
      bits = engine_();
      left = 10;
    }
    c = id_alphabet[(bits & 63) % symbols];
    bits >>= 6;
    --left;
  }
  return id;
}

}  // namespace glacier
