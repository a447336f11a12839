// Job ids derived from sequence numbers: Glacier's shape, one id per sequence, and no id
// of another key or a tampered one is taken for a job's.
#include "glacier/core/job_id_codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <set>

namespace glacier {
namespace {

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

TEST(job_id_codec, ids_have_glaciers_length_and_alphabet) {
  const job_id_codec codec(42);
  for (const std::uint64_t sequence : {0U, 1U, 2U, 1000U, 1U << 30}) {
    const auto id = codec.encode(sequence);
    ASSERT_EQ(id.size(), 92u);
    for (char c : id) ASSERT_TRUE(in_alphabet(c)) << id;
  }
}

TEST(job_id_codec, every_id_decodes_to_its_own_sequence) {
  const job_id_codec codec(7);
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (const std::uint64_t sequence : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{99},
                                       std::uint64_t{123456789}, max - 1, max}) {
    EXPECT_EQ(codec.decode(codec.encode(sequence)), sequence);
  }
}

TEST(job_id_codec, consecutive_sequences_get_unrelated_ids) {
  const job_id_codec codec(1);
  std::set<std::string> ids;
  std::set<std::string> prefixes;
  for (std::uint64_t sequence = 1; sequence <= 10'000; ++sequence) {
    const auto id = codec.encode(sequence);
    ids.insert(id);
    prefixes.insert(id.substr(0, 4));
  }
  EXPECT_EQ(ids.size(), 10'000u);
  // Ids that shared their first characters would look sequential, which Glacier's do not.
  EXPECT_GT(prefixes.size(), 9'000u);
}

TEST(job_id_codec, the_same_key_gives_the_same_ids_and_another_key_other_ids) {
  EXPECT_EQ(job_id_codec(5).encode(17), job_id_codec(5).encode(17));
  EXPECT_NE(job_id_codec(5).encode(17), job_id_codec(6).encode(17));
  EXPECT_EQ(job_id_codec(6).decode(job_id_codec(5).encode(17)), std::nullopt);
}

TEST(job_id_codec, anything_but_an_exact_id_is_refused) {
  const job_id_codec codec(3);
  auto id = codec.encode(12);
  EXPECT_EQ(codec.decode(""), std::nullopt);
  EXPECT_EQ(codec.decode(id.substr(1)), std::nullopt);
  EXPECT_EQ(codec.decode(id + "A"), std::nullopt);
  auto tail = id;
  tail.back() = tail.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(codec.decode(tail), std::nullopt);
  auto head = id;
  head[0] = head[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(codec.decode(head), std::nullopt);
  auto bad = id;
  bad[5] = '!';
  EXPECT_EQ(codec.decode(bad), std::nullopt);
}

}  // namespace
}  // namespace glacier
