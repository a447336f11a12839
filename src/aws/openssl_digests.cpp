#include "glacier/aws/openssl_digests.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace glacier::openssl {

namespace {

// Fetched on first use and kept for the process: freeing them at exit would race threads
// that still hash (the scheduler, the notifier).
const EVP_MD* sha256_algorithm() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) throw std::runtime_error("OpenSSL has no SHA256");
  return md;
}

EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) throw std::runtime_error("OpenSSL has no HMAC");
  return mac;
}

struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

struct mac_ctx_deleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

EVP_MD_CTX* thread_digest_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("SHA-256 context allocation failed");
  return ctx.get();
}

// The HMAC context of this thread, its digest set once; each use re-keys it.
EVP_MAC_CTX* thread_hmac_context() {
  thread_local const std::unique_ptr<EVP_MAC_CTX, mac_ctx_deleter> ctx = [] {
    std::unique_ptr<EVP_MAC_CTX, mac_ctx_deleter> made(EVP_MAC_CTX_new(hmac_algorithm()));
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end()};
    if (made && EVP_MAC_CTX_set_params(made.get(), params) != 1) made.reset();
    return made;
  }();
  if (!ctx) throw std::runtime_error("HMAC-SHA256 context setup failed");
  return ctx.get();
}

}  // namespace

sha256_bytes sha256(const void* data, std::size_t size) {
  auto* ctx = thread_digest_context();
  sha256_bytes out{};
  unsigned int length = 0;
  if (EVP_DigestInit_ex2(ctx, sha256_algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data, size) != 1 || EVP_DigestFinal_ex(ctx, out.data(), &length) != 1 ||
      length != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

sha256_bytes hmac_sha256(std::string_view key, std::string_view data) {
  auto* ctx = thread_hmac_context();
  sha256_bytes out{};
  std::size_t length = 0;
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) !=
          1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &length, out.size()) != 1 || length != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

}  // namespace glacier::openssl
