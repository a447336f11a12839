#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"
#include "glacier/store/store.hpp"

namespace glacier {

/// Runs select jobs on its own thread: the query over the archive, then the objects of
/// spec Part 3C.5, kept with the job and, with --s3-endpoint, written to S3 with bounded
/// retries. A job ends Succeeded, or Failed with the query's error or the write's. The
/// I/O threads only queue work here; the scheduler hands jobs over when they are due.
class select_worker {
 public:
  /// A job's DescribeJob JSON: the content of its job.txt.
  using describe_function = std::function<std::string(const job&)>;
  /// Called, outside any lock, with each job the worker completed.
  using finished_function = std::function<void(const completed_job&)>;

  select_worker(const config& cfg, const clock& clock, store& store, describe_function describe);
  ~select_worker();
  select_worker(const select_worker&) = delete;
  select_worker& operator=(const select_worker&) = delete;

  /// Sets who hears about completed jobs; call before start().
  void on_finished(finished_function f) { finished_ = std::move(f); }
  /// Starts the worker thread.
  void start();
  /// Interrupts the running query and stops the thread; jobs not finished stay in progress.
  void stop();

  /// Queues a job the store handed out (store::start_select). Thread-safe.
  void submit(select_work work);
  /// Runs what is queued on the calling thread; for tests and fuzzers, which start no
  /// thread. Returns how many jobs it ran.
  std::size_t run_pending();

 private:
  void loop();
  void run(select_work work);
  /// Writes every object to S3; false (with the reason in `out`) when one could not be.
  bool deliver(const job& j, select_output& out);
  /// Waits `how_long` unless stop() comes first; true when stopping.
  bool wait_or_stop(duration how_long);

  const config& config_;
  const clock& clock_;
  store& store_;
  describe_function describe_;
  finished_function finished_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<select_work> queue_;
  bool stopping_ = false;
  std::atomic<bool> interrupt_{false};
  std::thread thread_;
};

}  // namespace glacier
