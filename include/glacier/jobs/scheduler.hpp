#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "glacier/core/clock.hpp"
#include "glacier/store/store.hpp"

namespace glacier {

/// Completes jobs when the injected clock passes their due time, and purges them once
/// their retention has passed. One due-time ordered queue and one thread that sleeps until
/// the earliest due time (or until woken): no per-job timers, no polling.
class scheduler {
 public:
  /// Called, outside any lock, with each job the scheduler completed.
  using completion_listener = std::function<void(const completed_job&)>;
  /// Takes a select job whose time has come; it completes later, through job_finished().
  using select_handler = std::function<void(select_work)>;

  scheduler(const clock& clock, store& store, const config& cfg);
  ~scheduler();
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  /// Starts the background thread.
  void start();
  /// Stops and joins the background thread; pending jobs stay pending.
  void stop();

  /// Completes the job with this sequence number at `due`.
  void schedule(const job_timer& timer);
  /// Wakes the thread after the clock moved, so jobs now due complete at once.
  void clock_changed();
  /// Completes and purges everything due now, in due order; returns how many jobs completed.
  /// The background thread calls this; tests call it directly with a manual clock.
  std::size_t run_due();

  /// Completes an in-progress job now (admin API); a select job is handed to its worker
  /// and completes when its query has run. False when there is no such job.
  bool complete_now(std::uint64_t sequence);
  /// Fails an in-progress job now with `message` (admin API).
  bool fail_now(std::uint64_t sequence, const std::string& message);

  /// Sets who hears about completed jobs (notifications); call before start().
  void on_completion(completion_listener listener) { listener_ = std::move(listener); }
  /// Sets who runs select jobs (the select worker); call before start(). Without one, a
  /// due select job stays in progress.
  void on_select(select_handler handler) { select_handler_ = std::move(handler); }
  /// A job completed elsewhere (a select job, by its worker): schedules its purge and
  /// tells the completion listener.
  void job_finished(const completed_job& done);

 private:
  enum class action : std::uint8_t { complete, purge, select };
  struct entry {
    time_point due;
    std::uint64_t sequence;
    action what;
    bool operator>(const entry& other) const {
      return due != other.due ? due > other.due : sequence > other.sequence;
    }
  };

  void loop();
  void finished(const completed_job& done);

  const clock& clock_;
  store& store_;
  const config& config_;
  completion_listener listener_;
  select_handler select_handler_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<entry, std::vector<entry>, std::greater<>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace glacier
