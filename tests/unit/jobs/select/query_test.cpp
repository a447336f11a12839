// What the parser accepts and what it refuses, with S3 Select's error codes: the checks
// InitiateJob makes before a select job is accepted.
#include "glacier/jobs/select/query.hpp"

#include <gtest/gtest.h>

namespace glacier::testing {
namespace {

std::string refusal(const std::string& sql, csv_header_mode header = csv_header_mode::none) {
  try {
    select::parse_and_check(sql, header);
  } catch (const select::select_error& e) {
    return e.code();
  }
  return "";
}

TEST(select_parser, reads_the_select_list_from_and_where) {
  const auto q = select::parse_and_check(
      "SELECT s._1 AS one, UPPER(s._2) two FROM archive s WHERE s._3 > 100", csv_header_mode::none);
  EXPECT_FALSE(q.select_all);
  ASSERT_EQ(q.projections.size(), 2u);
  EXPECT_EQ(q.projections[0].value->kind, select::node_kind::column);
  EXPECT_EQ(q.projections[0].value->position, 1u);
  EXPECT_EQ(q.projections[0].alias, "one");
  EXPECT_EQ(q.projections[1].value->kind, select::node_kind::function);
  EXPECT_EQ(q.projections[1].value->text, "upper");
  EXPECT_EQ(q.projections[1].alias, "two");
  EXPECT_EQ(q.table, "archive");
  EXPECT_EQ(q.alias, "s");
  ASSERT_TRUE(q.where);
  EXPECT_EQ(q.where->kind, select::node_kind::binary);
  EXPECT_EQ(q.where->text, ">");
}

TEST(select_parser, multiplication_binds_tighter_than_addition_and_and_than_or) {
  const auto q = select::parse_query("SELECT 1 + 2 * 3 FROM archive WHERE TRUE OR FALSE AND FALSE");
  const auto& sum = *q.projections[0].value;
  EXPECT_EQ(sum.text, "+");
  EXPECT_EQ(sum.args[1]->text, "*");
  EXPECT_EQ(q.where->text, "OR");
  EXPECT_EQ(q.where->args[1]->text, "AND");
}

TEST(select_parser, accepts_the_documented_forms) {
  for (const std::string sql : {
           "SELECT * FROM archive",
           "select * from OBJECT",
           "SELECT * FROM archive AS a WHERE a._1 = 'x'",
           "SELECT CAST(s._1 AS DECIMAL(10, 2)) FROM archive s",
           "SELECT s._1 FROM archive s WHERE s._2 NOT LIKE 'a%' ESCAPE '!'",
           "SELECT s._1 FROM archive s WHERE s._2 IS NOT MISSING AND s._3 IS NULL",
           "SELECT TRIM(LEADING 'x' FROM s._1), SUBSTRING(s._1 FROM 1 FOR 2) FROM archive s",
           "SELECT EXTRACT(timezone_minute FROM UTCNOW()), DATE_DIFF(day, `2010T`, `2011T`) "
           "FROM archive",
           "SELECT -s._1, - -1 FROM archive s -- a comment",
       }) {
    EXPECT_EQ(refusal(sql), "") << sql;
  }
}

struct refusal_case {
  std::string name;
  std::string sql;
  std::string code;
  csv_header_mode header = csv_header_mode::none;
};

void PrintTo(const refusal_case& c, std::ostream* os) {
  *os << c.name << ": " << c.sql;
}

class select_refusal : public ::testing::TestWithParam<refusal_case> {};

TEST_P(select_refusal, is_refused_with_s3_selects_code) {
  const auto& c = GetParam();
  EXPECT_EQ(refusal(c.sql, c.header), c.code);
}

INSTANTIATE_TEST_SUITE_P(
    cases, select_refusal,
    ::testing::ValuesIn(std::vector<refusal_case>{
        // What the developer guide says Glacier Select does not support.
        {"limit", "SELECT * FROM archive LIMIT 10", "UnsupportedSyntax"},
        {"count", "SELECT COUNT(*) FROM archive", "UnsupportedFunction"},
        {"sum", "SELECT SUM(CAST(s._1 AS INT)) FROM archive s", "UnsupportedFunction"},
        {"group_by", "SELECT s._1 FROM archive s GROUP BY s._1", "ParseExpectedIdentForGroupName"},
        {"order_by", "SELECT s._1 FROM archive s ORDER BY s._1", "UnsupportedSyntax"},
        {"distinct", "SELECT DISTINCT s._1 FROM archive s", "UnsupportedSyntax"},
        {"union", "SELECT * FROM archive UNION SELECT * FROM archive", "UnsupportedSyntax"},
        {"join", "SELECT * FROM archive a JOIN archive b", "ParseMalformedJoin"},
        {"comma_join", "SELECT * FROM archive a, archive b", "ParseMalformedJoin"},
        {"subquery", "SELECT * FROM archive s WHERE s._1 IN (SELECT 1 FROM archive)",
         "ParseUnsupportedSelect"},
        {"subquery_in_from", "SELECT * FROM (SELECT * FROM archive)", "ParseUnsupportedSelect"},
        {"s3object", "SELECT * FROM S3Object", "InvalidDataSource"},
        {"json_path", "SELECT * FROM archive[*].a", "UnsupportedSyntax"},
        {"case", "SELECT CASE WHEN 1 = 1 THEN 1 END FROM archive", "ParseUnsupportedCase"},
        {"concatenation", "SELECT s._1 || 'x' FROM archive s", "LexerInvalidOperator"},
        {"unknown_function", "SELECT ABS(1) FROM archive", "UnsupportedFunction"},
        // Syntax.
        {"empty", "   ", "ParseEmptySelect"},
        {"not_a_select", "DELETE FROM archive", "ParseExpectedKeyword"},
        {"no_from", "SELECT 1", "ParseSelectMissingFrom"},
        {"star_with_more", "SELECT *, s._1 FROM archive s", "ParseAsteriskIsNotAloneInSelectList"},
        {"trailing_tokens", "SELECT * FROM archive s t", "ParseUnexpectedToken"},
        {"unterminated_string", "SELECT * FROM archive WHERE 'abc",
         "LexerNonTerminatedStringLiteral"},
        {"invalid_character", "SELECT * FROM archive WHERE 1 ^ 2", "LexerInvalidChar"},
        {"bad_number", "SELECT 12abc FROM archive", "LexerInvalidLiteral"},
        {"reserved_word_as_column", "SELECT s.date FROM archive s", "ParseUnExpectedKeyword",
         csv_header_mode::use},
        {"bad_cast_type", "SELECT CAST(s._1 AS VARCHAR) FROM archive s", "ParseExpectedTypeName"},
        {"bad_date_part", "SELECT DATE_ADD(week, 1, UTCNOW()) FROM archive",
         "ParseExpectedDatePart"},
        {"wrong_argument_count", "SELECT LOWER('a', 'b') FROM archive",
         "EvaluatorInvalidArguments"},
        {"unclosed_call", "SELECT LOWER('a' FROM archive",
         "ParseExpectedRightParenBuiltinFunctionCall"},
        {"dangling_operator", "SELECT * FROM archive WHERE 1 =", "ParseExpectedExpression"},
        {"long_like_escape", "SELECT * FROM archive s WHERE s._1 LIKE 'a' ESCAPE '!!'",
         "LikeInvalidInputs"},
        {"empty_like_escape", "SELECT * FROM archive s WHERE s._1 LIKE 'a' ESCAPE ''",
         "LikeInvalidInputs"},
        {"wildcard_in_expression", "SELECT 1 * * FROM archive",
         "ParseInvalidContextForWildcardInSelectList"},
        // Checks that need the request.
        {"column_zero", "SELECT s._0 FROM archive s", "InvalidColumnIndex"},
        {"wrong_alias", "SELECT t._1 FROM archive s", "InvalidTableAlias"},
        {"names_without_a_header", "SELECT s.name FROM archive s", "EvaluatorBindingDoesNotExist"},
        {"names_with_ignore", "SELECT name FROM archive", "EvaluatorBindingDoesNotExist",
         csv_header_mode::ignore},
        {"positions_and_names_mixed", "SELECT s._1, s.name FROM archive s", "UnsupportedSyntax",
         csv_header_mode::use},
    }),
    [](const auto& p) { return p.param.name; });

TEST(select_parser, messages_say_where_the_problem_is) {
  try {
    select::parse_query("SELECT * FROM archive WHERE 1 ^ 2");
    FAIL() << "not refused";
  } catch (const select::select_error& e) {
    EXPECT_NE(std::string(e.what()).find("at character 31"), std::string::npos) << e.what();
  }
}

TEST(select_parser, deep_nesting_is_refused_not_a_stack_overflow) {
  std::string sql =
      "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')') + " FROM archive";
  EXPECT_EQ(refusal(sql), "MaxOperatorsExceeded");
  std::string minuses = "SELECT ";
  for (int i = 0; i < 5000; ++i) minuses += "- ";  // "--" would start a comment
  EXPECT_EQ(refusal(minuses + "1 FROM archive"), "MaxOperatorsExceeded");
  std::string nots = "SELECT * FROM archive WHERE ";
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  EXPECT_EQ(refusal(nots + "TRUE"), "MaxOperatorsExceeded");
}

TEST(select_parser, operator_chains_deeper_than_the_limit_are_refused) {
  // 448 ORs of comparisons (two levels each): a tree 450 deep, the most accepted.
  std::string alternatives = "SELECT * FROM archive s WHERE s._1 = '0'";
  for (int i = 1; i < 449; ++i) alternatives += " OR s._1 = '" + std::to_string(i) + "'";
  EXPECT_EQ(refusal(alternatives), "");
  EXPECT_EQ(refusal(alternatives + " OR s._1 = 'x'"), "MaxOperatorsExceeded");
  // A sum as long as an expression may be: refused before it is deep enough to exhaust a
  // stack while it is checked or destroyed.
  std::string sum = "SELECT 1";
  while (sum.size() < select::max_tree_depth * 2 + 100) sum += "+1";
  EXPECT_EQ(refusal(sum + " FROM archive"), "MaxOperatorsExceeded");
}

TEST(select_parser, calls_nested_deeper_than_the_limit_are_refused) {
  std::string value = "s._1";
  for (int i = 1; i < select::max_nesting; ++i) value = "UPPER(" + value + ")";
  EXPECT_EQ(refusal("SELECT " + value + " FROM archive s"), "");
  EXPECT_EQ(refusal("SELECT UPPER(" + value + ") FROM archive s"), "MaxOperatorsExceeded");
}

TEST(select_parser, an_in_list_as_long_as_an_expression_may_be_is_accepted) {
  // About 21,000 items in 128,000 characters: the list is flat, and positions in the
  // expression are counted once, not from the start for every token.
  std::string sql = "SELECT * FROM archive s WHERE s._1 IN ('0'";
  for (int i = 1; sql.size() < max_select_expression_chars - 10; ++i) {
    sql += ",'" + std::to_string(i % 1000) + "'";
  }
  sql += ")";
  const auto q = select::parse_and_check(sql, csv_header_mode::none);
  EXPECT_GT(q.where->args.size(), 20'000u);
}

}  // namespace
}  // namespace glacier::testing
