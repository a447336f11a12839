#include "glacier/jobs/notifier.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <exception>
#include <optional>

#include "glacier/aws/sns_client.hpp"
#include "glacier/jobs/retry.hpp"

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

std::vector<notification_record> notifier::records(std::size_t newest) const {
  std::lock_guard lock(mutex_);
  const auto skip = records_.size() - std::min(newest, records_.size());
  return {records_.begin() + static_cast<std::ptrdiff_t>(skip), records_.end()};
}

std::size_t notifier::size() const {
  std::lock_guard lock(mutex_);
  return records_.size();
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
    // deliver() catches its own failures; this is the last resort that keeps the thread.
    try {
      deliver(id);
    } catch (const std::exception& e) {
      spdlog::error("notification {}: unexpected delivery error: {}", id, e.what());
    } catch (...) {
      spdlog::error("notification {}: unexpected delivery error", id);
    }
    lock.lock();
  }
}

void notifier::deliver(std::uint64_t id) {
  // Finds a record by id under mutex_; records_ is in id order, and clear() may have
  // dropped it meanwhile.
  const auto find = [this](std::uint64_t wanted) -> notification_record* {
    const auto it = std::lower_bound(
        records_.begin(), records_.end(), wanted,
        [](const notification_record& r, std::uint64_t value) { return r.id < value; });
    return it != records_.end() && it->id == wanted ? &*it : nullptr;
  };

  std::string topic_arn;
  std::string job_id;
  std::string message;
  {
    std::lock_guard lock(mutex_);
    const auto* record = find(id);
    if (record == nullptr) return;
    topic_arn = record->topic_arn;
    job_id = record->job_id;
    message = record->message;
  }

  std::optional<sns_client> client;
  std::string setup_error;
  try {
    client.emplace(parse_sns_endpoint(config_.sns_endpoint),
                   sigv4::credentials{config_.sns_access_key_id, config_.sns_secret_access_key},
                   config_.default_region, config_.sns_timeout);
  } catch (const std::exception& e) {
    // Config validation rejects a bad endpoint, so only a hand-built config gets here.
    setup_error = std::string("bad SNS endpoint: ") + e.what();
  }

  const unsigned max_attempts = std::max(1U, config_.sns_max_attempts);
  auto backoff = config_.sns_retry_backoff;
  for (unsigned attempt = 1;; ++attempt) {
    // The request runs without the lock: records() and publish() must never wait on SNS.
    const auto result =
        client ? client->publish(topic_arn, message) : sns_publish_result{false, "", setup_error};
    std::unique_lock lock(mutex_);
    auto* record = find(id);
    if (record == nullptr) return;
    record->attempts = attempt;
    if (result.delivered) {
      record->status = "delivered";
      record->sns_message_id = result.message_id;
      record->error.clear();
      lock.unlock();
      spdlog::debug("notification {} for job {} delivered to {} as {}", id, job_id, topic_arn,
                    result.message_id);
      return;
    }
    record->error = result.error;
    const bool last = attempt >= max_attempts || !client;
    if (last) record->status = "failed";
    lock.unlock();
    if (last) {
      spdlog::warn("notification {} for job {} to {} failed after {} attempt(s): {}", id, job_id,
                   topic_arn, attempt, result.error);
      return;
    }
    spdlog::debug("notification {} to {}: attempt {} failed ({}), retrying in {} ms", id, topic_arn,
                  attempt, result.error, backoff.count());
    lock.lock();
    // A stop() ends the wait at once; the notification then stays pending.
    if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) return;
    if (find(id) == nullptr) return;
    lock.unlock();
    backoff = std::min(backoff * 2, max_retry_wait);
  }
}

}  // namespace glacier
