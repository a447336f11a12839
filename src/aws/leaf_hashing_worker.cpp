#include "glacier/aws/leaf_hashing_worker.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace glacier {

digest sha256_of_pieces(const std::vector<std::string_view>& pieces) {
  if (pieces.size() == 1) return sha256(pieces.front());
  // Not a unique_ptr with a deleter type: that would clash with other files' in a unity build.
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  digest out{};
  unsigned int length = 0;
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
  for (const auto piece : pieces) {
    ok = ok && EVP_DigestUpdate(ctx, piece.data(), piece.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &length) == 1 && length == out.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("SHA-256 failed");
  return out;
}

leaf_hashing_worker::leaf_hashing_worker() : thread_([this] { run(); }) {}

leaf_hashing_worker::~leaf_hashing_worker() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
    queue_.clear();
  }
  wake_.notify_one();
  thread_.join();
}

void leaf_hashing_worker::add(leaf pieces) {
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pieces));
  }
  wake_.notify_one();
}

std::vector<digest> leaf_hashing_worker::finish() {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return (queue_.empty() && !busy_) || failure_ != nullptr; });
  if (failure_) std::rethrow_exception(failure_);
  return std::move(digests_);
}

void leaf_hashing_worker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    leaf next = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    // Hashed with no lock held: the I/O thread queues the next leaf meanwhile.
    digest d{};
    std::exception_ptr failed;
    try {
      d = sha256_of_pieces(next);
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    busy_ = false;
    if (failed) {
      failure_ = failed;
      queue_.clear();
    } else {
      digests_.push_back(d);
    }
    if (queue_.empty()) done_.notify_all();
  }
}

}  // namespace glacier
