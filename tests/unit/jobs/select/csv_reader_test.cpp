// The CSV reader and writer on their own: record numbers, fields that need unescaping next
// to ones that do not, and the writer's quoting.
#include "glacier/jobs/select/csv_reader.hpp"

#include <gtest/gtest.h>

#include "glacier/jobs/select/query.hpp"

namespace glacier::testing {
namespace {

using select::csv_reader;

std::vector<std::vector<std::string>> read_all(std::string_view data,
                                               const csv_input_format& format = {}) {
  csv_reader reader(data, format);
  std::vector<std::string_view> fields;
  std::vector<std::vector<std::string>> out;
  while (reader.next(fields)) out.emplace_back(fields.begin(), fields.end());
  return out;
}

TEST(csv_reader, unescaped_and_escaped_fields_of_one_record_stay_valid_together) {
  const auto records = read_all("\"a\"\"b\",plain,\"c\"\"d\",\"\",\"e\"\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"a\"b", "plain", "c\"d", "", "e"}));
}

TEST(csv_reader, empty_fields_and_a_trailing_delimiter) {
  EXPECT_EQ(read_all(",a,\n"), (std::vector<std::vector<std::string>>{{"", "a", ""}}));
  EXPECT_EQ(read_all("a,"), (std::vector<std::vector<std::string>>{{"a", ""}}));
}

TEST(csv_reader, counts_records_including_skipped_ones) {
  csv_reader reader("#c\n\na\nb\"x\n", {});
  std::vector<std::string_view> fields;
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.record_number(), 3u);
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.record_number(), 4u);
  EXPECT_EQ(fields[0], "b\"x");  // a quote inside an unquoted field is text
  EXPECT_FALSE(reader.next(fields));
}

TEST(csv_reader, a_field_delimiter_of_cr_is_not_taken_for_a_line_ending) {
  csv_input_format f;
  f.field_delimiter = '\r';
  EXPECT_EQ(read_all("a\rb\r\n", f), (std::vector<std::vector<std::string>>{{"a", "b", ""}}));
}

TEST(csv_reader, errors_name_the_record) {
  try {
    read_all("ok\nok\n\"open");
    FAIL() << "no error";
  } catch (const select::select_error& e) {
    EXPECT_EQ(e.code(), "CSVParsingError");
    EXPECT_NE(std::string(e.what()).find("record 3"), std::string::npos) << e.what();
  }
}

TEST(csv_reader, too_many_columns) {
  std::string wide(select::max_columns + 1, ',');
  try {
    read_all(wide);
    FAIL() << "no error";
  } catch (const select::select_error& e) {
    EXPECT_EQ(e.code(), "OverMaxColumn");
  }
}

TEST(csv_utf8, accepts_utf8_and_refuses_the_rest) {
  EXPECT_TRUE(select::is_valid_utf8("plain ascii, long enough to take the fast path"));
  EXPECT_TRUE(select::is_valid_utf8("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(select::is_valid_utf8("\xc3"));
  EXPECT_FALSE(select::is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(select::is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(select::is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(select::is_valid_utf8("twelve bytes\xff"));
}

TEST(csv_writer, quotes_what_needs_it_and_escapes_quotes) {
  csv_output_format f;
  const select::csv_writer writer(f);
  std::string out;
  writer.write(out, {"a", "b,c", "say \"x\"", "two\nlines", ""});
  EXPECT_EQ(out, "a,\"b,c\",\"say \"\"x\"\"\",\"two\nlines\",\n");
}

}  // namespace
}  // namespace glacier::testing
