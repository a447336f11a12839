// --data-dir: the journal keeps the whole state across a restart, torn tails included.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "glacier/aws/tree_hash.hpp"
#include "glacier/store/journal.hpp"
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
  std::unique_ptr<api_harness> start(std::unique_ptr<journal>& disk, std::uint64_t seed = 42) {
    auto h = std::make_unique<api_harness>(seed);
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
    ASSERT_EQ(
        h->send("PUT", "/-/vaults/v/multipart-uploads/" + upload_id, "part",
                with_content_sha256("part", {{"Content-Range", "bytes 0-3/*"},
                                             {"x-amz-sha256-tree-hash", to_hex(sha256("part"))}}))
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

TEST_F(persistence, purged_jobs_stay_purged_after_a_restart) {
  std::string purged, kept;
  {
    std::unique_ptr<journal> disk;
    auto h = start(disk);
    h->create_vault("v");
    purged = h->initiate("v", R"({"Type":"inventory-retrieval"})");
    h->advance(h->cfg.standard_delay);
    h->advance(h->cfg.job_retention);
    ASSERT_EQ(h->send("GET", "/-/vaults/v/jobs/" + purged).status, 404u);
    kept = h->initiate("v", R"({"Type":"inventory-retrieval"})");
  }
  std::unique_ptr<journal> disk;
  auto h = start(disk);
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + purged).status, 404u);
  EXPECT_EQ(h->describe("v", kept)["StatusCode"], "InProgress");
  const auto list = api_harness::json(h->send("GET", "/-/vaults/v/jobs"));
  ASSERT_EQ(list["JobList"].size(), 1u);
  EXPECT_EQ(list["JobList"][0]["JobId"], kept);
}

// Job ids derive from a per-run key; jobs of an earlier run keep the ids clients were given.
TEST_F(persistence, jobs_of_a_run_with_another_seed_keep_their_ids) {
  std::string done, running;
  {
    std::unique_ptr<journal> disk;
    auto h = start(disk, 1);
    h->create_vault("v");
    done = h->initiate("v", R"({"Type":"inventory-retrieval"})");
    h->advance(h->cfg.standard_delay);
    h->cfg.bulk_delay = duration(60'000);
    running = h->initiate("v", R"({"Type":"inventory-retrieval","Tier":"Bulk"})");
  }
  std::unique_ptr<journal> disk;
  auto h = start(disk, 2);
  EXPECT_EQ(h->describe("v", done)["JobId"], done);
  EXPECT_EQ(h->describe("v", running)["StatusCode"], "InProgress");
  const auto fresh = h->initiate("v", R"({"Type":"inventory-retrieval"})");
  const auto first = api_harness::json(h->send("GET", "/-/vaults/v/jobs?limit=1"));
  EXPECT_EQ(first["JobList"][0]["JobId"], done);
  ASSERT_EQ(first["Marker"], running);
  const auto rest = api_harness::json(h->send("GET", "/-/vaults/v/jobs?marker=" + running));
  ASSERT_EQ(rest["JobList"].size(), 2u);
  EXPECT_EQ(rest["JobList"][1]["JobId"], fresh);
  ASSERT_TRUE(h->store.find_job(running).has_value());
  // Both are due, `fresh` after the standard delay, `running` (scheduled again at start-up)
  // 60 s after its creation in the first run.
  EXPECT_EQ(h->advance(h->cfg.standard_delay + duration(60'000)), 2u);
  EXPECT_EQ(h->describe("v", running)["StatusCode"], "Succeeded");
  // The completed job's purge is scheduled again too: it leaves the store, not just listings.
  h->advance(h->cfg.job_retention);
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + done).status, 404u);
  EXPECT_FALSE(h->store.find_job(done).has_value());
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

namespace glacier::testing {
namespace {

TEST_F(persistence, a_select_job_survives_a_restart_and_runs_after_it) {
  const std::string select = R"({"Type":"select","ArchiveId":"ID","Tier":"Bulk",
    "SelectParameters":{"Expression":"SELECT s._2 FROM archive s","ExpressionType":"SQL",
      "InputSerialization":{"csv":{"FieldDelimiter":";"}}},
    "OutputLocation":{"S3":{"BucketName":"bucket","Prefix":"p","Tagging":{"k":"v"}}}})";
  std::string job_id;
  nlohmann::json before;
  {
    std::unique_ptr<journal> disk;
    auto h = start(disk);
    h->create_vault("v");
    const auto archive_id = h->upload("v", "a;b\nc;d\n");
    auto body = select;
    body.replace(body.find("ID"), 2, archive_id);
    h->cfg.bulk_delay = duration(60'000);
    job_id = h->initiate("v", body);
    before = h->describe("v", job_id);
  }
  std::unique_ptr<journal> disk;
  auto h = start(disk);
  EXPECT_EQ(h->describe("v", job_id), before);
  h->advance(duration(70'000));
  const auto after = h->describe("v", job_id);
  EXPECT_EQ(after["StatusCode"], "Succeeded") << after.dump();
  const auto part =
      h->send("GET", "/_mock/jobs/" + job_id + "/select-output?key=" + "results/part-00000.csv");
  EXPECT_EQ(part.payload(), "b\nd\n");
}

}  // namespace
}  // namespace glacier::testing
