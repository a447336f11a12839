// Queries and the CSV they produce: the SQL reference's examples, then the dialect's type,
// quoting and NULL rules, then errors. Each row is one test named after it.
#include "glacier/jobs/select/engine.hpp"

#include <gtest/gtest.h>

#include "select_test_support.hpp"

namespace glacier::testing {
namespace {

using json = nlohmann::json;

const std::string people =
    "Id,FirstName,LastName,City,Age\n"
    "1,Jane,Doe,Seattle,34\n"
    "2,John,Smith,Portland,51\n"
    "3,Ann,Lee,Seattle,28\n";

const json use_header = {{"FileHeaderInfo", "USE"}};
const json ignore_header = {{"FileHeaderInfo", "IGNORE"}};

struct query_case {
  std::string name;
  std::string csv;
  std::string sql;
  json input;
  std::string expected;
  json output = {};
};

void PrintTo(const query_case& c, std::ostream* os) {
  *os << c.name << ": " << c.sql;
}

std::vector<query_case> cases() {
  return {
      // The developer guide's InitiateJob examples.
      {"select_star_returns_every_record", "a,b\nc,d\n", "SELECT * FROM archive", {}, "a,b\nc,d\n"},
      {"positional_columns_with_where",
       "x,y,50\nz,w,150\n",
       "SELECT s._1, s._2 FROM archive s WHERE s._3 > 100",
       {},
       "z,w\n"},
      {"header_names_with_use", people, "SELECT s.Id, s.FirstName FROM archive s", use_header,
       "1,Jane\n2,John\n3,Ann\n"},
      {"ignore_skips_the_header_row", people, "SELECT s._2 FROM archive s", ignore_header,
       "Jane\nJohn\nAnn\n"},
      {"none_treats_the_first_row_as_data",
       people,
       "SELECT s._2 FROM archive s",
       {},
       "FirstName\nJane\nJohn\nAnn\n"},
      {"from_object_and_bare_names", people, "SELECT FirstName FROM OBJECT WHERE Age < 30",
       use_header, "Ann\n"},
      {"keywords_in_any_case", people, "sElEcT s.lastname fRoM ArChIvE s wHeRe s.city = 'Seattle'",
       use_header, "Doe\nLee\n"},
      {"quoted_names_match_exactly", "Name,name\nA,b\n", R"(SELECT "name", "Name" FROM archive)",
       use_header, "b,A\n"},
      {"reserved_word_header_in_quotes", "date,count\n2020,3\n",
       R"(SELECT s."count" FROM archive s WHERE s."date" = '2020')", use_header, "3\n"},
      {"alias_with_as", people, "SELECT p.City AS town FROM archive AS p WHERE p.Id = '2'",
       use_header, "Portland\n"},

      // Values are strings until CAST.
      {"fields_keep_their_text",
       "007,1.50\n",
       "SELECT s._1, s._2 FROM archive s",
       {},
       "007,1.50\n"},
      {"cast_normalises_numbers",
       "007,1.50\n",
       "SELECT CAST(s._1 AS INT), CAST(s._2 AS FLOAT) FROM archive s",
       {},
       "7,1.5\n"},
      {"strings_compare_as_text",
       "10\n9\n",
       "SELECT s._1 FROM archive s WHERE s._1 > '5'",
       {},
       "9\n"},
      {"a_number_reads_the_field_as_a_number",
       "10\n9\n",
       "SELECT s._1 FROM archive s WHERE s._1 > 9",
       {},
       "10\n"},
      {"a_field_that_is_no_number_never_equals_one",
       "abc\n5\n",
       "SELECT s._1 FROM archive s WHERE s._1 = 5",
       {},
       "5\n"},
      {"cast_in_where",
       "a,600,x\nb,400,y\nc,501,z\n",
       "SELECT s._1, s._3 FROM archive s WHERE CAST(s._2 AS INT) > 500",
       {},
       "a,x\nc,z\n"},
      {"arithmetic_on_casts",
       "7,2\n",
       "SELECT CAST(s._1 AS INT) / CAST(s._2 AS INT), CAST(s._1 AS FLOAT) / 2, "
       "CAST(s._1 AS INT) % 4, -CAST(s._2 AS INT) * 3 FROM archive s",
       {},
       "3,3.5,3,-6\n"},
      {"booleans_print_as_words",
       "a\nb\n",
       "SELECT s._1 = 'a' FROM archive s",
       {},
       "true\nfalse\n"},
      {"cast_to_bool_and_string",
       "TRUE,5\n",
       "SELECT CAST(s._1 AS BOOL), CAST(CAST(s._2 AS INT) AS STRING) FROM archive s",
       {},
       "true,5\n"},

      // NULL and MISSING.
      {"a_missing_column_is_empty_and_null",
       "a,b\n",
       "SELECT s._1, s._5, s._5 IS NULL, s._5 IS MISSING FROM archive s",
       {},
       "a,,true,true\n"},
      {"null_is_not_missing",
       "a\n",
       "SELECT NULL IS MISSING, NULL IS NULL, MISSING IS NULL, MISSING IS MISSING, "
       "s._1 IS NOT MISSING, s._2 IS NOT MISSING, NULL IS NOT MISSING FROM archive s",
       {},
       "false,true,true,true,true,false,true\n"},
      {"missing_propagates_but_coalesce_and_nullif_give_null",
       "a,1\n",
       "SELECT UPPER(s._3) IS MISSING, CAST(s._2 AS INT) + 1 IS MISSING, "
       "NULLIF(s._1, 'a') IS MISSING, NULLIF(s._1, 'a') IS NULL, "
       "COALESCE(s._3, s._4) IS MISSING, COALESCE(s._3, s._4) IS NULL FROM archive s",
       {},
       "true,false,false,true,false,true\n"},
      {"an_unknown_header_name_is_missing", people,
       "SELECT s.Nickname IS MISSING, s.Id IS MISSING FROM archive s WHERE s.Id = '1'", use_header,
       "true,false\n"},
      {"where_is_missing_selects_short_records",
       "a,b\nc\nd,e\n",
       "SELECT s._1 FROM archive s WHERE s._2 IS MISSING",
       {},
       "c\n"},
      {"an_empty_field_is_not_null",
       "a,,c\n",
       "SELECT s._2 IS NULL, s._2 = '', CHAR_LENGTH(s._2) FROM archive s",
       {},
       "false,true,0\n"},
      {"null_literal_prints_empty", "a\n", "SELECT NULL, s._1 FROM archive s", {}, ",a\n"},
      {"null_in_where_matches_nothing",
       "a\n",
       "SELECT s._1 FROM archive s WHERE NULL = NULL",
       {},
       ""},
      {"coalesce_skips_null_and_missing",
       "a\n",
       "SELECT COALESCE(s._3, NULL, 'none'), COALESCE(s._1, 'x') FROM archive s",
       {},
       "none,a\n"},
      {"nullif",
       "1,2\n",
       "SELECT NULLIF(s._1, '1'), NULLIF(s._1, s._2) FROM archive s",
       {},
       ",1\n"},
      {"an_unquoted_unknown_name_is_missing", people,
       "SELECT s.Nickname, s.Id FROM archive s WHERE s.Id = '1'", use_header, ",1\n"},

      // Operators.
      {"between_and_not_between",
       "1\n5\n9\n",
       "SELECT s._1 FROM archive s WHERE CAST(s._1 AS INT) BETWEEN 2 AND 8",
       {},
       "5\n"},
      {"not_between",
       "1\n5\n9\n",
       "SELECT s._1 FROM archive s WHERE s._1 NOT BETWEEN 2 AND 8",
       {},
       "1\n9\n"},
      {"in_list", people, "SELECT s.Id FROM archive s WHERE s.City IN ('Portland', 'Boston')",
       use_header, "2\n"},
      {"not_in_list", people, "SELECT s.Id FROM archive s WHERE s.City NOT IN ('Portland')",
       use_header, "1\n3\n"},
      {"like_is_case_sensitive",
       "Jane\njane\nJohn\n",
       "SELECT s._1 FROM archive s WHERE s._1 LIKE 'J%'",
       {},
       "Jane\nJohn\n"},
      {"like_underscore_and_escape",
       "a_c\nabc\n",
       R"(SELECT s._1 FROM archive s WHERE s._1 LIKE 'a!_c' ESCAPE '!')",
       {},
       "a_c\n"},
      {"not_like",
       "Jane\njane\n",
       "SELECT s._1 FROM archive s WHERE s._1 NOT LIKE 'J%'",
       {},
       "jane\n"},
      {"and_or_not_precedence",
       "1\n2\n3\n",
       "SELECT s._1 FROM archive s WHERE s._1 = '1' OR s._1 = '2' AND NOT s._1 = '2'",
       {},
       "1\n"},
      {"not_equal_spellings",
       "1\n2\n",
       "SELECT s._1 FROM archive s WHERE s._1 <> '1' AND s._1 != '3'",
       {},
       "2\n"},

      // String functions (the SQL reference's examples).
      {"substring_examples",
       "123456789\n",
       "SELECT SUBSTRING(s._1, 0), SUBSTRING(s._1, 1), SUBSTRING(s._1, 2), SUBSTRING(s._1, -4), "
       "SUBSTRING(s._1, 0, 999), SUBSTRING(s._1, 1, 5), SUBSTRING(s._1 FROM 2 FOR 3) "
       "FROM archive s",
       {},
       "123456789,123456789,23456789,123456789,123456789,12345,234\n"},
      {"substring_counts_characters",
       "caf\xc3\xa9s\n",
       "SELECT SUBSTRING(s._1, 4, 1) FROM archive s",
       {},
       "\xc3\xa9\n"},
      {"trim_examples",
       "x\n",
       "SELECT TRIM('   foobar   '), TRIM(LEADING FROM '   foobar   '), "
       "TRIM(TRAILING FROM '   foobar   '), TRIM(BOTH '12' FROM '1112211foobar22211122') "
       "FROM archive",
       {},
       "foobar,foobar   ,   foobar,foobar\n"},
      {"lower_upper_char_length",
       "MiXeD\n",
       "SELECT LOWER(s._1), UPPER(s._1), CHARACTER_LENGTH(s._1) FROM archive s",
       {},
       "mixed,MIXED,5\n"},

      // Timestamps (the SQL reference's examples, in UTC).
      {"date_add_examples",
       "x\n",
       "SELECT DATE_ADD(year, 5, `2010-01-01T`), DATE_ADD(month, 13, `2010T`), "
       "DATE_ADD(day, -1, `2017-01-10T`), DATE_ADD(hour, 1, `2017-01-02T03:04Z`), "
       "DATE_ADD(second, 1, `2017-01-02T03:04:05.006Z`) FROM archive",
       {},
       "2015-01-01T00:00:00Z,2011-02-01T00:00:00Z,2017-01-09T00:00:00Z,2017-01-02T04:04:00Z,"
       "2017-01-02T03:04:06.006Z\n"},
      {"date_diff_examples",
       "x\n",
       "SELECT DATE_DIFF(year, `2010-01-01T`, `2011-01-01T`), DATE_DIFF(year, `2010-12T`, "
       "`2011-01T`), DATE_DIFF(month, `2010T`, `2010-05T`), DATE_DIFF(month, `2011T`, `2010T`), "
       "DATE_DIFF(day, `2010-01-01T23:00Z`, `2010-01-02T01:00Z`) FROM archive",
       {},
       "1,0,4,-12,0\n"},
      {"extract_examples",
       "x\n",
       "SELECT EXTRACT(YEAR FROM `2010-01-01T`), EXTRACT(MONTH FROM `2010-10T`), "
       "EXTRACT(MINUTE FROM `2017-01-02T03:04:05Z`), EXTRACT(TIMEZONE_HOUR FROM `2017T`) "
       "FROM archive",
       {},
       "2010,10,4,0\n"},
      {"to_string_examples",
       "x\n",
       "SELECT TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y'), "
       "TO_STRING(`1969-07-20T20:18Z`, 'MMM d, yyyy'), TO_STRING(`1969-07-20T20:18Z`, 'M-d-yy'), "
       "TO_STRING(`1969-07-20T20:18Z`, 'MM-d-y'), "
       "TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y h:m a'), "
       "TO_STRING(`1969-07-20T20:18Z`, 'y-MM-dd''T''H:m:ssX') FROM archive",
       {},
       "\"July 20, 1969\",\"Jul 20, 1969\",7-20-69,07-20-1969,\"July 20, 1969 8:18 PM\","
       "1969-07-20T20:18:00Z\n"},
      {"to_timestamp_and_cast",
       "2007-02-23T12:14:33.079-08:00\n",
       "SELECT TO_TIMESTAMP(s._1), CAST('2007T' AS TIMESTAMP) FROM archive s",
       {},
       "2007-02-23T20:14:33.079Z,2007-01-01T00:00:00Z\n"},
      {"timestamps_compare_as_instants",
       "2020-01-01T10:00+02:00\n2020-01-01T09:00Z\n",
       "SELECT s._1 FROM archive s WHERE TO_TIMESTAMP(s._1) < `2020-01-01T08:30Z`",
       {},
       "2020-01-01T10:00+02:00\n"},
      {"utcnow_is_the_mock_clock",
       "x\n",
       "SELECT UTCNOW() FROM archive",
       {},
       "2024-01-01T00:00:00Z\n"},

      // Reading CSV.
      {"quoted_fields_hold_delimiters",
       "\"a,b\",\"line\nbreak\",\"say \"\"hi\"\"\"\n",
       "SELECT s._3, s._1, s._2 FROM archive s",
       {},
       "\"say \"\"hi\"\"\",\"a,b\",\"line\nbreak\"\n"},
      {"custom_delimiters_in_and_out", "a|b;c|d;", "SELECT s._2, s._1 FROM archive s",
       json{{"FieldDelimiter", "|"}, {"RecordDelimiter", ";"}}, "b\ta\rd\tc\r",
       json{{"FieldDelimiter", "\t"}, {"RecordDelimiter", "\r"}}},
      {"custom_quote_and_escape", "'it\\'s',x\n", "SELECT s._1 FROM archive s",
       json{{"QuoteCharacter", "'"}, {"QuoteEscapeCharacter", "\\"}}, "it's\n"},
      {"comment_lines_are_skipped",
       "#note\na\n;other\nb\n",
       "SELECT * FROM archive",
       {},
       "a\n;other\nb\n"},
      {"a_custom_comment_character", "#note\na\n;other\nb\n", "SELECT * FROM archive",
       json{{"Comments", ";"}}, "#note\na\nb\n"},
      {"crlf_records_and_empty_lines",
       "a,b\r\n\r\nc,d\r\n",
       "SELECT s._2 FROM archive s",
       {},
       "b\nd\n"},
      {"no_trailing_record_delimiter", "a\nb", "SELECT * FROM archive", {}, "a\nb\n"},
      {"an_empty_archive_has_no_records", "", "SELECT * FROM archive", {}, ""},

      // Writing CSV.
      {"quote_fields_always",
       "a,b c\n",
       "SELECT * FROM archive",
       {},
       "\"a\",\"b c\"\n",
       json{{"QuoteFields", "ALWAYS"}}},
      {"as_needed_quotes_only_what_needs_it",
       "\"x,y\",plain\n",
       "SELECT * FROM archive",
       {},
       "\"x,y\",plain\n",
       json{{"QuoteFields", "ASNEEDED"}}},
      {"output_quote_and_escape_characters",
       "\"a'b\"\n",
       "SELECT * FROM archive",
       {},
       "'a\\'b'\n",
       json{{"QuoteFields", "ALWAYS"}, {"QuoteCharacter", "'"}, {"QuoteEscapeCharacter", "\\"}}},
  };
}

class select_query : public ::testing::TestWithParam<query_case> {};

TEST_P(select_query, produces_the_expected_csv) {
  const auto& c = GetParam();
  EXPECT_EQ(select_csv(c.csv, c.sql, c.input, c.output), c.expected);
}

INSTANTIATE_TEST_SUITE_P(cases, select_query, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return p.param.name; });

struct error_case {
  std::string name;
  std::string csv;
  std::string sql;
  json input;
  std::string code;
};

void PrintTo(const error_case& c, std::ostream* os) {
  *os << c.name << ": " << c.sql;
}

std::vector<error_case> error_cases() {
  const std::string big_record(1024 * 1024 + 1, 'x');
  return {
      {"cast_of_text_to_int", "abc\n", "SELECT CAST(s._1 AS INT) FROM archive s", {}, "CastFailed"},
      {"cast_of_text_to_timestamp",
       "not a date\n",
       "SELECT CAST(s._1 AS TIMESTAMP) FROM archive s",
       {},
       "CastFailed"},
      {"to_timestamp_of_text",
       "nope\n",
       "SELECT TO_TIMESTAMP(s._1) FROM archive s",
       {},
       "ValueParseFailure"},
      {"division_by_zero",
       "1,0\n",
       "SELECT CAST(s._1 AS INT) / CAST(s._2 AS INT) FROM archive s",
       {},
       "DivisionByZero"},
      {"modulo_by_zero",
       "1\n",
       "SELECT CAST(s._1 AS INT) % 0 FROM archive s",
       {},
       "DivisionByZero"},
      {"a_string_compared_with_a_number",
       "a\n",
       "SELECT s._1 FROM archive s WHERE 'a' = 1",
       {},
       "InvalidDataType"},
      {"arithmetic_on_a_string_literal",
       "a\n",
       "SELECT 'a' + 1 FROM archive",
       {},
       "InvalidDataType"},
      {"where_that_is_not_a_condition",
       "a\n",
       "SELECT s._1 FROM archive s WHERE s._1",
       {},
       "InvalidDataType"},
      {"a_quoted_name_not_in_the_header", people, R"(SELECT "firstname" FROM archive)", use_header,
       "MissingHeaderName"},
      {"an_unquoted_name_matching_two_headers", "Name,NAME\na,b\n", "SELECT name FROM archive",
       use_header, "AmbiguousFieldName"},
      {"an_unterminated_quote", "a,\"open\nb,c\n", "SELECT * FROM archive", {}, "CSVParsingError"},
      {"text_after_a_closing_quote",
       "\"a\"b,c\n",
       "SELECT * FROM archive",
       {},
       "CSVUnescapedQuote"},
      {"a_record_over_1_mb",
       "a\n" + big_record + "\n",
       "SELECT * FROM archive",
       {},
       "OverMaxRecordSize"},
      {"a_result_record_over_1_mb",
       "a," + std::string(600 * 1024, 'y') + "\n",
       "SELECT s._2, s._2 FROM archive s",
       {},
       "OverMaxRecordSize"},
      {"binary_data",
       std::string("\x1f\x8b\x08\x00\xff\xfe", 6) + "\n",
       "SELECT * FROM archive",
       {},
       "InvalidTextEncoding"},
      {"a_bad_timestamp_pattern",
       "x\n",
       "SELECT TO_STRING(UTCNOW(), 'Q') FROM archive",
       {},
       "EvaluatorInvalidTimestampFormatPattern"},
      {"a_bad_timestamp_literal", "x\n", "SELECT `2010-13T` FROM archive", {}, "ValueParseFailure"},
      {"a_like_escape_from_the_record_that_is_two_characters",
       "ab,%%\n",
       "SELECT * FROM archive s WHERE s._1 LIKE 'a' ESCAPE s._2",
       {},
       "LikeInvalidInputs"},
  };
}

class select_query_error : public ::testing::TestWithParam<error_case> {};

TEST_P(select_query_error, fails_with_s3_selects_code) {
  const auto& c = GetParam();
  EXPECT_EQ(select_error_code(c.csv, c.sql, c.input), c.code);
}

INSTANTIATE_TEST_SUITE_P(cases, select_query_error, ::testing::ValuesIn(error_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(select_engine, splits_the_result_into_parts_at_record_boundaries) {
  std::string csv;
  for (int i = 0; i < 100; ++i) csv += "row" + std::to_string(i) + "\n";
  const auto result =
      select::run_query(csv, select_request_for("SELECT * FROM archive"), test_now, 64);
  ASSERT_GT(result.parts.size(), 1u);
  std::string joined;
  for (const auto& p : result.parts) {
    EXPECT_EQ(p.back(), '\n');
    joined += p;
  }
  EXPECT_EQ(joined, csv);
  EXPECT_EQ(result.records_read, 100u);
  EXPECT_EQ(result.records_returned, 100u);
}

TEST(select_engine, an_empty_result_is_one_empty_part) {
  const auto result = select::run_query(
      "a\n", select_request_for("SELECT * FROM archive s WHERE s._1 = 'b'"), test_now, 64);
  ASSERT_EQ(result.parts.size(), 1u);
  EXPECT_EQ(result.parts[0], "");
  EXPECT_EQ(result.records_read, 1u);
  EXPECT_EQ(result.records_returned, 0u);
}

TEST(select_engine, a_stop_interrupts_the_query) {
  std::string csv;
  for (int i = 0; i < 5000; ++i) csv += "x\n";
  const std::atomic<bool> stop{true};
  try {
    select::run_query(csv, select_request_for("SELECT * FROM archive s WHERE s._1 = 'x'"), test_now,
                      1 << 20, &stop);
    FAIL() << "the query was not interrupted";
  } catch (const select::select_error& e) {
    EXPECT_EQ(e.code(), "Interrupted");
  }
}

TEST(select_engine, the_deepest_accepted_chain_runs_in_sqlite) {
  // The parser's depth limit keeps the translation under SQLite's own limit of 1000.
  std::string sql = "SELECT s._1 FROM archive s WHERE CAST(s._1 AS INT) = 0";
  for (int i = 1; i < 447; ++i) sql += " OR CAST(s._1 AS INT) + 0 = " + std::to_string(i);
  EXPECT_EQ(select_csv("5\n1000\n446\n", sql), "5\n446\n");
}

TEST(select_engine, the_deepest_accepted_nesting_runs_in_sqlite) {
  // max_nesting levels: the SELECT-list expression, 23 SUBSTRINGs inside one another and a
  // CHAR_LENGTH in the innermost, with operators of several precedence levels at each level;
  // SQLite's parser takes it.
  std::string value = "s._1";
  for (int i = 2; i < select::max_nesting; ++i) {
    value = "SUBSTRING(" + value + " FROM 1 FOR CHAR_LENGTH(s._1) * 1 + 0)";
  }
  EXPECT_EQ(select_csv("abc\n", "SELECT " + value + " FROM archive s WHERE NOT s._1 = 'x' AND " +
                                    "CHAR_LENGTH(s._1) * 2 + 1 > 1 OR FALSE"),
            "abc\n");
}

TEST(select_engine, error_messages_name_the_record) {
  try {
    select_csv("1\n2\nx\n", "SELECT CAST(s._1 AS INT) FROM archive s");
    FAIL() << "no error";
  } catch (const select::select_error& e) {
    EXPECT_NE(std::string(e.what()).find("record 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace glacier::testing
