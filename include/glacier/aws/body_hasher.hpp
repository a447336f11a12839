#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "glacier/aws/leaf_hashing_worker.hpp"
#include "glacier/aws/tree_hash.hpp"

namespace glacier {

/// The two hashes Glacier checks on an upload body, computed while the body arrives:
/// the plain SHA-256 (x-amz-content-sha256) and the SHA-256 tree hash
/// (x-amz-sha256-tree-hash). Fed slice by slice as the bytes come off the socket, each
/// slice is hashed while it is still in the CPU's cache, instead of two more passes over
/// the whole body once it is complete. When the process may use more than one CPU, the
/// leaves are hashed on a leaf_hashing_worker while the caller's thread does the whole-body
/// pass, so an upload is not capped at half of one core's SHA-256 rate.
class body_hasher {
 public:
  struct result {
    digest sha256;
    digest tree_hash;
  };

  /// Leaves on a worker thread when the process may use more than one CPU.
  body_hasher();
  /// Leaves on a worker thread or not, as asked (tests use both).
  explicit body_hasher(bool leaves_on_worker);
  ~body_hasher();
  body_hasher(const body_hasher&) = delete;
  body_hasher& operator=(const body_hasher&) = delete;

  /// Hashes the next bytes of the body. With a worker, the bytes are read on it later: they
  /// must stay valid and unchanged until finish() returns or the hasher is destroyed.
  void update(std::string_view bytes);
  /// Both hashes of everything passed to update(); the hasher is spent afterwards.
  result finish();

 private:
  struct contexts;
  std::unique_ptr<contexts> contexts_;
  std::uint64_t leaf_filled_ = 0;  ///< bytes in the current 1 MiB leaf
  std::vector<digest> leaves_;
  std::optional<leaf_hashing_worker> worker_;
  leaf_hashing_worker::leaf pending_;  ///< the current leaf's pieces, for the worker
};

}  // namespace glacier
