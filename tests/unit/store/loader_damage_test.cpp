// Start-up over a damaged --data-dir: a torn tail is cut, any other damage refuses to
// start naming the file, the byte offset and --recover; --recover keeps every intact
// record; a missing or damaged blob is never served; nothing is deleted that start-up
// cannot account for.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "glacier/aws/tree_hash.hpp"
#include "glacier/store/journal_format.hpp"
#include "support/data_dir.hpp"

namespace glacier::testing {
namespace {

/// What a populated data dir holds.
struct populated {
  std::string first_archive;  ///< with a succeeded retrieval job
  std::string second_archive;
  std::string retrieval_job;
  std::string later_vault = "later";  ///< created last
};

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

/// Two archives, a succeeded retrieval of the first, and a vault created last.
populated populate(const std::filesystem::path& dir) {
  populated p;
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir, disk);
  h->create_vault("v");
  p.first_archive = h->upload("v", pattern_bytes(3000), "first");
  p.second_archive = h->upload("v", pattern_bytes(2000, 1), "second");
  p.retrieval_job =
      h->initiate("v", R"({"Type":"archive-retrieval","ArchiveId":")" + p.first_archive + "\"}");
  h->advance(h->cfg.standard_delay);
  h->create_vault(p.later_vault);
  return p;
}

/// The offset and text of the first record of type `t` in the log whose JSON holds `part`.
std::pair<std::size_t, std::string> find_record(const std::string& log, const std::string& t,
                                                const std::string& part = "") {
  const auto scanned = journal_format::scan(log);
  for (const auto& r : scanned.records) {
    const std::string json(r.json);
    if (json.find("\"t\":\"" + t + "\"") != std::string::npos &&
        json.find(part) != std::string::npos) {
      return {r.offset, json};
    }
  }
  ADD_FAILURE() << "no " << t << " record";
  return {0, ""};
}

/// The message load_journal refuses to start with ("" when it starts).
std::string start_refusal(const std::filesystem::path& dir) {
  try {
    std::unique_ptr<journal> disk;
    start_on_disk(dir, disk);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void expect_refusal_names(const std::string& message, const std::filesystem::path& dir,
                          std::size_t offset) {
  EXPECT_NE(message.find((dir / "journal.log").string()), std::string::npos) << message;
  EXPECT_NE(message.find("at byte " + std::to_string(offset) + " "), std::string::npos) << message;
  EXPECT_NE(message.find("--recover"), std::string::npos) << message;
  EXPECT_EQ(message.find("json.exception"), std::string::npos) << message;
}

class loader_damage : public ::testing::Test {
 protected:
  temp_data_dir dir{std::string("loader-") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name()};
  std::filesystem::path log() const { return dir.path / "journal.log"; }
};

TEST_F(loader_damage, a_torn_tail_is_cut_and_later_writes_survive) {
  populate(dir.path);
  const auto torn = journal_format::frame(R"({"t":"vault","s":["123456789012","us-east-1"]})");
  std::ofstream(log(), std::ios::app | std::ios::binary) << torn.substr(0, torn.size() / 2);
  {
    std::unique_ptr<journal> disk;
    auto h = start_on_disk(dir.path, disk);
    EXPECT_EQ(h->send("GET", "/-/vaults/later").status, 200u);
    h->create_vault("after");
  }
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  EXPECT_EQ(h->send("GET", "/-/vaults/after").status, 200u);
}

TEST_F(loader_damage, a_torn_record_followed_by_more_refuses_and_recover_keeps_the_rest) {
  const auto p = populate(dir.path);
  auto text = file_text(log());
  const auto [offset, json] = find_record(text, "archive", p.first_archive);
  // The record lost its last bytes and its newline; the next one was appended to it.
  text.erase(offset + 9 + json.size() - 5, 6);
  write_text(log(), text);
  expect_refusal_names(start_refusal(dir.path), dir.path, offset);

  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk, nullptr, true);
  EXPECT_FALSE(h->store.find_archive(p.first_archive).has_value());
  EXPECT_TRUE(h->store.find_archive(p.second_archive).has_value());
  EXPECT_EQ(h->send("GET", "/-/vaults/later").status, 200u);
}

TEST_F(loader_damage, a_flipped_byte_refuses_to_start_and_recover_drops_only_that_record) {
  const auto p = populate(dir.path);
  auto text = file_text(log());
  const auto [offset, json] = find_record(text, "archive", p.second_archive);
  text[offset + 9 + json.find("second")] ^= 0x20;
  write_text(log(), text);
  const auto blobs_before = std::distance(std::filesystem::directory_iterator(dir.path / "blobs"),
                                          std::filesystem::directory_iterator());
  expect_refusal_names(start_refusal(dir.path), dir.path, offset);
  // Refusing touched nothing.
  EXPECT_EQ(file_text(log()), text);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path / "blobs"),
                          std::filesystem::directory_iterator()),
            blobs_before);

  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk, nullptr, true);
  EXPECT_FALSE(h->store.find_archive(p.second_archive).has_value());
  EXPECT_EQ(*h->store.find_archive(p.first_archive)->data, pattern_bytes(3000));
  EXPECT_EQ(h->describe("v", p.retrieval_job)["StatusCode"], "Succeeded");
  EXPECT_EQ(h->send("GET", "/-/vaults/later").status, 200u);
  // The dropped archive's bytes are set aside, not deleted.
  EXPECT_TRUE(std::filesystem::exists(dir.path / "lost+found" / ("a-" + p.second_archive)));
}

TEST_F(loader_damage, a_changed_size_digit_fails_its_checksum) {
  const auto p = populate(dir.path);
  auto text = file_text(log());
  const auto [offset, json] = find_record(text, "archive", p.second_archive);
  const auto size_at = offset + 9 + json.find("\"size\":2000") + 7;
  text[size_at] = '3';
  write_text(log(), text);
  const auto message = start_refusal(dir.path);
  expect_refusal_names(message, dir.path, offset);
  EXPECT_NE(message.find("checksum"), std::string::npos) << message;
}

TEST_F(loader_damage, a_renamed_key_names_the_file_and_offset_not_the_parser) {
  const auto p = populate(dir.path);
  auto text = file_text(log());
  const auto [offset, json] = find_record(text, "archive", p.second_archive);
  auto renamed = json;
  renamed.replace(renamed.find("\"size\""), 6, "\"sise\"");
  // A record rewritten with a valid checksum: only the replay can tell.
  text.replace(offset, json.size() + 10, journal_format::frame(renamed));
  write_text(log(), text);
  const auto message = start_refusal(dir.path);
  expect_refusal_names(message, dir.path, offset);
  EXPECT_NE(message.find("'archive' record"), std::string::npos) << message;
}

// Records a live journal never writes, each with a valid checksum: only the replay can tell.
TEST_F(loader_damage, a_vault_recorded_twice_refuses_and_recover_keeps_the_first) {
  const auto p = populate(dir.path);
  auto text = file_text(log());
  const auto [offset, json] = find_record(text, "vault", "\"name\":\"v\"");
  const auto second_at = text.size();
  text += journal_format::frame(json);
  write_text(log(), text);
  const auto message = start_refusal(dir.path);
  expect_refusal_names(message, dir.path, second_at);
  EXPECT_NE(message.find("'vault' record"), std::string::npos) << message;

  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk, nullptr, true);
  // The vault, its archives and its job are the first record's, whole.
  EXPECT_EQ(*h->store.find_archive(p.first_archive)->data, pattern_bytes(3000));
  EXPECT_EQ(h->describe("v", p.retrieval_job)["StatusCode"], "Succeeded");
  EXPECT_EQ(h->store.pending_jobs().size(), 1u);  // the succeeded job's expiry
}

TEST_F(loader_damage, a_job_recorded_in_another_vault_refuses_and_recover_keeps_its_vault) {
  const auto p = populate(dir.path);
  auto text = file_text(log());
  const auto [offset, json] = find_record(text, "job", p.retrieval_job);
  auto moved = json;
  moved.replace(moved.find("\"vault\":\"v\""), 11, "\"vault\":\"later\"");
  const auto moved_at = text.size();
  text += journal_format::frame(moved);
  write_text(log(), text);
  expect_refusal_names(start_refusal(dir.path), dir.path, moved_at);

  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk, nullptr, true);
  EXPECT_EQ(h->describe("v", p.retrieval_job)["StatusCode"], "Succeeded");
  EXPECT_EQ(h->send("GET", "/-/vaults/later/jobs/" + p.retrieval_job).status, 404u);
}

TEST_F(loader_damage, garbage_appended_refuses_and_recover_drops_it) {
  populate(dir.path);
  const auto size = std::filesystem::file_size(log());
  std::ofstream(log(), std::ios::app | std::ios::binary) << "\x01\x02garbage\nmore garbage\n";
  expect_refusal_names(start_refusal(dir.path), dir.path, size);
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk, nullptr, true);
  EXPECT_EQ(h->send("GET", "/-/vaults/later").status, 200u);
}

TEST_F(loader_damage, a_damaged_blob_is_never_served) {
  const auto p = populate(dir.path);
  const auto blob = dir.path / "blobs" / ("a-" + p.first_archive);
  auto bytes = file_text(blob);
  bytes[100] ^= 1;
  write_text(blob, bytes);

  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  // The job that had succeeded now ends Failed; its output is not served.
  const auto job = h->describe("v", p.retrieval_job);
  EXPECT_EQ(job["StatusCode"], "Failed");
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + p.retrieval_job + "/output").status, 400u);
  // A new retrieval of it is accepted, as AWS does, and fails.
  const auto again =
      h->initiate("v", R"({"Type":"archive-retrieval","ArchiveId":")" + p.first_archive + "\"}");
  h->advance(h->cfg.standard_delay);
  EXPECT_EQ(h->describe("v", again)["StatusCode"], "Failed");
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + again + "/output").status, 400u);
  // The admin state marks it; its bytes are not downloadable either.
  const auto state = api_harness::json(h->send("GET", "/_mock/state", "", {}, false));
  bool marked = false;
  for (const auto& vault : state["accounts"][0]["vaults"]) {
    for (const auto& a : vault["archives"]) {
      if (a["archive_id"] == p.first_archive) marked = a["damaged"];
    }
  }
  EXPECT_TRUE(marked) << state.dump();
  EXPECT_NE(h->send("GET", "/_mock/archives/" + p.first_archive, "", {}, false).status, 200u);
  // The other archive is served as before.
  EXPECT_EQ(*h->store.find_archive(p.second_archive)->data, pattern_bytes(2000, 1));
}

TEST_F(loader_damage, a_missing_blob_is_never_served) {
  const auto p = populate(dir.path);
  std::filesystem::remove(dir.path / "blobs" / ("a-" + p.first_archive));
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  EXPECT_EQ(h->describe("v", p.retrieval_job)["StatusCode"], "Failed");
  EXPECT_TRUE(h->store.find_archive(p.first_archive)->damaged);
  EXPECT_EQ(h->send("GET", "/-/vaults/v").status, 200u);
}

TEST_F(loader_damage, a_damaged_part_is_dropped_and_a_damaged_inventory_fails_its_job) {
  std::string upload, inventory;
  {
    std::unique_ptr<journal> disk;
    auto h = start_on_disk(dir.path, disk);
    h->create_vault("v");
    h->upload("v", "listed");
    inventory = h->initiate("v", R"({"Type":"inventory-retrieval"})");
    h->advance(h->cfg.standard_delay);
    const auto r =
        h->send("POST", "/-/vaults/v/multipart-uploads", "", {{"x-amz-part-size", "1048576"}});
    upload = r.headers.at("x-amz-multipart-upload-id");
    const std::string part = "part bytes";
    ASSERT_EQ(
        h->send("PUT", "/-/vaults/v/multipart-uploads/" + upload, part,
                with_content_sha256(part, {{"Content-Range", "bytes 0-9/*"},
                                           {"x-amz-sha256-tree-hash", to_hex(tree_hash(part))}}))
            .status,
        204u);
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path / "blobs")) {
    const auto name = entry.path().filename().string();
    if (name.starts_with("p-") || name.starts_with("j-")) {
      auto bytes = file_text(entry.path());
      bytes[2] ^= 1;
      write_text(entry.path(), bytes);
    }
  }
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  const auto parts = api_harness::json(h->send("GET", "/-/vaults/v/multipart-uploads/" + upload));
  EXPECT_TRUE(parts["Parts"].empty()) << parts.dump();
  EXPECT_EQ(h->describe("v", inventory)["StatusCode"], "Failed");
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + inventory + "/output").status, 400u);
}

TEST_F(loader_damage, a_deleted_journal_refuses_and_recover_sets_the_blobs_aside) {
  const auto p = populate(dir.path);
  std::filesystem::remove(log());
  const auto message = start_refusal(dir.path);
  EXPECT_NE(message.find((dir.path / "journal.log").string() + " is missing"), std::string::npos)
      << message;
  EXPECT_NE(message.find("--recover"), std::string::npos) << message;
  // Refusing left the directory as it was: the next start without --recover refuses too.
  EXPECT_FALSE(std::filesystem::exists(log()));
  EXPECT_NE(start_refusal(dir.path), "");
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk, nullptr, true);
  EXPECT_EQ(h->send("GET", "/-/vaults/v").status, 404u);
  EXPECT_TRUE(std::filesystem::exists(dir.path / "lost+found" / ("a-" + p.first_archive)));
  EXPECT_TRUE(std::filesystem::exists(dir.path / "lost+found" / ("a-" + p.second_archive)));
}

TEST_F(loader_damage, a_stray_blob_moves_to_lost_and_found) {
  populate(dir.path);
  write_text(dir.path / "blobs" / "a-stray", "who wrote this?");
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  EXPECT_FALSE(std::filesystem::exists(dir.path / "blobs" / "a-stray"));
  EXPECT_EQ(file_text(dir.path / "lost+found" / "a-stray"), "who wrote this?");
}

}  // namespace
}  // namespace glacier::testing
