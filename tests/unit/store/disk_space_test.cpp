// --data-dir gives space back: a deleted archive's file goes unless a succeeded job still
// serves its bytes, parts go with their upload, and the journal is compacted while running.
// The last day's retrievals survive a restart, so the retrieval policy still counts them.
#include <gtest/gtest.h>

#include <filesystem>

#include "glacier/aws/tree_hash.hpp"
#include "support/data_dir.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

bool has_blob(const std::filesystem::path& dir, const std::string& archive_id) {
  return std::filesystem::exists(dir / "blobs" / ("a-" + archive_id));
}

std::string retrieve_body(const std::string& archive_id) {
  return R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"}";
}

TEST(disk_space, a_deleted_archive_frees_its_file) {
  temp_data_dir dir("space-delete");
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  h->create_vault("v");
  const auto id = h->upload("v", pattern_bytes(10000));
  EXPECT_TRUE(has_blob(dir.path, id));
  EXPECT_EQ(disk->stats().blob_bytes, 10000u);
  ASSERT_EQ(h->send("DELETE", "/-/vaults/v/archives/" + id).status, 204u);
  EXPECT_FALSE(has_blob(dir.path, id));
  EXPECT_EQ(disk->stats().blob_bytes, 0u);
}

TEST(disk_space, a_succeeded_job_keeps_the_bytes_it_serves_until_it_is_purged) {
  temp_data_dir dir("space-job");
  const auto data = pattern_bytes(5000);
  std::string id, job;
  {
    std::unique_ptr<journal> disk;
    auto h = start_on_disk(dir.path, disk);
    h->create_vault("v");
    id = h->upload("v", data);
    job = h->initiate("v", retrieve_body(id));
    h->advance(h->cfg.standard_delay);
    ASSERT_EQ(h->send("DELETE", "/-/vaults/v/archives/" + id).status, 204u);
    EXPECT_TRUE(has_blob(dir.path, id));
  }
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + job + "/output").payload(), data);
  // The harness clock starts where the first run's did; the job completed a delay later.
  h->advance(h->cfg.job_retention + h->cfg.standard_delay);
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + job).status, 404u);
  EXPECT_FALSE(has_blob(dir.path, id));
}

TEST(disk_space, a_running_job_does_not_keep_a_deleted_archive) {
  temp_data_dir dir("space-running");
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  h->create_vault("v");
  const auto id = h->upload("v", pattern_bytes(5000));
  const auto job = h->initiate("v", retrieve_body(id));
  ASSERT_EQ(h->send("DELETE", "/-/vaults/v/archives/" + id).status, 204u);
  EXPECT_FALSE(has_blob(dir.path, id));
  h->advance(h->cfg.standard_delay);
  EXPECT_EQ(h->describe("v", job)["StatusCode"], "Failed");
}

TEST(disk_space, an_aborted_upload_frees_its_parts) {
  temp_data_dir dir("space-abort");
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  h->create_vault("v");
  const auto r =
      h->send("POST", "/-/vaults/v/multipart-uploads", "", {{"x-amz-part-size", "1048576"}});
  const auto upload = r.headers.at("x-amz-multipart-upload-id");
  const std::string part = "part bytes";
  ASSERT_EQ(
      h->send("PUT", "/-/vaults/v/multipart-uploads/" + upload, part,
              with_content_sha256(part, {{"Content-Range", "bytes 0-9/*"},
                                         {"x-amz-sha256-tree-hash", to_hex(tree_hash(part))}}))
          .status,
      204u);
  EXPECT_EQ(disk->blob_names().size(), 1u);
  ASSERT_EQ(h->send("DELETE", "/-/vaults/v/multipart-uploads/" + upload).status, 204u);
  EXPECT_TRUE(disk->blob_names().empty());
}

std::string large_access_policy(int variant) {
  nlohmann::json statements = nlohmann::json::array();
  for (int i = 0; i < 120; ++i) {
    statements.push_back({{"Sid", "s" + std::to_string(i) + "v" + std::to_string(variant)},
                          {"Principal", "*"},
                          {"Effect", "Deny"},
                          {"Action", "glacier:DeleteArchive"},
                          {"Resource", "arn:aws:glacier:us-east-1:123456789012:vaults/v"}});
  }
  const nlohmann::json document{{"Version", "2012-10-17"}, {"Statement", statements}};
  return nlohmann::json{{"Policy", document.dump()}}.dump();
}

TEST(disk_space, the_journal_is_compacted_while_running) {
  temp_data_dir dir("space-compact");
  {
    std::unique_ptr<journal> disk;
    auto h = start_on_disk(dir.path, disk);
    h->create_vault("v");
    std::uint64_t previous = 0;
    bool shrank = false;
    for (int i = 0; i < 80; ++i) {
      const auto r = h->send("PUT", "/-/vaults/v/access-policy", large_access_policy(i));
      ASSERT_EQ(r.status, 204u) << r.body;
      const auto now = disk->stats().journal_bytes;
      shrank = shrank || now < previous;
      previous = now;
    }
    // 80 records of over 16 KB each: more than 1 MiB, unless compacted on the way.
    EXPECT_TRUE(shrank);
    EXPECT_LT(disk->stats().journal_bytes, 1u << 20);
  }
  std::unique_ptr<journal> disk;
  auto h = start_on_disk(dir.path, disk);
  const auto policy = api_harness::json(h->send("GET", "/-/vaults/v/access-policy"));
  EXPECT_NE(policy["Policy"].get<std::string>().find("s0v79"), std::string::npos);
}

TEST(disk_space, the_last_days_retrievals_still_count_after_a_restart) {
  temp_data_dir dir("space-retrievals");
  std::string id;
  {
    std::unique_ptr<journal> disk;
    auto h = start_on_disk(dir.path, disk);
    h->create_vault("v");
    id = h->upload("v", pattern_bytes(3000));
    ASSERT_EQ(h->send("PUT", "/-/policies/data-retrieval",
                      R"({"Policy":{"Rules":[{"Strategy":"BytesPerHour","BytesPerHour":5000}]}})")
                  .status,
              204u);
    h->initiate("v", retrieve_body(id));
  }
  for (int restart = 0; restart < 2; ++restart) {
    std::unique_ptr<journal> disk;
    auto h = start_on_disk(dir.path, disk);
    expect_error(h->send("POST", "/-/vaults/v/jobs", retrieve_body(id)), 400,
                 "PolicyEnforcedException", "data retrieval policy");
  }
}

}  // namespace
}  // namespace glacier::testing
