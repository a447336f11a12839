#include "glacier/aws/body_hasher.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>

namespace glacier {
namespace {

std::string patterned_bytes(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + 3) % 251);
  return s;
}

// However the body is sliced as it arrives, both hashes are those of the whole body:
// slices that end exactly on, just before and just after a 1 MiB leaf boundary included.
// Both with the leaves hashed on the worker thread and inline on the caller's.
class body_hasher_modes : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(leaves, body_hasher_modes, ::testing::Values(true, false),
                         [](const auto& param_info) {
                           return param_info.param ? "on_worker" : "inline";
                         });

TEST_P(body_hasher_modes, any_slicing_gives_the_whole_body_hashes) {
  std::mt19937 random(7);
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{1048575}, std::size_t{1048576},
        std::size_t{1048577}, std::size_t{3145733}, std::size_t{5242880}}) {
    const auto body = patterned_bytes(size);
    for (const std::size_t most : {std::size_t{1}, std::size_t{4096}, std::size_t{65536},
                                   std::size_t{1048576}, std::size_t{3000000}}) {
      if (most == 1 && size > 65536) continue;  // byte by byte only for the small bodies
      body_hasher hasher(GetParam());
      std::uniform_int_distribution<std::size_t> slice(1, most);
      for (std::size_t at = 0; at < size;) {
        const auto n = std::min(slice(random), size - at);
        hasher.update(std::string_view(body).substr(at, n));
        at += n;
      }
      const auto result = hasher.finish();
      EXPECT_EQ(to_hex(result.sha256), to_hex(sha256(body))) << size << " by " << most;
      EXPECT_EQ(to_hex(result.tree_hash), to_hex(tree_hash(body))) << size << " by " << most;
    }
  }
}

// Slices that are not one buffer (each a string of its own, kept until finish() as the
// worker reads them late) give the same hashes: a leaf made of pieces from several places.
TEST_P(body_hasher_modes, slices_from_separate_buffers_give_the_whole_body_hashes) {
  const auto body = patterned_bytes(std::size_t{3} * 1024 * 1024 + 777);
  std::mt19937 random(11);
  std::uniform_int_distribution<std::size_t> slice(1, 300000);
  std::deque<std::string> copies;
  body_hasher hasher(GetParam());
  for (std::size_t at = 0; at < body.size();) {
    copies.push_back(body.substr(at, std::min(slice(random), body.size() - at)));
    hasher.update(copies.back());
    at += copies.back().size();
  }
  const auto result = hasher.finish();
  EXPECT_EQ(to_hex(result.sha256), to_hex(sha256(body)));
  EXPECT_EQ(to_hex(result.tree_hash), to_hex(tree_hash(body)));
}

// A request abandoned with leaves still queued or being hashed (the client closed the
// connection, the body was refused) stops the worker without finish(): no crash, no leak,
// no wait for the queued leaves (ASan's leak check runs this too).
TEST(body_hasher, is_destroyed_with_leaves_in_flight) {
  const auto body = patterned_bytes(std::size_t{16} * 1024 * 1024);
  for (int round = 0; round < 8; ++round) {
    body_hasher hasher(true);
    hasher.update(body);
  }
  body_hasher spent(true);
  spent.update(body);
  EXPECT_EQ(to_hex(spent.finish().tree_hash), to_hex(tree_hash(body)));
}

TEST(leaf_hashing_worker, returns_the_digests_in_the_order_the_leaves_came) {
  std::vector<std::string> leaves;
  for (int i = 0; i < 20; ++i)
    leaves.push_back(patterned_bytes(static_cast<std::size_t>(i) * 5000));
  leaf_hashing_worker worker;
  for (const auto& leaf : leaves) worker.add({leaf});
  const auto digests = worker.finish();
  ASSERT_EQ(digests.size(), leaves.size());
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    EXPECT_EQ(to_hex(digests[i]), to_hex(sha256(leaves[i]))) << i;
  }
}

TEST(leaf_hashing_worker, hashes_a_leaf_of_several_pieces_as_one_message) {
  const auto whole = patterned_bytes(100000);
  const std::string_view view(whole);
  EXPECT_EQ(
      to_hex(sha256_of_pieces({view.substr(0, 1), view.substr(1, 49999), view.substr(50000)})),
      to_hex(sha256(whole)));
  EXPECT_EQ(to_hex(sha256_of_pieces({})), to_hex(sha256({})));
}

}  // namespace
}  // namespace glacier
