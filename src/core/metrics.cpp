#include "glacier/core/metrics.hpp"

#include <fmt/format.h>

namespace glacier {

void request_metrics::record(const std::string& operation, unsigned status,
                             std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::lock_guard lock(mutex_);
  ++requests_[{operation, status}];
  auto& h = durations_[operation];
  for (std::size_t i = 0; i < bucket_bounds.size(); ++i) {
    if (seconds <= bucket_bounds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum_seconds += seconds;
}

void request_metrics::record_denial(std::string_view operation, std::string_view reason) {
  std::lock_guard lock(mutex_);
  ++denials_[{std::string(operation), std::string(reason)}];
}

std::string prometheus_label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string request_metrics::exposition() const {
  std::string out;
  out += "# HELP glacier_requests_total Requests answered, by operation and HTTP status.\n";
  out += "# TYPE glacier_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, count] : requests_) {
    out += fmt::format("glacier_requests_total{{operation=\"{}\",status=\"{}\"}} {}\n",
                       prometheus_label(key.first), key.second, count);
  }
  out += "# HELP glacier_request_duration_seconds Time to handle a request, by operation.\n";
  out += "# TYPE glacier_request_duration_seconds histogram\n";
  for (const auto& [operation, h] : durations_) {
    const auto label = prometheus_label(operation);
    for (std::size_t i = 0; i < bucket_bounds.size(); ++i) {
      out +=
          fmt::format("glacier_request_duration_seconds_bucket{{operation=\"{}\",le=\"{}\"}} {}\n",
                      label, bucket_bounds[i], h.buckets[i]);
    }
    out +=
        fmt::format("glacier_request_duration_seconds_bucket{{operation=\"{}\",le=\"+Inf\"}} {}\n",
                    label, h.count);
    out += fmt::format("glacier_request_duration_seconds_sum{{operation=\"{}\"}} {}\n", label,
                       h.sum_seconds);
    out += fmt::format("glacier_request_duration_seconds_count{{operation=\"{}\"}} {}\n", label,
                       h.count);
  }
  out +=
      "# HELP glacier_access_denied_total Requests refused with AccessDeniedException by access "
      "control, by operation and reason.\n";
  out += "# TYPE glacier_access_denied_total counter\n";
  for (const auto& [key, count] : denials_) {
    out += fmt::format("glacier_access_denied_total{{operation=\"{}\",reason=\"{}\"}} {}\n",
                       prometheus_label(key.first), prometheus_label(key.second), count);
  }
  return out;
}

}  // namespace glacier
