#include "glacier/core/clock.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace glacier {
namespace {

TEST(clock, formats_iso8601_with_milliseconds) {
  time_point t;
  ASSERT_TRUE(parse_iso8601("2012-03-20T17:03:43.221Z", t));
  EXPECT_EQ(format_iso8601(t), "2012-03-20T17:03:43.221Z");
  EXPECT_EQ(format_iso8601_seconds(t), "2012-03-20T17:03:43Z");
  EXPECT_EQ(format_http_date(t), "Tue, 20 Mar 2012 17:03:43 GMT");
}

// What format_iso8601 wrote before it had a formatter of its own: gmtime and snprintf.
std::string iso8601_by_printf(time_point t) {
  const auto ms_total = t.time_since_epoch().count();
  auto seconds = ms_total / 1000;
  auto ms = ms_total % 1000;
  if (ms < 0) {
    ms += 1000;
    seconds -= 1;
  }
  const std::time_t time = seconds;
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ms));
  return buffer;
}

TEST(clock, iso8601_writer_matches_gmtime_over_the_years_it_writes) {
  std::vector<long long> millis = {0,
                                   -1,
                                   951782400000LL,     // 2000-02-29
                                   4107542399999LL,    // 2100-02-28T23:59:59.999
                                   -62167219200000LL,  // 0000-01-01T00:00:00.000
                                   253402300799999LL,  // 9999-12-31T23:59:59.999
                                   1704067199999LL,    // 2023-12-31T23:59:59.999
                                   1709164800001LL};   // 2024-02-29T00:00:00.001
  std::mt19937_64 random(14);
  std::uniform_int_distribution<long long> any(-62167219200000LL, 253402300799999LL);
  for (int i = 0; i < 20000; ++i) millis.push_back(any(random));
  for (const auto ms : millis) {
    const time_point t{duration(ms)};
    char out[iso8601_size];
    ASSERT_TRUE(write_iso8601(out, t)) << ms;
    ASSERT_EQ(std::string(out, iso8601_size), iso8601_by_printf(t)) << ms;
    ASSERT_EQ(format_iso8601(t), iso8601_by_printf(t)) << ms;
  }
}

TEST(clock, iso8601_outside_four_digit_years_is_left_to_printf) {
  for (const long long ms : {-62167219200001LL, 253402300800000LL}) {
    const time_point t{duration(ms)};
    char out[iso8601_size];
    EXPECT_FALSE(write_iso8601(out, t)) << ms;
    EXPECT_EQ(format_iso8601(t), iso8601_by_printf(t)) << ms;
  }
  EXPECT_EQ(format_iso8601(time_point{duration(253402300800000LL)}), "10000-01-01T00:00:00.000Z");
}

TEST(clock, http_date_follows_each_second_and_back) {
  time_point t;
  ASSERT_TRUE(parse_iso8601("2012-03-20T17:03:43.221Z", t));
  EXPECT_EQ(format_http_date(t), "Tue, 20 Mar 2012 17:03:43 GMT");
  EXPECT_EQ(format_http_date(t + std::chrono::milliseconds(700)), "Tue, 20 Mar 2012 17:03:43 GMT");
  EXPECT_EQ(format_http_date(t + std::chrono::milliseconds(779)), "Tue, 20 Mar 2012 17:03:44 GMT");
  EXPECT_EQ(format_http_date(t + std::chrono::hours(24)), "Wed, 21 Mar 2012 17:03:43 GMT");
  EXPECT_EQ(format_http_date(t), "Tue, 20 Mar 2012 17:03:43 GMT");
}

TEST(clock, parses_offsets_and_date_only) {
  time_point a, b, c;
  ASSERT_TRUE(parse_iso8601("2013-03-20T19:03:43+02:00", a));
  ASSERT_TRUE(parse_iso8601("2013-03-20T17:03:43Z", b));
  EXPECT_EQ(a, b);
  ASSERT_TRUE(parse_iso8601("2013-03-20", c));
  EXPECT_EQ(format_iso8601(c), "2013-03-20T00:00:00.000Z");
}

TEST(clock, rejects_malformed_dates) {
  time_point t;
  for (const char* bad : {"", "yesterday", "2013-13-01T00:00:00Z", "2013-02-30T00:00:00Z",
                          "2013-03-20T17:03:43", "2013-03-20T25:00:00Z", "2013-03-20T17:03Z",
                          "2013-03-20T17:03:43.Z", "2013-03-20T17:03:43Zjunk"}) {
    EXPECT_FALSE(parse_iso8601(bad, t)) << bad;
  }
}

TEST(clock, adjustable_clock_only_moves_forward) {
  adjustable_clock c;
  c.advance(duration(5000));
  c.advance(duration(-1000));
  EXPECT_EQ(c.offset(), duration(5000));
}

}  // namespace
}  // namespace glacier
