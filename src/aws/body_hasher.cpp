#include "glacier/aws/body_hasher.hpp"

#include <openssl/evp.h>

#include <stdexcept>
#include <system_error>

#include "glacier/core/cpu_budget.hpp"

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

namespace {

// Read once: the affinity mask and cgroup quota do not change under a running server.
bool worker_pays_off() {
  static const bool more_than_one_cpu = usable_cpus().cpus > 1;
  return more_than_one_cpu;
}

}  // namespace

body_hasher::body_hasher() : body_hasher(worker_pays_off()) {}

body_hasher::body_hasher(bool leaves_on_worker) : contexts_(std::make_unique<contexts>()) {
  if (!leaves_on_worker) return;
  try {
    worker_.emplace();
  } catch (const std::system_error&) {
    // No thread to be had (a thread limit): hashing inline is slower, not wrong.
  }
}

body_hasher::~body_hasher() = default;

void body_hasher::update(std::string_view bytes) {
  hash_into(contexts_->whole, bytes);
  while (!bytes.empty()) {
    const auto room = static_cast<std::size_t>(tree_hash_chunk - leaf_filled_);
    const auto take = bytes.substr(0, room);
    if (worker_) {
      // Contiguous reads (the usual case: one body buffer) make one piece per leaf.
      if (!pending_.empty() && pending_.back().data() + pending_.back().size() == take.data()) {
        pending_.back() =
            std::string_view(pending_.back().data(), pending_.back().size() + take.size());
      } else {
        pending_.push_back(take);
      }
    } else {
      hash_into(contexts_->leaf, take);
    }
    leaf_filled_ += take.size();
    bytes.remove_prefix(take.size());
    if (leaf_filled_ == tree_hash_chunk) {
      if (worker_) {
        worker_->add(std::move(pending_));
        pending_.clear();
      } else {
        leaves_.push_back(final_digest(contexts_->leaf));
        start_sha256(contexts_->leaf);
      }
      leaf_filled_ = 0;
    }
  }
}

body_hasher::result body_hasher::finish() {
  result r;
  r.sha256 = final_digest(contexts_->whole);
  if (worker_) {
    // The last, partial leaf is hashed here while the worker finishes the full ones; the
    // wait that follows is for at most the leaves it has not reached yet.
    std::optional<digest> last;
    if (leaf_filled_ > 0) last = sha256_of_pieces(pending_);
    leaves_ = worker_->finish();
    worker_.reset();
    if (last) leaves_.push_back(*last);
    if (leaves_.empty()) leaves_.push_back(sha256({}));
  } else if (leaf_filled_ > 0 || leaves_.empty()) {
    // The last, partial leaf; an empty body is one leaf of no bytes, as tree_hash_leaves says.
    leaves_.push_back(final_digest(contexts_->leaf));
  }
  r.tree_hash = tree_hash_root(std::move(leaves_));
  return r;
}

}  // namespace glacier
