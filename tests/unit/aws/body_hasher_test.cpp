#include "glacier/aws/body_hasher.hpp"

#include <gtest/gtest.h>

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
TEST(body_hasher, any_slicing_gives_the_whole_body_hashes) {
  std::mt19937 random(7);
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{1048575}, std::size_t{1048576},
        std::size_t{1048577}, std::size_t{3145733}, std::size_t{5242880}}) {
    const auto body = patterned_bytes(size);
    for (const std::size_t most : {std::size_t{1}, std::size_t{4096}, std::size_t{65536},
                                   std::size_t{1048576}, std::size_t{3000000}}) {
      if (most == 1 && size > 65536) continue;  // byte by byte only for the small bodies
      body_hasher hasher;
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

}  // namespace
}  // namespace glacier
