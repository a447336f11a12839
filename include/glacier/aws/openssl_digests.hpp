#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace glacier::openssl {

/// A SHA-256 or HMAC-SHA256 result.
using sha256_bytes = std::array<unsigned char, 32>;

/// SHA-256 of `size` bytes at `data`. OpenSSL 3 looks an algorithm up in its provider
/// table on every EVP_sha256()-based init and builds a context per EVP_Digest call, which
/// costs more than hashing a small request; here SHA-256 is fetched once per process and
/// each thread reuses one context. Thread-safe. Throws std::runtime_error if OpenSSL fails.
sha256_bytes sha256(const void* data, std::size_t size);

/// HMAC-SHA256 of `data` under `key`, with the HMAC algorithm fetched once and one context
/// per thread (see sha256). Thread-safe. Throws std::runtime_error if OpenSSL fails.
sha256_bytes hmac_sha256(std::string_view key, std::string_view data);

}  // namespace glacier::openssl
