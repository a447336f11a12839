// --data-dir on a disk that fills up: a change the disk refuses is answered 500
// ServiceUnavailableException and leaves nothing visible; once there is room again later
// changes are kept, and a restart brings back exactly what was acknowledged.
#include <gtest/gtest.h>

#include "glacier/aws/tree_hash.hpp"
#include "support/data_dir.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

constexpr const char* refused_code = "ServiceUnavailableException";
constexpr const char* disk_full_text = "No space left on device";

http::response send_upload(api_harness& h, const std::string& vault, const std::string& data) {
  return h.send("POST", "/-/vaults/" + vault + "/archives", data,
                with_content_sha256(data, {{"x-amz-sha256-tree-hash", to_hex(tree_hash(data))}}));
}

std::string open_multipart(api_harness& h, const std::string& vault) {
  const auto r = h.send("POST", "/-/vaults/" + vault + "/multipart-uploads", "",
                        {{"x-amz-part-size", "1048576"}});
  EXPECT_EQ(r.status, 201u) << r.body;
  return r.headers.at("x-amz-multipart-upload-id");
}

void send_part(api_harness& h, const std::string& vault, const std::string& upload,
               std::uint64_t start, const std::string& data) {
  const auto range =
      "bytes " + std::to_string(start) + "-" + std::to_string(start + data.size() - 1) + "/*";
  const auto r = h.send(
      "PUT", "/-/vaults/" + vault + "/multipart-uploads/" + upload, data,
      with_content_sha256(
          data, {{"Content-Range", range}, {"x-amz-sha256-tree-hash", to_hex(tree_hash(data))}}));
  ASSERT_EQ(r.status, 204u) << r.body;
}

http::response send_complete(api_harness& h, const std::string& vault, const std::string& upload,
                             const std::string& whole) {
  return h.send("POST", "/-/vaults/" + vault + "/multipart-uploads/" + upload, "",
                {{"x-amz-archive-size", std::to_string(whole.size())},
                 {"x-amz-sha256-tree-hash", to_hex(tree_hash(whole))}});
}

std::size_t archive_count(api_harness& h, const std::string& vault) {
  return api_harness::json(h.send("GET", "/-/vaults/" + vault))["NumberOfArchives"];
}

TEST(write_ahead, refused_changes_are_invisible_and_later_ones_survive_a_restart) {
  temp_data_dir dir("write-ahead-refused");
  auto disk = std::make_shared<filling_disk>();
  std::string kept, later;
  {
    std::unique_ptr<journal> j;
    auto h = start_on_disk(dir.path, j, disk);
    h->create_vault("v");
    kept = h->upload("v", "kept bytes");
    disk->fill();

    expect_error(h->send("PUT", "/-/vaults/w"), 500, refused_code, disk_full_text);
    EXPECT_EQ(h->send("GET", "/-/vaults/w").status, 404u);
    expect_error(send_upload(*h, "v", "refused bytes"), 500, refused_code, disk_full_text);
    EXPECT_EQ(archive_count(*h, "v"), 1u);
    expect_error(h->send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"k":"v"}})"), 500,
                 refused_code, disk_full_text);
    EXPECT_TRUE(api_harness::json(h->send("GET", "/-/vaults/v/tags"))["Tags"].empty());
    expect_error(h->send("DELETE", "/-/vaults/v/archives/" + kept), 500, refused_code,
                 disk_full_text);
    EXPECT_EQ(archive_count(*h, "v"), 1u);
    expect_error(h->send("POST", "/-/vaults/v/jobs", R"({"Type":"inventory-retrieval"})"), 500,
                 refused_code, disk_full_text);
    EXPECT_TRUE(api_harness::json(h->send("GET", "/-/vaults/v/jobs"))["JobList"].empty());
    expect_error(h->send("PUT", "/-/policies/data-retrieval",
                         R"({"Policy":{"Rules":[{"Strategy":"FreeTier"}]}})"),
                 500, refused_code, disk_full_text);
    EXPECT_EQ(api_harness::json(
                  h->send("GET", "/-/policies/data-retrieval"))["Policy"]["Rules"][0]["Strategy"],
              "None");
    expect_error(h->send("DELETE", "/-/vaults/v"), 400, "InvalidParameterValueException",
                 "not empty");
    EXPECT_GE(h->store.stats().failed_writes, 6u);

    disk->free_space();
    h->create_vault("after");
    later = h->upload("v", "bytes once there was room");
    ASSERT_EQ(h->send("POST", "/-/vaults/v/tags?operation=add", R"({"Tags":{"k":"v"}})").status,
              204u);
  }
  std::unique_ptr<journal> j;
  auto h = start_on_disk(dir.path, j);
  EXPECT_EQ(h->send("GET", "/-/vaults/w").status, 404u);
  EXPECT_EQ(h->send("GET", "/-/vaults/after").status, 200u);
  EXPECT_EQ(archive_count(*h, "v"), 2u);
  EXPECT_EQ(h->store.find_archive(kept)->data->size(), std::string("kept bytes").size());
  EXPECT_TRUE(h->store.find_archive(later).has_value());
  EXPECT_EQ(api_harness::json(h->send("GET", "/-/vaults/v/tags"))["Tags"]["k"], "v");
  EXPECT_TRUE(api_harness::json(h->send("GET", "/-/vaults/v/jobs"))["JobList"].empty());
}

// The disk fills after the archive's bytes are written, inside the completion's record.
TEST(write_ahead, a_refused_multipart_complete_leaves_the_upload_open_and_whole) {
  temp_data_dir dir("write-ahead-complete");
  auto disk = std::make_shared<filling_disk>();
  const auto first = pattern_bytes(mib);
  const auto second = pattern_bytes(1000, 1);
  const auto whole = first + second;
  std::string upload, archive_id;
  {
    std::unique_ptr<journal> j;
    auto h = start_on_disk(dir.path, j, disk);
    h->create_vault("v");
    upload = open_multipart(*h, "v");
    send_part(*h, "v", upload, 0, first);
    send_part(*h, "v", upload, mib, second);
    disk->budget = static_cast<std::int64_t>(whole.size()) + 10;
    expect_error(send_complete(*h, "v", upload, whole), 500, refused_code, disk_full_text);
    EXPECT_EQ(archive_count(*h, "v"), 0u);
    const auto parts = api_harness::json(h->send("GET", "/-/vaults/v/multipart-uploads/" + upload));
    EXPECT_EQ(parts["Parts"].size(), 2u);
    disk->free_space();
    const auto r = send_complete(*h, "v", upload, whole);
    ASSERT_EQ(r.status, 201u) << r.body;
    archive_id = r.headers.at("x-amz-archive-id");
  }
  std::unique_ptr<journal> j;
  auto h = start_on_disk(dir.path, j);
  EXPECT_EQ(archive_count(*h, "v"), 1u);
  EXPECT_EQ(*h->store.find_archive(archive_id)->data, whole);
  EXPECT_TRUE(
      api_harness::json(h->send("GET", "/-/vaults/v/multipart-uploads"))["UploadsList"].empty());
  // Completing again answers with the same archive, as before the restart.
  const auto again = send_complete(*h, "v", upload, whole);
  ASSERT_EQ(again.status, 201u) << again.body;
  EXPECT_EQ(again.headers.at("x-amz-archive-id"), archive_id);
  EXPECT_EQ(archive_count(*h, "v"), 1u);
  // The parts' files went once the archive held their bytes.
  EXPECT_EQ(j->blob_names().size(), 1u);
}

TEST(write_ahead, deletes_may_use_the_reserve_so_a_full_disk_can_be_emptied) {
  temp_data_dir dir("write-ahead-reserve");
  auto disk = std::make_shared<filling_disk>();
  std::string archive_id;
  {
    std::unique_ptr<journal> j;
    auto h = start_on_disk(dir.path, j, disk, false, 42, 4096);
    h->create_vault("v");
    archive_id = h->upload("v", pattern_bytes(10000));
    disk->budget = 3000;  // less than the reserve is left
    expect_error(h->send("PUT", "/-/vaults/w"), 500, refused_code, disk_full_text);
    expect_error(send_upload(*h, "v", "x"), 500, refused_code, disk_full_text);
    ASSERT_EQ(h->send("DELETE", "/-/vaults/v/archives/" + archive_id).status, 204u);
    EXPECT_TRUE(j->blob_names().empty());
  }
  std::unique_ptr<journal> j;
  auto h = start_on_disk(dir.path, j);
  EXPECT_EQ(archive_count(*h, "v"), 0u);
  EXPECT_EQ(h->send("GET", "/-/vaults/w").status, 404u);
}

TEST(write_ahead, a_job_completion_the_disk_refuses_is_retried) {
  temp_data_dir dir("write-ahead-job");
  auto disk = std::make_shared<filling_disk>();
  std::string job;
  {
    std::unique_ptr<journal> j;
    auto h = start_on_disk(dir.path, j, disk);
    h->create_vault("v");
    job = h->initiate("v", R"({"Type":"inventory-retrieval"})");
    disk->fill();
    EXPECT_EQ(h->advance(h->cfg.standard_delay), 0u);
    EXPECT_EQ(h->describe("v", job)["StatusCode"], "InProgress");
    disk->free_space();
    EXPECT_EQ(h->advance(duration(1000)), 1u);
    EXPECT_EQ(h->describe("v", job)["StatusCode"], "Succeeded");
  }
  std::unique_ptr<journal> j;
  auto h = start_on_disk(dir.path, j);
  EXPECT_EQ(h->describe("v", job)["StatusCode"], "Succeeded");
  EXPECT_EQ(h->send("GET", "/-/vaults/v/jobs/" + job + "/output").status, 200u);
}

}  // namespace
}  // namespace glacier::testing
