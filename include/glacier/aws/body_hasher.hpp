#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "glacier/aws/tree_hash.hpp"

namespace glacier {

/// The two hashes Glacier checks on an upload body, computed while the body arrives:
/// the plain SHA-256 (x-amz-content-sha256) and the SHA-256 tree hash
/// (x-amz-sha256-tree-hash). Fed slice by slice as the bytes come off the socket, each
/// slice is hashed while it is still in the CPU's cache, instead of two more passes over
/// the whole body once it is complete.
class body_hasher {
 public:
  struct result {
    digest sha256;
    digest tree_hash;
  };

  body_hasher();
  ~body_hasher();
  body_hasher(const body_hasher&) = delete;
  body_hasher& operator=(const body_hasher&) = delete;

  /// Hashes the next bytes of the body.
  void update(std::string_view bytes);
  /// Both hashes of everything passed to update(); the hasher is spent afterwards.
  result finish();

 private:
  struct contexts;
  std::unique_ptr<contexts> contexts_;
  std::uint64_t leaf_filled_ = 0;  ///< bytes in the current 1 MiB leaf
  std::vector<digest> leaves_;
};

}  // namespace glacier
