// The journal file under a disk that refuses writes: a refused append leaves the log as it
// was, later appends go on from its last intact record, a refused blob leaves no file.
#include "glacier/store/journal.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "glacier/store/journal_format.hpp"
#include "support/data_dir.hpp"

namespace glacier::testing {
namespace {

std::size_t intact_records(const journal& j) {
  const auto text = j.read_log();
  const auto scanned = journal_format::scan(text);
  EXPECT_TRUE(scanned.damaged.empty());
  EXPECT_FALSE(scanned.torn_tail);
  return scanned.records.size();
}

TEST(journal_file, an_append_refused_mid_record_is_cut_off_again) {
  temp_data_dir dir("journal-cut");
  auto disk = std::make_shared<filling_disk>();
  journal j(dir.path, disk);
  j.append({{"t", "first"}});
  const auto length = std::filesystem::file_size(j.log_path());
  // The disk fills 7 bytes into the next record.
  disk->budget = 7;
  EXPECT_THROW(j.append({{"t", "second"}, {"pad", std::string(100, 'x')}}), journal_write_error);
  EXPECT_EQ(std::filesystem::file_size(j.log_path()), length);
  EXPECT_EQ(j.stats().failed_writes, 1u);
  disk->free_space();
  j.append({{"t", "third"}});
  EXPECT_EQ(intact_records(j), 2u);
}

TEST(journal_file, a_failed_sync_is_a_refused_append) {
  temp_data_dir dir("journal-sync");
  auto disk = std::make_shared<filling_disk>();
  journal j(dir.path, disk);
  j.append({{"t", "first"}});
  disk->fail_sync = true;
  EXPECT_THROW(j.append({{"t", "second"}}), journal_write_error);
  disk->fail_sync = false;
  j.append({{"t", "third"}});
  EXPECT_EQ(intact_records(j), 2u);
}

TEST(journal_file, appends_are_refused_until_a_torn_record_can_be_cut_off) {
  temp_data_dir dir("journal-truncate");
  auto disk = std::make_shared<filling_disk>();
  journal j(dir.path, disk);
  j.append({{"t", "first"}});
  disk->budget = 5;
  disk->fail_truncate = true;
  EXPECT_THROW(j.append({{"t", "second"}}), journal_write_error);
  disk->free_space();
  // The torn bytes are still there: nothing may be glued to them.
  EXPECT_THROW(j.append({{"t", "third"}}), journal_write_error);
  disk->fail_truncate = false;
  j.append({{"t", "fourth"}});
  EXPECT_EQ(intact_records(j), 2u);
  EXPECT_EQ(j.stats().failed_writes, 2u);
}

TEST(journal_file, a_refused_blob_leaves_no_file) {
  temp_data_dir dir("journal-blob");
  auto disk = std::make_shared<filling_disk>();
  journal j(dir.path, disk);
  disk->budget = 1000;
  EXPECT_THROW(j.write_blob("a-big", std::string(5000, 'b')), journal_write_error);
  EXPECT_TRUE(j.blob_names().empty());
  EXPECT_EQ(j.stats().blob_bytes, 0u);
  disk->free_space();
  j.write_blob("a-big", std::string(5000, 'b'));
  EXPECT_EQ(j.stats().blob_bytes, 5000u);
  EXPECT_EQ(*j.read_blob("a-big"), std::string(5000, 'b'));
  j.remove_blob("a-big");
  EXPECT_EQ(j.stats().blob_bytes, 0u);
}

TEST(journal_file, unaccounted_blobs_move_to_lost_and_found) {
  temp_data_dir dir("journal-lost");
  journal j(dir.path);
  j.write_blob("kept", "1");
  j.write_blob("stray", "2");
  const auto moved = j.move_blobs_except({"kept"});
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0], "stray");
  EXPECT_TRUE(std::filesystem::exists(dir.path / "lost+found" / "stray"));
  EXPECT_TRUE(std::filesystem::exists(dir.path / "blobs" / "kept"));
}

}  // namespace
}  // namespace glacier::testing
