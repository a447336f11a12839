#include "glacier/notifier.hpp"

#include <spdlog/spdlog.h>

namespace glacier {

notifier::notifier(const config& cfg, const clock& clock) : config_(cfg), clock_(clock) {}

notifier::~notifier() {
  stop();
}

void notifier::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || config_.sns_endpoint.empty()) return;
  stopping_ = false;
  thread_ = std::thread([this] { deliver_loop(); });
}

void notifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void notifier::publish(const std::string& topic_arn, const std::string& job_id,
                       std::string message) {
  notification_record record;
  record.topic_arn = topic_arn;
  record.job_id = job_id;
  record.message = std::move(message);
  record.created = clock_.now();
  const bool deliver = !config_.sns_endpoint.empty();
  record.status = deliver ? "pending" : "recorded";
  {
    std::lock_guard lock(mutex_);
    record.id = next_id_++;
    if (deliver) queue_.push_back(record.id);
    records_.push_back(std::move(record));
  }
  if (deliver) wake_.notify_one();
}

std::vector<notification_record> notifier::records() const {
  std::lock_guard lock(mutex_);
  return records_;
}

std::map<std::string, std::uint64_t> notifier::counts_by_status() const {
  std::map<std::string, std::uint64_t> counts;
  std::lock_guard lock(mutex_);
  for (const auto& r : records_) ++counts[r.status];
  return counts;
}

void notifier::clear() {
  std::lock_guard lock(mutex_);
  records_.clear();
  queue_.clear();
}

void notifier::deliver_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto id = queue_.front();
    queue_.pop_front();
    lock.unlock();
    deliver(id);
    lock.lock();
  }
}

void notifier::deliver(std::uint64_t id) {
  // SNS delivery is not wired yet: the notification stays recorded as pending.
  spdlog::debug("notification {} queued for SNS delivery", id);
}

}  // namespace glacier
