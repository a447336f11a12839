// The journal's line format: what counts as an intact record, a torn tail or damage.
#include "glacier/store/journal_format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace glacier::testing {
namespace {

namespace jf = journal_format;

TEST(journal_format, crc32c_is_the_castagnoli_checksum) {
  // The check value of CRC-32C (RFC 3720, B.4).
  EXPECT_EQ(jf::crc32c("123456789"), 0xE3069283u);
}

TEST(journal_format, framed_records_scan_back_whole) {
  const auto text = jf::frame(R"({"t":"a"})") + jf::frame(R"({"t":"b"})");
  EXPECT_EQ(text.substr(0, 9).back(), ' ');
  const auto scanned = jf::scan(text);
  ASSERT_EQ(scanned.records.size(), 2u);
  EXPECT_EQ(scanned.records[0].json, R"({"t":"a"})");
  EXPECT_EQ(scanned.records[1].json, R"({"t":"b"})");
  EXPECT_EQ(scanned.records[1].offset, jf::frame(R"({"t":"a"})").size());
  EXPECT_TRUE(scanned.damaged.empty());
  EXPECT_FALSE(scanned.torn_tail);
  EXPECT_EQ(scanned.complete_length, text.size());
}

TEST(journal_format, an_unfinished_last_line_is_a_torn_tail) {
  const auto whole = jf::frame(R"({"t":"a"})");
  const auto torn = jf::frame(R"({"t":"b","x":1})");
  const auto text = whole + torn.substr(0, torn.size() - 4);
  const auto scanned = jf::scan(text);
  ASSERT_EQ(scanned.records.size(), 1u);
  EXPECT_TRUE(scanned.damaged.empty());
  ASSERT_TRUE(scanned.torn_tail);
  EXPECT_EQ(scanned.torn_tail->offset, whole.size());
  EXPECT_EQ(scanned.complete_length, whole.size());
}

TEST(journal_format, trailing_zeros_are_a_torn_tail) {
  const auto whole = jf::frame(R"({"t":"a"})");
  // scan's records are views into its text, which must outlive them.
  const auto text = whole + std::string(4096, '\0');
  const auto scanned = jf::scan(text);
  EXPECT_EQ(scanned.records.size(), 1u);
  EXPECT_TRUE(scanned.damaged.empty());
  ASSERT_TRUE(scanned.torn_tail);
  EXPECT_EQ(scanned.torn_tail->length, 4096u);
}

TEST(journal_format, a_flipped_byte_is_damage_at_its_line) {
  const auto first = jf::frame(R"({"t":"a","size":12})");
  auto second = jf::frame(R"({"t":"b","size":34})");
  second[second.find("34")] = '5';  // a changed digit, the checksum left as it was
  const auto third = jf::frame(R"({"t":"c"})");
  const auto text = first + second + third;  // the records are views into it
  const auto scanned = jf::scan(text);
  ASSERT_EQ(scanned.damaged.size(), 1u);
  EXPECT_EQ(scanned.damaged[0].offset, first.size());
  EXPECT_EQ(scanned.damaged[0].what, "a checksum that does not match the record");
  ASSERT_EQ(scanned.records.size(), 2u);
  EXPECT_EQ(scanned.records[1].json, R"({"t":"c"})");
  EXPECT_FALSE(scanned.torn_tail);
}

TEST(journal_format, a_record_glued_to_a_torn_one_is_salvaged) {
  const auto torn = jf::frame(R"({"t":"torn","pad":"xxxxxxxx"})").substr(0, 20);
  const auto glued = jf::frame(R"({"t":"next"})");
  const auto text = torn + glued + jf::frame(R"({"t":"last"})");
  const auto scanned = jf::scan(text);
  ASSERT_EQ(scanned.damaged.size(), 1u);
  EXPECT_EQ(scanned.damaged[0].offset, 0u);
  ASSERT_EQ(scanned.salvaged.size(), 1u);
  EXPECT_EQ(scanned.salvaged[0], torn.size());
  ASSERT_EQ(scanned.records.size(), 2u);
  EXPECT_EQ(scanned.records[0].json, R"({"t":"next"})");
  EXPECT_EQ(scanned.records[0].offset, torn.size());
}

TEST(journal_format, garbage_lines_are_damage_and_bare_json_is_the_older_format) {
  const auto text = std::string(R"({"t":"old"})") + "\n" + "not a record\n" + "\n";
  const auto scanned = jf::scan(text);
  ASSERT_EQ(scanned.records.size(), 1u);
  EXPECT_EQ(scanned.records[0].json, R"({"t":"old"})");
  ASSERT_EQ(scanned.damaged.size(), 2u);
  EXPECT_EQ(scanned.damaged[0].what, "bytes that are not a record");
  EXPECT_EQ(scanned.damaged[1].what, "an empty line");
}

TEST(journal_format, empty_input_holds_nothing) {
  const auto scanned = jf::scan("");
  EXPECT_TRUE(scanned.records.empty());
  EXPECT_TRUE(scanned.damaged.empty());
  EXPECT_FALSE(scanned.torn_tail);
}

}  // namespace
}  // namespace glacier::testing
