#include "glacier/core/clock.hpp"

#include <cstdint>
#include <limits>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace glacier {

time_point adjustable_clock::now() const {
  const auto wall = std::chrono::time_point_cast<duration>(std::chrono::system_clock::now());
  return wall + duration(offset_ms_.load());
}

void adjustable_clock::advance(duration by) {
  if (by.count() > 0) offset_ms_ += by.count();
}

namespace {

std::tm to_utc_tm(time_point t) {
  // From the milliseconds themselves: through system_clock's nanoseconds, dates before
  // 1678 or after 2262 overflowed into other centuries.
  const std::time_t seconds =
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

long long millis_of(time_point t) {
  const auto ms = t.time_since_epoch().count() % 1000;
  return ms < 0 ? ms + 1000 : ms;
}

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const auto result = std::from_chars(text.data() + pos, text.data() + pos + count, out);
  return result.ec == std::errc{};
}

void write_two_digits(char* out, unsigned value) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

bool write_iso8601(char* out, time_point t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return false;
  const auto ms = static_cast<unsigned>((t - day).count());  // [0, 86,400,000)
  const unsigned seconds = ms / 1000;
  write_two_digits(out, static_cast<unsigned>(year) / 100);
  write_two_digits(out + 2, static_cast<unsigned>(year) % 100);
  out[4] = '-';
  write_two_digits(out + 5, static_cast<unsigned>(ymd.month()));
  out[7] = '-';
  write_two_digits(out + 8, static_cast<unsigned>(ymd.day()));
  out[10] = 'T';
  write_two_digits(out + 11, seconds / 3600);
  out[13] = ':';
  write_two_digits(out + 14, seconds / 60 % 60);
  out[16] = ':';
  write_two_digits(out + 17, seconds % 60);
  out[19] = '.';
  out[20] = static_cast<char>('0' + ms % 1000 / 100);
  write_two_digits(out + 21, ms % 100);
  out[23] = 'Z';
  return true;
}

namespace {

// The general form, for dates outside the years 0000 to 9999.
std::string format_iso8601_printf(time_point t) {
  const auto tm = to_utc_tm(t);
  char buffer[96];  // room for any int the compiler imagines in each field
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis_of(t));
  return buffer;
}

}  // namespace

std::string format_iso8601(time_point t) {
  char buffer[iso8601_size];
  if (write_iso8601(buffer, t)) return std::string(buffer, iso8601_size);
  return format_iso8601_printf(t);
}

std::string format_iso8601_seconds(time_point t) {
  const auto tm = to_utc_tm(t);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string format_http_date(time_point t) {
  // Every response carries a Date; strftime once per second per thread, not per response.
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local std::string cached;
  const auto second = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  if (second != cached_second) {
    const auto tm = to_utc_tm(t);
    char buffer[40];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buffer;
    cached_second = second;
  }
  return cached;
}

bool parse_iso8601(std::string_view text, time_point& out) {
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!parse_digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' ||
      !parse_digits(text, 5, 2, month) || text[7] != '-' || !parse_digits(text, 8, 2, day)) {
    return false;
  }
  std::size_t pos = 10;
  long long millis = 0;
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' || !parse_digits(text, pos + 1, 2, hour) || text.size() < pos + 9 ||
        text[pos + 3] != ':' || !parse_digits(text, pos + 4, 2, minute) || text[pos + 6] != ':' ||
        !parse_digits(text, pos + 7, 2, second)) {
      return false;
    }
    pos += 9;
    if (pos < text.size() && text[pos] == '.') {
      std::size_t digits = 0;
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 3) millis = millis * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return false;
      for (std::size_t i = digits; i < 3; ++i) millis *= 10;
    }
    if (pos == text.size()) return false;  // a time needs a zone: Z or an offset
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
      pos += 1;
    } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() &&
               text[pos + 3] == ':') {
      int oh, om;
      if (!parse_digits(text, pos + 1, 2, oh) || !parse_digits(text, pos + 4, 2, om) || oh > 23 ||
          om > 59) {
        return false;
      }
      offset_minutes = (oh * 60 + om) * (text[pos] == '+' ? 1 : -1);
      pos += 6;
    } else {
      return false;
    }
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                           std::chrono::day{unsigned(day)}};
  if (!ymd.ok()) return false;
  const auto days = sys_days{ymd};
  out = time_point_cast<duration>(days) + hours{hour} + minutes{minute} + seconds{second} +
        milliseconds{millis} - minutes{offset_minutes};
  return true;
}

}  // namespace glacier
