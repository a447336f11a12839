#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glacier::select {

/// An S3 Select timestamp as glacier-mock evaluates it: microseconds since 1970-01-01 UTC.
/// The local offset a timestamp was written with is applied, not kept (README).
using timestamp = std::int64_t;

/// Parses the W3C date-time forms the SQL reference uses: `2007T`, `2007-02T`,
/// `2007-02-23` or `2007-02-23T`, `2007-02-23T12:14Z`, `2007-02-23T12:14:33.079-08:00`
/// (a time needs an offset). Nothing else is a timestamp.
std::optional<timestamp> parse_timestamp(std::string_view text);

/// The timestamp in UTC: 2007-02-23T20:14:33Z, with as many fraction digits as it has.
std::string format_timestamp(timestamp t);

/// DATE_ADD(part, quantity, t); part is year, month, day, hour, minute or second. Months
/// and years keep the day, clamped to the last day of the month. Nothing on overflow.
std::optional<timestamp> date_add(std::string_view part, std::int64_t quantity, timestamp t);

/// DATE_DIFF(part, a, b): whole parts from a to b (negative when b is earlier).
std::int64_t date_diff(std::string_view part, timestamp a, timestamp b);

/// EXTRACT(part FROM t): year, month, day, hour, minute, second; timezone_hour and
/// timezone_minute are 0 (timestamps are kept in UTC).
std::int64_t extract(std::string_view part, timestamp t);

/// TO_STRING(t, pattern) with the SQL reference's pattern letters (y M d a h H m s S n X x
/// and 'quoted text'); nothing when the pattern has a letter it does not define.
std::optional<std::string> format_pattern(timestamp t, std::string_view pattern);

}  // namespace glacier::select
