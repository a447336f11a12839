#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace glacier {

using time_point = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
using duration = std::chrono::milliseconds;

/// The one source of "now" for job due times, dates and purges; injected everywhere.
class clock {
 public:
  virtual ~clock() = default;
  /// The current time, millisecond precision.
  virtual time_point now() const = 0;
  /// Moves this clock forward (never backwards) by `by`; the admin API's clock control.
  virtual void advance(duration by) = 0;
};

/// Wall-clock time plus an offset the admin API can move forward.
class adjustable_clock final : public clock {
 public:
  time_point now() const override;
  void advance(duration by) override;
  /// How far this clock runs ahead of the system clock.
  duration offset() const { return duration(offset_ms_.load()); }

 private:
  std::atomic<long long> offset_ms_{0};
};

/// A clock that only moves when told to; for tests.
class manual_clock final : public clock {
 public:
  explicit manual_clock(time_point start) : now_ms_(start.time_since_epoch().count()) {}
  time_point now() const override { return time_point(duration(now_ms_.load())); }
  void advance(duration by) override {
    if (by.count() > 0) now_ms_ += by.count();
  }

 private:
  std::atomic<long long> now_ms_;
};

/// ISO 8601 UTC with milliseconds, as Glacier writes dates: 2012-03-20T17:03:43.221Z.
std::string format_iso8601(time_point t);

/// The characters of format_iso8601 for a date in the years 0000 to 9999.
inline constexpr std::size_t iso8601_size = 24;
/// Writes format_iso8601(t) to out[0, iso8601_size) and returns true when t falls in the
/// years 0000 to 9999; otherwise writes nothing and returns false. Without snprintf and
/// gmtime: a ListJobs page formats 100 dates.
bool write_iso8601(char* out, time_point t);

/// ISO 8601 UTC without milliseconds (inventory dates): 2012-03-20T17:03:43Z.
std::string format_iso8601_seconds(time_point t);

/// RFC 1123 date for the HTTP Date header: Tue, 20 Mar 2012 17:03:43 GMT.
std::string format_http_date(time_point t);

/// Parses an ISO 8601 date-time in UTC ("2013-03-20T17:03:43Z", optional fraction, "Z" or
/// "+00:00"/"-hh:mm" offsets). Returns false when `text` is not one.
bool parse_iso8601(std::string_view text, time_point& out);

}  // namespace glacier
