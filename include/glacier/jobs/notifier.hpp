#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"

namespace glacier {

/// One job notification and what became of it.
struct notification_record {
  std::uint64_t id = 0;
  std::string topic_arn;
  std::string job_id;
  std::string message;  ///< the job's DescribeJob JSON
  time_point created;
  std::string status;  ///< recorded (no SNS endpoint), pending, delivered, failed
  unsigned attempts = 0;
  std::string error;           ///< the last delivery error, if any
  std::string sns_message_id;  ///< MessageId the SNS endpoint answered with
};

/// Records every job notification and, when an SNS endpoint is configured, delivers it
/// with SNS Publish on its own thread, with bounded retries. Never blocks a request and
/// never throws into the caller. Thread-safe.
class notifier {
 public:
  notifier(const config& cfg, const clock& clock);
  ~notifier();
  notifier(const notifier&) = delete;
  notifier& operator=(const notifier&) = delete;

  /// Starts the delivery thread (only needed with an SNS endpoint).
  void start();
  /// Stops the delivery thread; undelivered notifications stay pending.
  void stop();

  /// Records a notification of `message` to `topic_arn` and queues its delivery.
  void publish(const std::string& topic_arn, const std::string& job_id, std::string message);
  /// The newest `newest` notifications (all by default), oldest first.
  std::vector<notification_record> records(
      std::size_t newest = std::numeric_limits<std::size_t>::max()) const;
  /// How many notifications are held.
  std::size_t size() const;
  /// How many notifications are in each status.
  std::map<std::string, std::uint64_t> counts_by_status() const;
  /// Forgets every notification (admin reset).
  void clear();

 private:
  void deliver_loop();
  void deliver(std::uint64_t id);

  const config& config_;
  const clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<notification_record> records_;
  std::deque<std::uint64_t> queue_;
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace glacier
