// Timestamps of the Select dialect: W3C date-times in, microseconds since the epoch inside,
// ISO 8601 out. The civil-date conversions are Howard Hinnant's algorithms
// (http://howardhinnant.github.io/date_algorithms.html), exact for every proleptic
// Gregorian date.
#include "glacier/jobs/select/timestamp.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace glacier::select {

namespace {

constexpr std::int64_t micros_per_second = 1'000'000;
constexpr std::int64_t micros_per_day = 86'400 * micros_per_second;

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

// The broken-down UTC time of a timestamp.
struct fields {
  civil date;
  std::int64_t micros_of_day;
  unsigned hour() const {
    return static_cast<unsigned>(micros_of_day / (3600 * micros_per_second));
  }
  unsigned minute() const {
    return static_cast<unsigned>(micros_of_day / (60 * micros_per_second) % 60);
  }
  unsigned second() const { return static_cast<unsigned>(micros_of_day / micros_per_second % 60); }
  std::int64_t fraction() const { return micros_of_day % micros_per_second; }
};

// Timestamps are kept within the years 0000 to 9999, the ones the W3C form can write.
const timestamp earliest = days_from_civil(0, 1, 1) * micros_per_day;
const timestamp end_of_time = days_from_civil(10000, 1, 1) * micros_per_day;

fields split(timestamp t) {
  const auto days = floor_div(t, micros_per_day);
  return {civil_from_days(days), t - days * micros_per_day};
}

class cursor {
 public:
  explicit cursor(std::string_view text) : text_(text) {}
  bool done() const { return at_ == text_.size(); }
  bool take(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  // Exactly `n` digits.
  std::optional<unsigned> digits(std::size_t n) {
    if (at_ + n > text_.size()) return std::nullopt;
    unsigned value = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = text_[at_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    at_ += n;
    return value;
  }
  // One or more digits as a fraction of a second, in microseconds (extra digits dropped).
  std::optional<std::int64_t> fraction() {
    std::int64_t micros = 0;
    std::int64_t scale = 100'000;
    const auto start = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      micros += (text_[at_] - '0') * scale;
      scale /= 10;
      ++at_;
    }
    if (at_ == start) return std::nullopt;
    return micros;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

void append_padded(std::string& out, std::int64_t value, std::size_t width) {
  std::array<char, 24> buffer{};
  const bool negative = value < 0;
  const auto magnitude = negative ? -value : value;
  const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), magnitude).ptr;
  const auto length = static_cast<std::size_t>(end - buffer.data());
  if (negative) out += '-';
  if (length < width) out.append(width - length, '0');
  out.append(buffer.data(), length);
}

constexpr std::array<std::string_view, 12> month_names{
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

}  // namespace

std::optional<timestamp> parse_timestamp(std::string_view text) {
  cursor c(text);
  const auto year = c.digits(4);
  if (!year) return std::nullopt;
  unsigned month = 1;
  unsigned day = 1;
  bool full_date = false;
  if (c.take('-')) {
    const auto m = c.digits(2);
    if (!m || *m < 1 || *m > 12) return std::nullopt;
    month = *m;
    if (c.take('-')) {
      const auto d = c.digits(2);
      if (!d || *d < 1 || *d > days_in_month(*year, month)) return std::nullopt;
      day = *d;
      full_date = true;
    }
  }
  std::int64_t micros = days_from_civil(*year, month, day) * micros_per_day;
  if (c.done()) return full_date ? std::optional(micros) : std::nullopt;
  if (!c.take('T')) return std::nullopt;
  if (c.done()) return micros;
  if (!full_date) return std::nullopt;
  const auto hour = c.digits(2);
  if (!hour || *hour > 23 || !c.take(':')) return std::nullopt;
  const auto minute = c.digits(2);
  if (!minute || *minute > 59) return std::nullopt;
  std::int64_t seconds = *hour * 3600 + *minute * 60;
  std::int64_t fraction = 0;
  if (c.take(':')) {
    const auto second = c.digits(2);
    if (!second || *second > 59) return std::nullopt;
    seconds += *second;
    if (c.take('.')) {
      const auto f = c.fraction();
      if (!f) return std::nullopt;
      fraction = *f;
    }
  }
  std::int64_t offset = 0;
  if (!c.take('Z')) {
    const char sign = c.peek();
    if (sign != '+' && sign != '-') return std::nullopt;
    c.take(sign);
    const auto oh = c.digits(2);
    if (!oh || *oh > 23 || !c.take(':')) return std::nullopt;
    const auto om = c.digits(2);
    if (!om || *om > 59) return std::nullopt;
    offset = static_cast<std::int64_t>(*oh * 3600 + *om * 60) * (sign == '-' ? -1 : 1);
  }
  if (!c.done()) return std::nullopt;
  return micros + (seconds - offset) * micros_per_second + fraction;
}

std::string format_timestamp(timestamp t) {
  const auto f = split(t);
  std::string out;
  append_padded(out, f.date.year, 4);
  out += '-';
  append_padded(out, f.date.month, 2);
  out += '-';
  append_padded(out, f.date.day, 2);
  out += 'T';
  append_padded(out, f.hour(), 2);
  out += ':';
  append_padded(out, f.minute(), 2);
  out += ':';
  append_padded(out, f.second(), 2);
  if (auto fraction = f.fraction(); fraction != 0) {
    std::size_t width = 6;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --width;
    }
    out += '.';
    append_padded(out, fraction, width);
  }
  out += 'Z';
  return out;
}

std::optional<timestamp> date_add(std::string_view part, std::int64_t quantity, timestamp t) {
  if (part == "year" || part == "month") {
    const auto f = split(t);
    std::int64_t months = 0;
    if (__builtin_mul_overflow(quantity, part == "year" ? 12 : 1, &months)) return std::nullopt;
    const auto total = f.date.year * 12 + static_cast<std::int64_t>(f.date.month) - 1;
    std::int64_t shifted = 0;
    if (__builtin_add_overflow(total, months, &shifted)) return std::nullopt;
    const auto year = floor_div(shifted, 12);
    if (year < 0 || year > 9999) return std::nullopt;
    const auto month = static_cast<unsigned>(shifted - year * 12 + 1);
    const auto day = std::min(f.date.day, days_in_month(year, month));
    return days_from_civil(year, month, day) * micros_per_day + f.micros_of_day;
  }
  std::int64_t unit = micros_per_second;
  if (part == "day") unit = micros_per_day;
  if (part == "hour") unit = 3600 * micros_per_second;
  if (part == "minute") unit = 60 * micros_per_second;
  std::int64_t delta = 0;
  std::int64_t result = 0;
  if (__builtin_mul_overflow(quantity, unit, &delta) || __builtin_add_overflow(t, delta, &result) ||
      result < earliest || result >= end_of_time) {
    return std::nullopt;
  }
  return result;
}

std::int64_t date_diff(std::string_view part, timestamp a, timestamp b) {
  if (part == "year" || part == "month") {
    const auto fa = split(a);
    const auto fb = split(b);
    std::int64_t months = (fb.date.year - fa.date.year) * 12 +
                          (static_cast<std::int64_t>(fb.date.month) - fa.date.month);
    // Only whole months count: the day and time of day decide whether the last one is.
    const auto rest_a = static_cast<std::int64_t>(fa.date.day) * micros_per_day + fa.micros_of_day;
    const auto rest_b = static_cast<std::int64_t>(fb.date.day) * micros_per_day + fb.micros_of_day;
    if (months > 0 && rest_b < rest_a) --months;
    if (months < 0 && rest_b > rest_a) ++months;
    return part == "year" ? months / 12 : months;
  }
  std::int64_t unit = micros_per_second;
  if (part == "day") unit = micros_per_day;
  if (part == "hour") unit = 3600 * micros_per_second;
  if (part == "minute") unit = 60 * micros_per_second;
  // Whole units, truncated toward zero like the reference's examples. Timestamps stay in
  // years 0000-9999, so the difference cannot overflow.
  return (b - a) / unit;
}

std::int64_t extract(std::string_view part, timestamp t) {
  const auto f = split(t);
  if (part == "year") return f.date.year;
  if (part == "month") return f.date.month;
  if (part == "day") return f.date.day;
  if (part == "hour") return f.hour();
  if (part == "minute") return f.minute();
  if (part == "second") return f.second();
  return 0;  // timezone_hour, timezone_minute
}

std::optional<std::string> format_pattern(timestamp t, std::string_view pattern) {
  const auto f = split(t);
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      const auto close = pattern.find('\'', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      if (close == i + 1) {
        out += '\'';  // '' is a quote
      } else {
        out.append(pattern.substr(i + 1, close - i - 1));
      }
      i = close + 1;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      out += c;
      ++i;
      continue;
    }
    std::size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    i += n;
    const auto hour12 = f.hour() % 12 == 0 ? 12 : f.hour() % 12;
    switch (c) {
      case 'y':
        if (n == 2) {
          append_padded(out, ((f.date.year % 100) + 100) % 100, 2);
        } else {
          append_padded(out, f.date.year, n);
        }
        break;
      case 'M':
        if (n <= 2) {
          append_padded(out, f.date.month, n);
        } else {
          const auto name = month_names[f.date.month - 1];
          out.append(n == 3 ? name.substr(0, 3) : n == 4 ? name : name.substr(0, 1));
        }
        break;
      case 'd':
        append_padded(out, f.date.day, n);
        break;
      case 'a':
        out += f.hour() < 12 ? "AM" : "PM";
        break;
      case 'h':
        append_padded(out, hour12, n);
        break;
      case 'H':
        append_padded(out, f.hour(), n);
        break;
      case 'm':
        append_padded(out, f.minute(), n);
        break;
      case 's':
        append_padded(out, f.second(), n);
        break;
      case 'S': {
        // n digits of the fraction of a second, truncated.
        std::string digits;
        append_padded(digits, f.fraction(), 6);
        digits.resize(std::max<std::size_t>(n, 6), '0');
        out.append(digits, 0, n);
        break;
      }
      case 'n':
        append_padded(out, f.fraction() * 1000, n);
        break;
      case 'X':
        out += 'Z';
        break;
      case 'x':
        out += n == 1 ? "+00" : (n == 3 || n == 5) ? "+00:00" : "+0000";
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace glacier::select
