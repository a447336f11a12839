#include "glacier/jobs/scheduler.hpp"

#include <spdlog/spdlog.h>

#include "glacier/core/error.hpp"

namespace glacier {

namespace {

constexpr duration retry_after_refusal{1000};

}  // namespace

scheduler::scheduler(const clock& clock, store& store, const config& cfg)
    : clock_(clock), store_(store), config_(cfg) {}

scheduler::~scheduler() {
  stop();
}

void scheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void scheduler::schedule(const job_timer& timer) {
  bool earliest;
  {
    std::lock_guard lock(mutex_);
    earliest = queue_.empty() || timer.due < queue_.top().due;
    const auto what = timer.purge    ? action::purge
                      : timer.select ? action::select
                                     : action::complete;
    queue_.push(entry{timer.due, timer.sequence, what});
  }
  // Only a new earliest entry changes how long the thread must sleep.
  if (earliest) wake_.notify_one();
}

void scheduler::clock_changed() {
  wake_.notify_all();
}

std::size_t scheduler::run_due() {
  std::size_t completed = 0;
  for (;;) {
    entry next;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty() || queue_.top().due > clock_.now()) break;
      next = queue_.top();
      queue_.pop();
    }
    std::optional<completed_job> done;
    try {
      if (next.what == action::purge) {
        store_.purge_job(next.sequence);
        continue;
      }
      if (next.what == action::select) {
        // The query runs on the select worker, never here: this may be an I/O thread
        // (POST /_mock/clock/advance runs due jobs before it answers).
        if (select_handler_) {
          if (auto work = store_.start_select(next.sequence)) select_handler_(std::move(*work));
        }
        continue;
      }
      // CompletionDate is the due time, not the moment this thread got to it.
      done = store_.complete_job(next.sequence, next.due);
    } catch (const error&) {
      // The disk refused the change (the journal said so, once), and the store left the
      // job as it was: try again a second from now.
      std::lock_guard lock(mutex_);
      queue_.push(entry{clock_.now() + retry_after_refusal, next.sequence, next.what});
      continue;
    }
    if (!done) continue;
    ++completed;
    finished(*done);
  }
  return completed;
}

void scheduler::finished(const completed_job& done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push(
        entry{*done.job.completion_date + config_.job_retention, done.job.sequence, action::purge});
  }
  // No wake-up here: inside run_due() it would start a second run_due() on the scheduler
  // thread; callers outside run_due() wake the thread once they are done.
  if (listener_) listener_(done);
}

void scheduler::job_finished(const completed_job& done) {
  finished(done);
  wake_.notify_one();  // its purge may now be the earliest entry
}

bool scheduler::complete_now(std::uint64_t sequence) {
  if (select_handler_) {
    if (auto work = store_.start_select(sequence)) {
      select_handler_(std::move(*work));
      return true;
    }
  }
  const auto done = store_.complete_job(sequence, clock_.now());
  if (done) finished(*done);
  wake_.notify_one();  // its purge may now be the earliest entry
  return done.has_value();
}

bool scheduler::fail_now(std::uint64_t sequence, const std::string& message) {
  const auto done = store_.fail_job(sequence, clock_.now(), message);
  if (done) finished(*done);
  wake_.notify_one();  // its purge may now be the earliest entry
  return done.has_value();
}

void scheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto wait = queue_.top().due - clock_.now();
    if (wait.count() > 0) {
      // Sleeps until the earliest due time; schedule() and clock_changed() wake it early.
      wake_.wait_for(lock, wait);
      continue;
    }
    lock.unlock();
    try {
      run_due();
    } catch (const std::exception& e) {
      spdlog::error("job scheduler: {}", e.what());
    }
    lock.lock();
  }
}

}  // namespace glacier
