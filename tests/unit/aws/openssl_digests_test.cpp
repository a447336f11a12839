// SHA-256 and HMAC-SHA256 with algorithms fetched once and contexts reused per thread:
// the published vectors, contexts reused across keys and sizes, and threads hashing at once.
#include "glacier/aws/openssl_digests.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "glacier/aws/sigv4.hpp"

namespace {

std::string hex(const glacier::openssl::sha256_bytes& bytes) {
  return glacier::sigv4::hex(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string sha256_hex(std::string_view data) {
  return hex(glacier::openssl::sha256(data.data(), data.size()));
}

// FIPS 180-2 appendix B.1 and the empty string.
TEST(openssl_digests, sha256_matches_the_published_vectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // The reused context starts clean after a large input.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// RFC 4231 test cases 2 (short key), 6 (key longer than the block) and 1, in an order that
// re-keys the reused context each time.
TEST(openssl_digests, hmac_sha256_matches_rfc_4231) {
  EXPECT_EQ(hex(glacier::openssl::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(
      hex(glacier::openssl::hmac_sha256(std::string(131, '\xaa'),
                                        "Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex(glacier::openssl::hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(glacier::openssl::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(openssl_digests, threads_hashing_at_once_get_the_same_answers) {
  constexpr int threads = 4;
  constexpr int rounds = 2000;
  std::vector<int> wrong(threads, 0);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([t, &wrong] {
      for (int i = 0; i < rounds; ++i) {
        const auto key = "key-" + std::to_string((t + i) % 3);
        if (hex(glacier::openssl::hmac_sha256("Jefe", "what do ya want for nothing?")) !=
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") {
          ++wrong[static_cast<std::size_t>(t)];
        }
        glacier::openssl::hmac_sha256(key, "other data of thread " + std::to_string(t));
        if (sha256_hex("abc") !=
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
          ++wrong[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  for (int t = 0; t < threads; ++t) EXPECT_EQ(wrong[static_cast<std::size_t>(t)], 0) << t;
}

}  // namespace
