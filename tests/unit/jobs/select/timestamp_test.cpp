// Timestamps of the Select dialect: the W3C forms, arithmetic across months and years,
// and TO_STRING's pattern letters.
#include "glacier/jobs/select/timestamp.hpp"

#include <gtest/gtest.h>

namespace glacier::testing {
namespace {

std::string iso(std::string_view text) {
  const auto t = select::parse_timestamp(text);
  return t ? select::format_timestamp(*t) : "invalid";
}

TEST(select_timestamp, parses_every_documented_precision) {
  EXPECT_EQ(iso("2007T"), "2007-01-01T00:00:00Z");
  EXPECT_EQ(iso("2007-02T"), "2007-02-01T00:00:00Z");
  EXPECT_EQ(iso("2007-02-23"), "2007-02-23T00:00:00Z");
  EXPECT_EQ(iso("2007-02-23T"), "2007-02-23T00:00:00Z");
  EXPECT_EQ(iso("2007-02-23T12:14Z"), "2007-02-23T12:14:00Z");
  EXPECT_EQ(iso("2007-02-23T12:14:33.079-08:00"), "2007-02-23T20:14:33.079Z");
  EXPECT_EQ(iso("2007-02-23T00:30+01:00"), "2007-02-22T23:30:00Z");
  EXPECT_EQ(iso("2007-02-23T12:14:33.1234567Z"), "2007-02-23T12:14:33.123456Z");
  EXPECT_EQ(iso("0001-01-01T"), "0001-01-01T00:00:00Z");
  EXPECT_EQ(iso("1969-12-31T23:59:59.5Z"), "1969-12-31T23:59:59.5Z");
}

TEST(select_timestamp, refuses_what_is_not_a_timestamp) {
  for (const char* bad :
       {"", "2007", "2007-02", "2007-13T", "2007-02-30", "2007-02-23T12:14", "2007-02-23T24:00Z",
        "2007-02-23T12:14:60Z", "2007T12:00Z", "2007-02-23T12:14+5:00", "07-02-23",
        "2007-02-23T12:14Zjunk", "2007-02-23 12:14Z", "2007-02-23T12:14:33.Z"}) {
    EXPECT_FALSE(select::parse_timestamp(bad).has_value()) << bad;
  }
  EXPECT_TRUE(select::parse_timestamp("2008-02-29").has_value());
  EXPECT_FALSE(select::parse_timestamp("2007-02-29").has_value());
}

TEST(select_timestamp, date_add_keeps_the_day_within_the_month) {
  const auto jan31 = *select::parse_timestamp("2011-01-31T10:00Z");
  EXPECT_EQ(select::format_timestamp(*select::date_add("month", 1, jan31)), "2011-02-28T10:00:00Z");
  EXPECT_EQ(select::format_timestamp(*select::date_add("month", -2, jan31)),
            "2010-11-30T10:00:00Z");
  EXPECT_EQ(select::format_timestamp(
                *select::date_add("year", 1, *select::parse_timestamp("2012-02-29T"))),
            "2013-02-28T00:00:00Z");
  EXPECT_EQ(select::format_timestamp(*select::date_add("minute", 90, jan31)),
            "2011-01-31T11:30:00Z");
  EXPECT_FALSE(select::date_add("year", 9000, jan31).has_value());
  EXPECT_FALSE(select::date_add("second", INT64_MAX, jan31).has_value());
}

TEST(select_timestamp, date_diff_counts_whole_parts) {
  const auto a = *select::parse_timestamp("2010-01-31T10:00Z");
  EXPECT_EQ(select::date_diff("month", a, *select::parse_timestamp("2010-02-28T10:00Z")), 0);
  EXPECT_EQ(select::date_diff("month", a, *select::parse_timestamp("2010-03-31T10:00Z")), 2);
  EXPECT_EQ(select::date_diff("year", a, *select::parse_timestamp("2012-01-31T09:59Z")), 1);
  EXPECT_EQ(select::date_diff("hour", a, *select::parse_timestamp("2010-01-31T08:30Z")), -1);
  EXPECT_EQ(select::date_diff("second", a, a), 0);
}

TEST(select_timestamp, extract_reads_utc_fields) {
  const auto t = *select::parse_timestamp("2017-01-02T03:04:05.678Z");
  EXPECT_EQ(select::extract("year", t), 2017);
  EXPECT_EQ(select::extract("month", t), 1);
  EXPECT_EQ(select::extract("day", t), 2);
  EXPECT_EQ(select::extract("hour", t), 3);
  EXPECT_EQ(select::extract("minute", t), 4);
  EXPECT_EQ(select::extract("second", t), 5);
  EXPECT_EQ(select::extract("timezone_hour", t), 0);
}

TEST(select_timestamp, to_string_patterns) {
  const auto t = *select::parse_timestamp("1969-07-20T20:18:04.5Z");
  EXPECT_EQ(select::format_pattern(t, "yyyy-MM-dd'T'HH:mm:ss.SSSX"), "1969-07-20T20:18:04.500Z");
  EXPECT_EQ(select::format_pattern(t, "h:mm a, MMMMM"), "8:18 PM, J");
  EXPECT_EQ(select::format_pattern(t, "''yy'' xxx"), "'69' +00:00");
  EXPECT_EQ(select::format_pattern(t, "n"), "500000000");
  EXPECT_FALSE(select::format_pattern(t, "yyyy Q").has_value());
  EXPECT_FALSE(select::format_pattern(t, "'open").has_value());
}

}  // namespace
}  // namespace glacier::testing
