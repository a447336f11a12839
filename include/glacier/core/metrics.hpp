#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace glacier {

/// Request counters and a duration histogram per operation, for /_mock/metrics.
/// Thread-safe; one short lock per request.
class request_metrics {
 public:
  /// Upper bounds, in seconds, of the duration histogram's buckets (+Inf is implied).
  static constexpr std::array<double, 10> bucket_bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                        0.005,  0.01,    0.05,   0.25,  1.0};

  /// Counts one request of `operation` answered with `status` after `elapsed`.
  void record(const std::string& operation, unsigned status, std::chrono::nanoseconds elapsed);

  /// Counts one request of `operation` refused by access control, for `reason`: the
  /// policy that denied it ("vault lock policy", "vault access policy") or "account" (a
  /// caller from another account that no policy grants).
  void record_denial(std::string_view operation, std::string_view reason);

  /// The Prometheus text exposition of these metrics.
  std::string exposition() const;

 private:
  struct histogram {
    std::array<std::uint64_t, bucket_bounds.size()> buckets{};
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, histogram> durations_;
  std::map<std::pair<std::string, std::string>, std::uint64_t, std::less<>> denials_;
};

/// Escapes a Prometheus label value (backslash, quote, newline).
std::string prometheus_label(std::string_view value);

}  // namespace glacier
