#include "glacier/auth/condition.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "glacier/auth/policy_error.hpp"
#include "glacier/auth/wildcard.hpp"

namespace glacier::auth {
namespace {

using values = std::optional<std::vector<std::string>>;

// One row: an operator and its policy values, the request's values of the key (nullopt:
// the key is absent), and whether the condition holds. Values and cases follow the
// examples of IAM's condition operator reference.
struct condition_row {
  const char* op;
  nlohmann::json policy_values;
  values request;
  bool holds;
};

void check(const std::vector<condition_row>& rows) {
  for (const auto& r : rows) {
    const auto c = parse_condition(r.op, "test:Key", r.policy_values);
    const bool got = condition_holds(c, r.request ? &*r.request : nullptr);
    EXPECT_EQ(got, r.holds) << r.op << " " << r.policy_values.dump() << " request "
                            << (r.request ? nlohmann::json(*r.request).dump() : "absent");
  }
}

TEST(condition, string_operators_match_case_and_wildcards_as_iam_says) {
  check({
      {"StringEquals", "iamuser-admin", values{{"iamuser-admin"}}, true},
      {"StringEquals", "iamuser-admin", values{{"IAMUser-Admin"}}, false},
      {"StringEquals", {"a", "b"}, values{{"b"}}, true},  // values are ORed
      {"StringEquals", "a", std::nullopt, false},         // absent key: positive is false
      {"StringNotEquals", "a", values{{"b"}}, true},
      {"StringNotEquals", {"a", "b"}, values{{"b"}}, false},  // negated: NOR of values
      {"StringNotEquals", "a", std::nullopt, true},           // absent key: negated is true
      {"StringEqualsIgnoreCase", "iamuser-admin", values{{"IAMUser-Admin"}}, true},
      {"StringNotEqualsIgnoreCase", "iamuser-admin", values{{"IAMUser-Admin"}}, false},
      {"StringLike", "home/*", values{{"home/alice/notes"}}, true},
      {"StringLike", "t?.micro", values{{"t2.micro"}}, true},
      {"StringLike", "t?.micro", values{{"t22.micro"}}, false},
      {"StringLike", "Home/*", values{{"home/alice"}}, false},  // case-sensitive
      {"StringNotLike", {"t1.*", "t2.*"}, values{{"m3.large"}}, true},
      {"StringNotLike", {"t1.*", "t2.*"}, values{{"t2.nano"}}, false},
  });
}

TEST(condition, numeric_operators_compare_numbers_written_as_strings_or_numbers) {
  check({
      {"NumericLessThanEquals", "10", values{{"10"}}, true},
      {"NumericLessThanEquals", "10", values{{"11"}}, false},
      {"NumericLessThan", 365, values{{"364"}}, true},
      {"NumericLessThan", "365", values{{"365"}}, false},
      {"NumericGreaterThan", "1.5", values{{"2"}}, true},
      {"NumericGreaterThanEquals", "365", values{{"365"}}, true},
      {"NumericEquals", "7", values{{"7.0"}}, true},
      {"NumericNotEquals", "7", values{{"8"}}, true},
      {"NumericNotEquals", "7", values{{"7"}}, false},
      {"NumericLessThan", "365", values{{"not a number"}}, false},
      {"NumericLessThan", "365", std::nullopt, false},
  });
}

TEST(condition, date_operators_take_iso_dates_and_epoch_seconds) {
  check({
      {"DateGreaterThan", "2020-01-01T00:00:01Z", values{{"2020-06-30T12:00:00Z"}}, true},
      {"DateGreaterThan", "2020-01-01T00:00:01Z", values{{"2019-12-31T23:59:59Z"}}, false},
      {"DateLessThan", "2013-06-30T00:00:00Z", values{{"2013-06-29T23:59:59.999Z"}}, true},
      {"DateLessThan", "2013-06-30", values{{"2013-06-30T00:00:00Z"}}, false},
      {"DateLessThanEquals", "1372550400", values{{"2013-06-30T00:00:00Z"}}, true},
      {"DateEquals", "2013-06-30T02:00:00+02:00", values{{"2013-06-30T00:00:00Z"}}, true},
      {"DateNotEquals", "2013-06-30T00:00:00Z", values{{"1372550401"}}, true},
      {"DateGreaterThanEquals", "2013-06-30T00:00:00Z", values{{"1372550400"}}, true},
  });
}

TEST(condition, bool_binary_ip_and_arn_operators) {
  check({
      {"Bool", "false", values{{"false"}}, true},
      {"Bool", false, values{{"true"}}, false},
      {"Bool", true, values{{"true"}}, true},
      {"BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", values{{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}},
       true},
      {"BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", values{{"AAAA"}}, false},
      {"IpAddress", "203.0.113.0/24", values{{"203.0.113.9"}}, true},
      {"IpAddress", "203.0.113.0/24", values{{"203.0.114.9"}}, false},
      {"IpAddress", "2001:DB8:1234:5678::/64", values{{"2001:db8:1234:5678::abcd"}}, true},
      {"IpAddress", "2001:DB8:1234:5678::/64", values{{"203.0.113.9"}}, false},
      {"IpAddress", "127.0.0.1", values{{"127.0.0.1"}}, true},  // a bare address is a /32
      {"NotIpAddress", {"192.0.2.0/24", "203.0.113.0/24"}, values{{"198.51.100.7"}}, true},
      {"NotIpAddress", {"192.0.2.0/24", "203.0.113.0/24"}, values{{"192.0.2.7"}}, false},
      {"ArnLike", "arn:aws:sns:*:123456789012:topic-*",
       values{{"arn:aws:sns:us-east-1:123456789012:topic-1"}}, true},
      {"ArnEquals", "arn:aws:iam::123456789012:user/alice",
       values{{"arn:aws:iam::123456789012:user/alice"}}, true},
      {"ArnLike", "arn:aws:iam::123456789012:*", values{{"arn:aws:iam::444455556666:user/bob"}},
       false},
      {"ArnNotLike", "arn:aws:iam::123456789012:*", values{{"arn:aws:iam::444455556666:user/bob"}},
       true},
      {"ArnNotEquals", "arn:aws:iam::123456789012:user/alice", values{{"not-an-arn"}}, true},
  });
}

TEST(condition, if_exists_passes_an_absent_key_and_tests_a_present_one) {
  check({
      {"StringLikeIfExists", {"t1.*", "t2.*", "m3.*"}, std::nullopt, true},
      {"StringLikeIfExists", {"t1.*", "t2.*", "m3.*"}, values{{"t2.micro"}}, true},
      {"StringLikeIfExists", {"t1.*", "t2.*", "m3.*"}, values{{"c5.large"}}, false},
      {"BoolIfExists", "false", std::nullopt, true},
      {"NumericLessThanIfExists", "365", values{{"400"}}, false},
  });
}

// IAM: a key absent from the request makes a positive operator false and a negated one
// (...Not...) true, whatever the operator's type; IfExists makes either true.
TEST(condition, an_absent_key_fails_positive_operators_and_passes_negated_ones) {
  check({
      {"StringEqualsIgnoreCase", "a", std::nullopt, false},
      {"StringNotEqualsIgnoreCase", "a", std::nullopt, true},
      {"StringLike", "a*", std::nullopt, false},
      {"StringNotLike", "a*", std::nullopt, true},
      {"NumericEquals", "1", std::nullopt, false},
      {"NumericNotEquals", "1", std::nullopt, true},
      {"NumericGreaterThan", "1", std::nullopt, false},
      {"DateEquals", "2020-01-01T00:00:00Z", std::nullopt, false},
      {"DateNotEquals", "2020-01-01T00:00:00Z", std::nullopt, true},
      {"DateGreaterThanEquals", "2020-01-01T00:00:00Z", std::nullopt, false},
      {"Bool", "true", std::nullopt, false},
      {"BinaryEquals", "AAAA", std::nullopt, false},
      {"IpAddress", "10.0.0.0/8", std::nullopt, false},
      {"NotIpAddress", "10.0.0.0/8", std::nullopt, true},
      {"ArnEquals", "arn:aws:iam::123456789012:user/a", std::nullopt, false},
      {"ArnNotEquals", "arn:aws:iam::123456789012:user/a", std::nullopt, true},
      {"ArnNotLike", "arn:aws:iam::*", std::nullopt, true},
      {"StringNotEqualsIfExists", "a", std::nullopt, true},
      {"StringNotEqualsIfExists", "a", values{{"a"}}, false},
      {"DateGreaterThanIfExists", "2020-01-01T00:00:00Z", std::nullopt, true},
      {"DateGreaterThanIfExists", "2020-01-01T00:00:00Z", values{{"2019-01-01T00:00:00Z"}}, false},
      {"IpAddressIfExists", "10.0.0.0/8", std::nullopt, true},
      {"IpAddressIfExists", "10.0.0.0/8", values{{"192.0.2.1"}}, false},
      {"ArnLikeIfExists", "arn:aws:iam::123456789012:*", std::nullopt, true},
      {"ArnLikeIfExists", "arn:aws:iam::123456789012:*",
       values{{"arn:aws:iam::123456789012:role/r"}}, true},
      {"NumericEqualsIfExists", "3", values{{"3"}}, true},
  });
}

// IAM's examples for keys with several values: "ForAllValues:StringLike" over a list of
// patterns, and IfExists with a set qualifier.
TEST(condition, set_operators_with_wildcards_and_if_exists) {
  check({
      {"ForAnyValue:StringLike", {"prod-*", "stage-*"}, values{{"dev-1", "stage-2"}}, true},
      {"ForAnyValue:StringLike", {"prod-*", "stage-*"}, values{{"dev-1", "dev-2"}}, false},
      {"ForAllValues:StringLike", {"prod-*", "stage-*"}, values{{"prod-1", "stage-2"}}, true},
      {"ForAllValues:StringLike", {"prod-*", "stage-*"}, values{{"prod-1", "dev-2"}}, false},
      {"ForAllValues:StringNotLike", {"secret-*"}, values{{"a", "b"}}, true},
      {"ForAllValues:StringNotLike", {"secret-*"}, values{{"a", "secret-b"}}, false},
      {"ForAnyValue:StringEqualsIfExists", {"a"}, std::nullopt, true},
      {"ForAnyValue:NumericLessThan", "10", values{{"20", "5"}}, true},
      {"ForAllValues:NumericLessThan", "10", values{{"20", "5"}}, false},
  });
}

TEST(condition, null_tests_whether_the_key_is_present) {
  check({
      {"Null", "true", std::nullopt, true},
      {"Null", "true", values{{"x"}}, false},
      {"Null", "false", values{{"x"}}, true},
      {"Null", "false", std::nullopt, false},
  });
}

// IAM's multivalued-key examples (aws:TagKeys): ForAllValues holds when every request
// value is listed, even for no values at all; ForAnyValue when at least one is.
TEST(condition, set_operators_follow_the_multivalued_key_examples) {
  const nlohmann::json tags = {"environment", "cost-center"};
  check({
      {"ForAllValues:StringEquals", tags, values{{"environment", "cost-center"}}, true},
      {"ForAllValues:StringEquals", tags, values{{"environment"}}, true},
      {"ForAllValues:StringEquals", tags, values{{"environment", "dept"}}, false},
      {"ForAllValues:StringEquals", tags, std::nullopt, true},
      {"ForAllValues:StringEquals", tags, values{std::vector<std::string>{}}, true},
      {"ForAnyValue:StringEquals", tags, values{{"environment", "dept"}}, true},
      {"ForAnyValue:StringEquals", tags, values{{"dept"}}, false},
      {"ForAnyValue:StringEquals", tags, std::nullopt, false},
      {"ForAnyValue:StringNotEquals", tags, values{{"environment", "dept"}}, true},
      {"ForAllValues:StringNotEquals", tags, values{{"environment", "dept"}}, false},
      {"ForAllValues:StringLike", {"env*"}, values{{"environment", "envoy"}}, true},
      {"StringEquals", tags, values{{"dept", "cost-center"}}, true},  // no qualifier: any
      {"StringNotEquals", tags, values{{"dept", "cost-center"}}, false},
  });
}

TEST(condition, operator_names_and_keys_ignore_case) {
  const auto c = parse_condition("numericlessthanifexists", "Glacier:ArchiveAgeinDays", "365");
  EXPECT_EQ(c.key, "glacier:archiveageindays");
  EXPECT_TRUE(c.if_exists);
  EXPECT_EQ(c.family, condition_family::numeric);
}

TEST(condition, refuses_unknown_operators_and_malformed_values) {
  const std::vector<std::pair<const char*, nlohmann::json>> bad = {
      {"StringStartsWith", "a"},
      {"NumericLessThan", "ten"},
      {"DateLessThan", "tomorrow"},
      {"Bool", "yes"},
      {"IpAddress", "300.1.1.1"},
      {"IpAddress", "10.0.0.0/33"},
      {"NullIfExists", "true"},
      {"ForAnyValue:Null", "true"},
      {"Null", "maybe"},
      {"StringEquals", nlohmann::json::array()},
      {"StringEquals", {{"a", 1}}},
      {"ArnLike", "not-an-arn"},
      {"ForSomeValues:StringEquals", "a"},
  };
  for (const auto& [op, value] : bad) {
    EXPECT_THROW(parse_condition(op, "test:Key", value), policy_error) << op << " " << value;
  }
}

TEST(wildcard, matches_star_and_question_mark) {
  EXPECT_TRUE(wildcard_match("glacier:delete*", "glacier:deletearchive"));
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_TRUE(wildcard_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(wildcard_match("a*b*c", "aXXbYY"));
  EXPECT_TRUE(wildcard_match("GLACIER:Get*", "glacier:getvaultlock", true));
  EXPECT_FALSE(wildcard_match("GLACIER:Get*", "glacier:getvaultlock", false));
  EXPECT_TRUE(wildcard_match("v?ult", "vault"));
  EXPECT_FALSE(wildcard_match("v?ult", "vaault"));
  // Backtracking stays linear: a long hostile pattern answers at once.
  EXPECT_FALSE(wildcard_match(std::string(200, '*') + "b", std::string(5000, 'a')));
}

}  // namespace
}  // namespace glacier::auth
