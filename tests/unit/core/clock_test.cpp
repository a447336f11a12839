#include "glacier/core/clock.hpp"

#include <gtest/gtest.h>

namespace glacier {
namespace {

TEST(clock, formats_iso8601_with_milliseconds) {
  time_point t;
  ASSERT_TRUE(parse_iso8601("2012-03-20T17:03:43.221Z", t));
  EXPECT_EQ(format_iso8601(t), "2012-03-20T17:03:43.221Z");
  EXPECT_EQ(format_iso8601_seconds(t), "2012-03-20T17:03:43Z");
  EXPECT_EQ(format_http_date(t), "Tue, 20 Mar 2012 17:03:43 GMT");
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
