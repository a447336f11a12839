// --data-dir: the journal keeps the whole state across a restart, torn tails included.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "glacier/journal.hpp"
#include "glacier/tree_hash.hpp"
#include "support/api_harness.hpp"

namespace glacier::testing {
namespace {

class persistence : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("glacier-persistence-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  /// A harness whose store loads from and writes to `dir`, as the application does.
  std::unique_ptr<api_harness> start(std::unique_ptr<journal>& disk) {
    auto h = std::make_unique<api_harness>();
    disk = std::make_unique<journal>(dir);
    h->clock.advance(h->store.load_journal(*disk));
    for (const auto& timer : h->store.pending_jobs()) h->scheduler.schedule(timer);
    return h;
  }

  std::filesystem::path dir;
};

TEST_F(persistence, state_survives_a_restart) {
  const auto data = pattern_bytes(3 * 1024 * 1024 + 5);
  std::string archive_id, done_job, running_job, upload_id;
  {
    std::unique_ptr<journal> disk;
    auto h = start(disk);
    h->create_vault("v");
    h->create_vault("gone");
    ASSERT_EQ(h->send("DELETE", "/-/vaults/gone").status, 204u);
    archive_id = h->upload("v", data, "kept");
    const auto deleted = h->upload("v", "short-lived");
    ASSERT_EQ(h->send("DELETE", "/-/vaults/v/archives/" + deleted).status, 204u);
    done_job = h->initiate("v", R"({"Type":"inventory-retrieval","Format":"CSV"})");
    h->advance(h->cfg.standard_delay);
    h->cfg.bulk_delay = duration(60'000);
    running_job = h->initiate(
        "v", R"({"Type":"archive-retrieval","Tier":"Bulk","ArchiveId":")" + archive_id + "\"}");
    const auto r =
        h->send("POST", "/-/vaults/v/multipart-uploads", "", {{"x-amz-part-size", "1048576"}});
    upload_id = r.headers.at("x-amz-multipart-upload-id");
    ASSERT_EQ(h->send("PUT", "/-/vaults/v/multipart-uploads/" + upload_id, "part",
                      {{"Content-Range", "bytes 0-3/*"},
                       {"x-amz-sha256-tree-hash", to_hex(sha256("part"))}})
                  .status,
              204u);
    ASSERT_EQ(h->send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"k":"v"}})").status,
              204u);
    ASSERT_EQ(h->send("PUT", "/-/policies/data-retrieval",
                      R"({"Policy":{"Rules":[{"Strategy":"FreeTier"}]}})")
                  .status,
              204u);
  }
  std::unique_ptr<journal> disk;
  auto h = start(disk);
  EXPECT_EQ(h->send("GET", "/-/vaults/gone").status, 404u);
  const auto vault = api_harness::json(h->send("GET", "/-/vaults/v"));
  EXPECT_EQ(vault["NumberOfArchives"], 1);
  EXPECT_EQ(vault["SizeInBytes"], data.size());
  EXPECT_EQ(h->describe("v", done_job)["StatusCode"], "Succeeded");
  const auto inventory = h->send("GET", "/-/vaults/v/jobs/" + done_job + "/output");
  EXPECT_NE(std::string(inventory.payload()).find(archive_id), std::string::npos);
  EXPECT_EQ(h->describe("v", running_job)["StatusCode"], "InProgress");
  // The pending job is scheduled again and completes with the archive's exact bytes.
  EXPECT_EQ(h->advance(duration(70'000)), 1u);
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + running_job + "/output").payload(), data);
  const auto parts =
      api_harness::json(h->send("GET", "/-/vaults/v/multipart-uploads/" + upload_id));
  EXPECT_EQ(parts["Parts"][0]["RangeInBytes"], "0-3");
  EXPECT_EQ(
      h->send("POST", "/-/vaults/v/multipart-uploads/" + upload_id, "",
              {{"x-amz-archive-size", "4"}, {"x-amz-sha256-tree-hash", to_hex(sha256("part"))}})
          .status,
      201u);
  EXPECT_EQ(api_harness::json(h->send("GET", "/-/vaults/v/tags"))["Tags"]["k"], "v");
  EXPECT_EQ(api_harness::json(
                h->send("GET", "/-/policies/data-retrieval"))["Policy"]["Rules"][0]["Strategy"],
            "FreeTier");
}

TEST_F(persistence, a_torn_last_line_is_ignored) {
  {
    std::unique_ptr<journal> disk;
    auto h = start(disk);
    h->create_vault("v");
  }
  std::ofstream(dir / "journal.log", std::ios::app) << R"({"t":"vault","s":["1234)";
  std::unique_ptr<journal> disk;
  auto h = start(disk);
  EXPECT_EQ(h->send("GET", "/-/vaults/v").status, 200u);
  h->create_vault("w");
  std::unique_ptr<journal> again;
  auto restarted = start(again);
  EXPECT_EQ(restarted->send("GET", "/-/vaults/w").status, 200u);
}

TEST_F(persistence, reset_clears_the_disk_too) {
  {
    std::unique_ptr<journal> disk;
    auto h = start(disk);
    h->create_vault("v");
    h->upload("v", "bytes");
    ASSERT_EQ(h->send("POST", "/_mock/reset", "", {}, false).status, 200u);
  }
  std::unique_ptr<journal> disk;
  auto h = start(disk);
  EXPECT_EQ(h->send("GET", "/-/vaults/v").status, 404u);
  EXPECT_TRUE(std::filesystem::is_empty(dir / "blobs"));
}

}  // namespace
}  // namespace glacier::testing
