#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "glacier/aws/tree_hash.hpp"

namespace glacier {

/// Hashes tree-hash leaves on a thread of its own, in the order they are handed over, so
/// that an upload's two SHA-256 passes (the whole body's, for x-amz-content-sha256, and each
/// leaf's, for the tree hash) run on two cores instead of one after the other on the I/O
/// thread. The worker only reads the bytes: they must stay valid and unchanged until
/// finish() returns or the worker is destroyed.
class leaf_hashing_worker {
 public:
  /// One leaf: the pieces of up to 1 MiB of body, in order (a leaf may span several reads).
  using leaf = std::vector<std::string_view>;

  /// Starts the thread; throws std::system_error when no thread can be started.
  leaf_hashing_worker();
  /// Stops after the leaf in progress and joins, without hashing what is still queued (an
  /// abandoned request: the connection closed or the body was refused).
  ~leaf_hashing_worker();
  leaf_hashing_worker(const leaf_hashing_worker&) = delete;
  leaf_hashing_worker& operator=(const leaf_hashing_worker&) = delete;

  /// Queues the next leaf.
  void add(leaf pieces);
  /// Waits until every queued leaf is hashed and returns their digests in order; rethrows a
  /// hashing failure. The worker is spent afterwards.
  std::vector<digest> finish();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;  ///< the worker: a leaf was queued, or stop
  std::condition_variable done_;  ///< finish(): the queue ran empty
  std::deque<leaf> queue_;
  std::vector<digest> digests_;
  std::exception_ptr failure_;
  bool busy_ = false;  ///< the worker holds a leaf taken off the queue
  bool stop_ = false;
  std::thread thread_;  ///< last: started once everything it uses exists
};

/// SHA-256 of the pieces of one leaf, as one message.
digest sha256_of_pieces(const std::vector<std::string_view>& pieces);

}  // namespace glacier
