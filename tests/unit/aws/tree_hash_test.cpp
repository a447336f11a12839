#include "glacier/aws/tree_hash.hpp"

#include <gtest/gtest.h>

namespace glacier {
namespace {

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + 3) % 251);
  return s;
}

constexpr std::uint64_t mib = 1024 * 1024;

// Expected values are botocore.utils.calculate_tree_hash of the same bytes.
TEST(tree_hash, matches_botocore_at_chunk_boundaries) {
  const std::pair<std::size_t, const char*> cases[] = {
      {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {1, "084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5"},
      {1048575, "964f7407a5c63905977034c42edeea2d71fe23bc25db6bba1e0da4e77c4ed2b3"},
      {1048576, "1ac437f476c488acba4000af7ae89ef53f7ffbeef2e937850985f5ceb8b5ae6f"},
      {1048577, "e7408dee4d5a8cbdd0e8d58bee8ed7030fd0ef32716ace3a88556b816fcde32e"},
      {3145733, "eca2d1c47dd0530fe9b40c744640afa287fffb6d492422a738dd2f58d14ff96e"},
      {5242880, "25cbfd0b6adcaeb034ddf2b9f63f377a7f67b403fae212cade0c422140cf288b"},
  };
  for (const auto& [size, expected] : cases) {
    EXPECT_EQ(to_hex(tree_hash(pattern(size))), expected) << "size " << size;
  }
}

TEST(tree_hash, small_data_equals_plain_sha256) {
  const auto data = pattern(1000);
  EXPECT_EQ(tree_hash(data), sha256(data));
}

TEST(tree_hash, root_of_part_hashes_equals_hash_of_whole) {
  const auto data = pattern(static_cast<std::size_t>(5 * mib + 17));
  std::vector<digest> parts;
  for (std::size_t offset = 0; offset < data.size(); offset += 2 * mib) {
    parts.push_back(tree_hash(std::string_view(data).substr(offset, 2 * mib)));
  }
  EXPECT_EQ(tree_hash_root(parts), tree_hash(data));
}

TEST(tree_hash, hex_round_trips_and_rejects_bad_input) {
  const auto d = sha256("abc");
  digest back{};
  ASSERT_TRUE(from_hex(to_hex(d), back));
  EXPECT_EQ(back, d);
  EXPECT_FALSE(from_hex("abc", back));
  EXPECT_FALSE(from_hex(std::string(64, 'g'), back));
}

TEST(tree_hash, alignment_follows_the_tree) {
  const std::uint64_t size = 8 * mib;
  EXPECT_TRUE(is_tree_hash_aligned(0, size - 1, size));
  EXPECT_TRUE(is_tree_hash_aligned(mib, 2 * mib - 1, size));       // odd P, one MiB
  EXPECT_FALSE(is_tree_hash_aligned(mib, 3 * mib - 1, size));      // odd P, two MiB
  EXPECT_TRUE(is_tree_hash_aligned(2 * mib, 4 * mib - 1, size));   // P=2, length 2
  EXPECT_FALSE(is_tree_hash_aligned(2 * mib, 6 * mib - 1, size));  // length 4 at P=2
  EXPECT_TRUE(is_tree_hash_aligned(4 * mib, 8 * mib - 1, size));
  EXPECT_FALSE(is_tree_hash_aligned(0, 3 * mib - 1, size));  // length 3
  EXPECT_FALSE(is_tree_hash_aligned(0, 100, size));          // not a MiB end
  // A range that runs to the end of a data size that is not a power of two.
  EXPECT_TRUE(is_tree_hash_aligned(4 * mib, 5 * mib + 9, 5 * mib + 10));
  EXPECT_FALSE(is_tree_hash_aligned(2 * mib, 5 * mib + 9, 5 * mib + 10));
}

}  // namespace
}  // namespace glacier
