#include "glacier/aws/body_hasher.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace glacier {

namespace {

void start_sha256(EVP_MD_CTX* ctx) {
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 initialisation failed");
  }
}

void hash_into(EVP_MD_CTX* ctx, std::string_view bytes) {
  if (EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
}

digest final_digest(EVP_MD_CTX* ctx) {
  digest out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx, out.data(), &length) != 1 || length != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

}  // namespace

// Raw OpenSSL contexts owned here (a deleter type from the unnamed namespace would give
// this struct internal linkage in a unity build).
struct body_hasher::contexts {
  EVP_MD_CTX* whole = EVP_MD_CTX_new();
  EVP_MD_CTX* leaf = EVP_MD_CTX_new();
  contexts() {
    try {
      start_sha256(whole);
      start_sha256(leaf);
    } catch (...) {
      free_both();  // the destructor does not run for a constructor that throws
      throw;
    }
  }
  ~contexts() { free_both(); }
  contexts(const contexts&) = delete;
  contexts& operator=(const contexts&) = delete;
  void free_both() noexcept {
    EVP_MD_CTX_free(whole);
    EVP_MD_CTX_free(leaf);
  }
};

body_hasher::body_hasher() : contexts_(std::make_unique<contexts>()) {}

body_hasher::~body_hasher() = default;

void body_hasher::update(std::string_view bytes) {
  hash_into(contexts_->whole, bytes);
  while (!bytes.empty()) {
    const auto room = static_cast<std::size_t>(tree_hash_chunk - leaf_filled_);
    const auto take = bytes.substr(0, room);
    hash_into(contexts_->leaf, take);
    leaf_filled_ += take.size();
    bytes.remove_prefix(take.size());
    if (leaf_filled_ == tree_hash_chunk) {
      leaves_.push_back(final_digest(contexts_->leaf));
      start_sha256(contexts_->leaf);
      leaf_filled_ = 0;
    }
  }
}

body_hasher::result body_hasher::finish() {
  // The last, partial leaf; an empty body is one leaf of no bytes, as tree_hash_leaves says.
  if (leaf_filled_ > 0 || leaves_.empty()) leaves_.push_back(final_digest(contexts_->leaf));
  result r;
  r.sha256 = final_digest(contexts_->whole);
  r.tree_hash = tree_hash_root(std::move(leaves_));
  return r;
}

}  // namespace glacier
