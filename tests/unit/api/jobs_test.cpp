// Jobs from InitiateJob to purge (DescribeJob fields in each state, tier delays, ListJobs),
// and GetJobOutput: whole output, Range headers, ranged retrieval jobs and tree-hash headers.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "glacier/aws/tree_hash.hpp"
#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {


class job_lifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    h.create_vault("v");
    data = pattern_bytes(2 * mib + 10);
    archive_id = h.upload("v", data, "my archive");
  }
  api_harness h;
  std::string data;
  std::string archive_id;
};

TEST_F(job_lifecycle, archive_job_is_in_progress_with_every_field) {
  const auto id = h.initiate("v", R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id +
                                      R"(","Description":"d","Tier":"Expedited"})");
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["JobId"], id);
  EXPECT_EQ(d["JobDescription"], "d");
  EXPECT_EQ(d["Action"], "ArchiveRetrieval");
  EXPECT_EQ(d["ArchiveId"], archive_id);
  EXPECT_EQ(d["VaultARN"], "arn:aws:glacier:us-east-1:123456789012:vaults/v");
  EXPECT_EQ(d["CreationDate"], "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(d["Completed"], false);
  EXPECT_EQ(d["StatusCode"], "InProgress");
  EXPECT_EQ(d["StatusMessage"], "Operation in progress.");
  EXPECT_EQ(d["ArchiveSizeInBytes"], data.size());
  EXPECT_TRUE(d["InventorySizeInBytes"].is_null());
  EXPECT_TRUE(d["SNSTopic"].is_null());
  EXPECT_TRUE(d["CompletionDate"].is_null());
  EXPECT_EQ(d["SHA256TreeHash"], to_hex(tree_hash(data)));
  EXPECT_EQ(d["ArchiveSHA256TreeHash"], to_hex(tree_hash(data)));
  EXPECT_EQ(d["RetrievalByteRange"], "0-" + std::to_string(data.size() - 1));
  EXPECT_EQ(d["Tier"], "Expedited");
  EXPECT_TRUE(d["InventoryRetrievalParameters"].is_null());
}

TEST_F(job_lifecycle, each_tier_completes_after_its_own_delay) {
  h.cfg.expedited_delay = duration(1000);
  h.cfg.standard_delay = duration(3000);
  h.cfg.bulk_delay = duration(5000);
  const auto body = [&](const char* tier) {
    return R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + R"(","Tier":")" + tier +
           "\"}";
  };
  const auto expedited = h.initiate("v", body("Expedited"));
  const auto standard = h.initiate("v", body("Standard"));
  const auto bulk = h.initiate("v", body("Bulk"));
  const auto fallback =
      h.initiate("v", R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"}");

  EXPECT_EQ(h.advance(duration(999)), 0u);
  EXPECT_EQ(h.advance(duration(1)), 1u);
  EXPECT_EQ(h.describe("v", expedited)["StatusCode"], "Succeeded");
  EXPECT_EQ(h.describe("v", expedited)["CompletionDate"], "2024-01-01T00:00:01.000Z");
  EXPECT_EQ(h.describe("v", standard)["StatusCode"], "InProgress");
  EXPECT_EQ(h.advance(duration(2000)), 2u);
  EXPECT_EQ(h.describe("v", standard)["StatusCode"], "Succeeded");
  EXPECT_EQ(h.describe("v", fallback)["Tier"], "Standard");
  EXPECT_EQ(h.describe("v", bulk)["StatusCode"], "InProgress");
  EXPECT_EQ(h.advance(duration(2000)), 1u);
  const auto d = h.describe("v", bulk);
  EXPECT_EQ(d["StatusCode"], "Succeeded");
  EXPECT_EQ(d["Completed"], true);
  EXPECT_EQ(d["StatusMessage"], "Succeeded");
  EXPECT_EQ(d["CompletionDate"], "2024-01-01T00:00:05.000Z");
}

TEST_F(job_lifecycle, a_zero_delay_completes_on_the_next_scheduler_pass) {
  h.cfg.standard_delay = duration(0);
  const auto id = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  EXPECT_EQ(h.advance(duration(0)), 1u);
  EXPECT_EQ(h.describe("v", id)["StatusCode"], "Succeeded");
}

TEST_F(job_lifecycle, completed_archive_job_outputs_the_exact_bytes) {
  const auto id =
      h.initiate("v", R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"}");
  expect_error(h.send("GET", "/-/vaults/v/jobs/" + id + "/output"), 400,
               "InvalidParameterValueException",
               "The job is not currently available for download: " + id, true);
  h.advance(h.cfg.standard_delay);
  const auto r = h.send("GET", "/-/vaults/v/jobs/" + id + "/output");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.payload(), data);
  EXPECT_EQ(r.headers.at("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r.headers.at("Accept-Ranges"), "bytes");
  EXPECT_EQ(r.headers.at("x-amz-archive-description"), "my archive");
  EXPECT_EQ(r.headers.at("x-amz-sha256-tree-hash"), to_hex(tree_hash(data)));
}

TEST_F(job_lifecycle, inventory_job_lists_archives_and_reports_its_size) {
  const auto id = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  auto d = h.describe("v", id);
  EXPECT_EQ(d["Action"], "InventoryRetrieval");
  EXPECT_TRUE(d["ArchiveId"].is_null());
  EXPECT_TRUE(d["ArchiveSizeInBytes"].is_null());
  EXPECT_TRUE(d["ArchiveSHA256TreeHash"].is_null());
  EXPECT_TRUE(d["SHA256TreeHash"].is_null());
  EXPECT_TRUE(d["RetrievalByteRange"].is_null());
  EXPECT_TRUE(d["InventorySizeInBytes"].is_null());
  EXPECT_EQ(d["InventoryRetrievalParameters"]["Format"], "JSON");
  h.advance(h.cfg.standard_delay);
  d = h.describe("v", id);
  const auto r = h.send("GET", "/-/vaults/v/jobs/" + id + "/output");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
  EXPECT_FALSE(r.headers.contains("x-amz-sha256-tree-hash"));
  EXPECT_EQ(d["InventorySizeInBytes"], r.payload().size());
  const auto inventory = api_harness::json(r);
  EXPECT_EQ(inventory["VaultARN"], "arn:aws:glacier:us-east-1:123456789012:vaults/v");
  ASSERT_EQ(inventory["ArchiveList"].size(), 1u);
  EXPECT_EQ(inventory["ArchiveList"][0]["ArchiveId"], archive_id);
  EXPECT_EQ(inventory["ArchiveList"][0]["ArchiveDescription"], "my archive");
  EXPECT_EQ(inventory["ArchiveList"][0]["Size"], data.size());
  EXPECT_TRUE(d["InventoryRetrievalParameters"]["Marker"].is_null());
}

TEST_F(job_lifecycle, archive_deleted_before_completion_fails_the_job) {
  const auto id =
      h.initiate("v", R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"}");
  ASSERT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + archive_id).status, 204u);
  h.advance(h.cfg.standard_delay);
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["StatusCode"], "Failed");
  EXPECT_EQ(d["Completed"], true);
  EXPECT_NE(d["StatusMessage"].get<std::string>().find("deleted"), std::string::npos);
  expect_error(h.send("GET", "/-/vaults/v/jobs/" + id + "/output"), 400,
               "InvalidParameterValueException", "not currently available");
}

TEST_F(job_lifecycle, completed_jobs_are_purged_after_retention) {
  const auto id = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  h.advance(h.cfg.standard_delay);
  h.advance(h.cfg.job_retention - duration(1));
  EXPECT_EQ(h.send("GET", "/-/vaults/v/jobs/" + id).status, 200u);
  h.advance(duration(1));
  expect_error(h.send("GET", "/-/vaults/v/jobs/" + id), 404, "ResourceNotFoundException",
               "The job ID was not found: " + id, true);
  EXPECT_TRUE(api_harness::json(h.send("GET", "/-/vaults/v/jobs"))["JobList"].empty());
}

TEST_F(job_lifecycle, unknown_job_is_404) {
  expect_error(h.send("GET", "/-/vaults/v/jobs/nope"), 404, "ResourceNotFoundException",
               "The job ID was not found: nope", true);
}

class list_jobs : public job_lifecycle {};

TEST_F(list_jobs, filters_by_completion_and_status_code) {
  h.cfg.expedited_delay = duration(10);
  const auto done = h.initiate("v", R"({"Type":"inventory-retrieval","Tier":"Expedited"})");
  const auto running = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  h.advance(duration(10));
  auto ids = [&](const std::string& query) {
    std::vector<std::string> out;
    const auto r = h.send("GET", "/-/vaults/v/jobs" + query);
    EXPECT_EQ(r.status, 200u) << r.body;
    const auto body = api_harness::json(r);
    for (const auto& j : body["JobList"]) out.push_back(j["JobId"]);
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<std::string>{done, running}));
  EXPECT_EQ(ids("?completed=true"), std::vector<std::string>{done});
  EXPECT_EQ(ids("?completed=false"), std::vector<std::string>{running});
  EXPECT_EQ(ids("?statuscode=Succeeded"), std::vector<std::string>{done});
  EXPECT_EQ(ids("?statuscode=InProgress"), std::vector<std::string>{running});
  EXPECT_TRUE(ids("?statuscode=Failed").empty());
  EXPECT_TRUE(ids("?completed=true&statuscode=InProgress").empty());
}

TEST_F(list_jobs, pages_with_limit_and_marker) {
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i)
    created.push_back(h.initiate("v", R"({"Type":"inventory-retrieval"})"));
  std::vector<std::string> seen;
  std::string marker;
  for (int page = 0; page < 10; ++page) {
    const auto r =
        h.send("GET", "/-/vaults/v/jobs?limit=3" + (marker.empty() ? "" : "&marker=" + marker));
    const auto body = api_harness::json(r);
    EXPECT_LE(body["JobList"].size(), 3u);
    for (const auto& j : body["JobList"]) seen.push_back(j["JobId"]);
    if (body["Marker"].is_null()) break;
    marker = body["Marker"];
  }
  EXPECT_EQ(seen, created);
}

TEST_F(list_jobs, an_empty_marker_lists_from_the_start) {
  const auto first = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  const auto second = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  const auto r = h.send("GET", "/-/vaults/v/jobs?marker=&limit=1");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto body = api_harness::json(r);
  ASSERT_EQ(body["JobList"].size(), 1u);
  EXPECT_EQ(body["JobList"][0]["JobId"], first);
  EXPECT_EQ(body["Marker"], second);
}

TEST_F(list_jobs, mixed_statuses_list_in_creation_order_and_page_within_a_filter) {
  h.cfg.expedited_delay = duration(10);
  h.cfg.standard_delay = duration(60'000);
  // Jobs of all three statuses, interleaved: s = succeeded, r = running, f = failed.
  std::vector<std::string> all, succeeded, running, failed;
  for (int i = 0; i < 12; ++i) {
    const int kind = i % 3;
    const auto id =
        h.initiate("v", kind == 0 ? R"({"Type":"inventory-retrieval","Tier":"Expedited"})"
                                  : R"({"Type":"inventory-retrieval"})");
    all.push_back(id);
    (kind == 0 ? succeeded : kind == 1 ? running : failed).push_back(id);
  }
  for (const auto& id : failed) ASSERT_TRUE(h.scheduler.fail_now(*h.store.find_job(id), "no"));
  h.advance(duration(10));
  auto pages = [&](const std::string& filter, int limit) {
    std::vector<std::string> seen;
    std::string marker;
    for (int page = 0; page < 20; ++page) {
      const auto r = h.send("GET", "/-/vaults/v/jobs?limit=" + std::to_string(limit) + filter +
                                       (marker.empty() ? "" : "&marker=" + marker));
      EXPECT_EQ(r.status, 200u) << r.body;
      const auto body = api_harness::json(r);
      for (const auto& j : body["JobList"]) seen.push_back(j["JobId"]);
      if (body["Marker"].is_null()) break;
      marker = body["Marker"];
    }
    return seen;
  };
  EXPECT_EQ(pages("", 5), all);
  EXPECT_EQ(pages("&statuscode=Succeeded", 3), succeeded);
  EXPECT_EQ(pages("&statuscode=InProgress", 2), running);
  EXPECT_EQ(pages("&statuscode=Failed", 1), failed);
  std::vector<std::string> completed;
  for (const auto& id : all) {
    if (std::find(running.begin(), running.end(), id) == running.end()) completed.push_back(id);
  }
  EXPECT_EQ(pages("&completed=true", 3), completed);
  EXPECT_EQ(pages("&completed=false", 50), running);
  EXPECT_EQ(h.describe("v", failed[1])["StatusMessage"], "no");

  // The counts behind /_mock/metrics follow every change without walking the jobs.
  const auto stats = h.store.stats();
  EXPECT_EQ((stats.jobs.at({job_status::succeeded, retrieval_tier::expedited})), 4u);
  EXPECT_EQ((stats.jobs.at({job_status::in_progress, retrieval_tier::standard})), 4u);
  EXPECT_EQ((stats.jobs.at({job_status::failed, retrieval_tier::standard})), 4u);
  h.advance(h.cfg.job_retention);
  const auto later = h.store.stats();
  EXPECT_FALSE(later.jobs.contains({job_status::succeeded, retrieval_tier::expedited}));
  EXPECT_FALSE(later.jobs.contains({job_status::failed, retrieval_tier::standard}));
}

TEST_F(job_lifecycle, inventories_of_the_same_second_agree_and_see_archive_changes) {
  h.cfg.standard_delay = duration(1000);
  const auto first = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  const auto second = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  const auto csv = h.initiate("v", R"({"Type":"inventory-retrieval","Format":"CSV"})");
  h.advance(duration(1000));
  const auto output = [&](const std::string& id) {
    return std::string(h.send("GET", "/-/vaults/v/jobs/" + id + "/output").payload());
  };
  EXPECT_EQ(output(first), output(second));
  EXPECT_NE(output(csv), output(first));
  EXPECT_TRUE(output(csv).starts_with("ArchiveId,"));
  // An archive added or deleted within the same second must show in the next inventory.
  const auto added = h.upload("v", "new bytes");
  const auto after_add = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  h.advance(duration(1000));
  EXPECT_EQ(output(first).find(added), std::string::npos);
  EXPECT_NE(output(after_add).find(added), std::string::npos);
  ASSERT_EQ(h.send("DELETE", "/-/vaults/v/archives/" + added).status, 204u);
  const auto after_delete = h.initiate("v", R"({"Type":"inventory-retrieval"})");
  h.advance(duration(1000));
  EXPECT_EQ(output(after_delete).find(added), std::string::npos);
  EXPECT_NE(output(after_delete).find(archive_id), std::string::npos);
}

TEST_F(list_jobs, validates_limit_statuscode_and_completed) {
  for (const char* bad : {"0", "51", "x", "-1", ""}) {
    expect_error(h.send("GET", std::string("/-/vaults/v/jobs?limit=") + bad), 400,
                 "InvalidParameterValueException", std::string("Invalid limit: ") + bad);
  }
  EXPECT_EQ(h.send("GET", "/-/vaults/v/jobs?limit=50").status, 200u);
  expect_error(h.send("GET", "/-/vaults/v/jobs?statuscode=finished"), 400,
               "InvalidParameterValueException", "The job status code is not valid: finished",
               true);
  expect_error(h.send("GET", "/-/vaults/v/jobs?completed=yes"), 400,
               "InvalidParameterValueException", "Invalid completed: yes");
  expect_error(h.send("GET", "/-/vaults/v/jobs?marker=nope"), 400, "InvalidParameterValueException",
               "Invalid marker: nope");
}

class job_output : public ::testing::Test {
 protected:
  void SetUp() override {
    h.create_vault("v");
    data = pattern_bytes(5 * mib + 7);
    archive_id = h.upload("v", data);
  }
  std::string retrieve(const std::string& range = "") {
    auto body = R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"";
    if (!range.empty()) body += R"(,"RetrievalByteRange":")" + range + "\"";
    const auto id = h.initiate("v", body + "}");
    h.advance(h.cfg.standard_delay);
    return id;
  }
  http::response output(const std::string& id, const std::string& range = "") {
    http::header_map headers;
    if (!range.empty()) headers.emplace("Range", range);
    return h.send("GET", "/-/vaults/v/jobs/" + id + "/output", "", headers);
  }
  std::string slice(std::uint64_t start, std::uint64_t length) const {
    return data.substr(start, length);
  }

  api_harness h;
  std::string data;
  std::string archive_id;
};

TEST_F(job_output, range_header_returns_206_with_content_range) {
  const auto id = retrieve();
  const auto r = output(id, "bytes=0-1023");
  EXPECT_EQ(r.status, 206u);
  EXPECT_EQ(r.payload(), slice(0, 1024));
  EXPECT_EQ(r.headers.at("Content-Range"), "bytes 0-1023/" + std::to_string(data.size()));
  EXPECT_FALSE(r.headers.contains("x-amz-sha256-tree-hash"));
}

TEST_F(job_output, aligned_range_header_carries_the_slice_tree_hash) {
  const auto id = retrieve();
  auto r = output(id, "bytes=1048576-3145727");
  EXPECT_EQ(r.payload(), slice(mib, 2 * mib));
  EXPECT_EQ(r.headers.at("x-amz-sha256-tree-hash"), to_hex(tree_hash(slice(mib, 2 * mib))));
  r = output(id, "bytes=4194304-" + std::to_string(data.size() - 1));
  EXPECT_EQ(r.headers.at("x-amz-sha256-tree-hash"), to_hex(tree_hash(slice(4 * mib, mib + 7))));
}

TEST_F(job_output, range_past_the_end_is_the_documented_error) {
  const auto id = retrieve();
  expect_error(output(id, "bytes=8388608-12582911"), 400, "InvalidParameterValueException",
               "The start of the range is larger than size of retrieved data: "
               "bytes=8388608-12582911",
               true);
}

// AWS ignores a Range header it cannot read and sends the whole output (RFC 9110 §14.2).
TEST_F(job_output, a_malformed_range_header_is_ignored) {
  const auto id = retrieve();
  for (const char* range : {"bytes 0-1023/3146728", "pages=1-2", "bytes=-500", "bytes=0-1,5-6",
                            "bytes=10-5", "bytes=abc-", "bytes=", "bytes"}) {
    const auto r = output(id, range);
    EXPECT_EQ(r.status, 200u) << range << ": " << r.body;
    EXPECT_EQ(r.payload(), data) << range;
    EXPECT_FALSE(r.headers.contains("Content-Range")) << range;
    EXPECT_EQ(r.headers.at("x-amz-sha256-tree-hash"), to_hex(tree_hash(data))) << range;
  }
}

TEST_F(job_output, ranged_retrieval_outputs_the_slice_and_its_hash_when_aligned) {
  const auto id = retrieve("2097152-4194303");
  const auto d = h.describe("v", id);
  EXPECT_EQ(d["RetrievalByteRange"], "2097152-4194303");
  EXPECT_EQ(d["SHA256TreeHash"], to_hex(tree_hash(slice(2 * mib, 2 * mib))));
  EXPECT_EQ(d["ArchiveSHA256TreeHash"], to_hex(tree_hash(data)));
  const auto r = output(id);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.payload(), slice(2 * mib, 2 * mib));
  EXPECT_EQ(r.headers.at("x-amz-sha256-tree-hash"), d["SHA256TreeHash"]);
  // A Range header is relative to the retrieved slice.
  const auto part = output(id, "bytes=1048576-2097151");
  EXPECT_EQ(part.payload(), slice(3 * mib, mib));
  EXPECT_EQ(part.headers.at("Content-Range"), "bytes 1048576-2097151/2097152");
}

TEST_F(job_output, unaligned_ranged_retrieval_has_no_tree_hash) {
  const auto id = retrieve("1048576-3145727");  // starts at odd MiB, two MiB long
  const auto d = h.describe("v", id);
  EXPECT_TRUE(d["SHA256TreeHash"].is_null());
  EXPECT_EQ(d["ArchiveSHA256TreeHash"], to_hex(tree_hash(data)));
  const auto r = output(id);
  EXPECT_EQ(r.payload(), slice(mib, 2 * mib));
  EXPECT_FALSE(r.headers.contains("x-amz-sha256-tree-hash"));
}

TEST_F(job_output, csv_inventory_has_its_content_type) {
  const auto id = h.initiate("v", R"({"Type":"inventory-retrieval","Format":"CSV"})");
  h.advance(h.cfg.standard_delay);
  const auto r = output(id);
  EXPECT_EQ(r.headers.at("Content-Type"), "text/csv");
  EXPECT_EQ(r.payload().substr(0, 62),
            "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash\n");
  EXPECT_FALSE(r.headers.contains("x-amz-archive-description"));
}

TEST_F(job_output, inventory_pages_through_a_vault_with_limit_and_marker) {
  for (int i = 0; i < 24; ++i) h.upload("v", "archive " + std::to_string(i));
  std::set<std::string> seen;
  std::string marker;
  int pages = 0;
  for (; pages < 10; ++pages) {
    std::string params = R"("Limit":"10")";
    if (!marker.empty()) params += R"(,"Marker":")" + marker + "\"";
    const auto id = h.initiate(
        "v", R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":{)" + params + "}}");
    h.advance(h.cfg.standard_delay);
    const auto list = api_harness::json(output(id))["ArchiveList"];
    EXPECT_LE(list.size(), 10u);
    for (const auto& a : list) EXPECT_TRUE(seen.insert(a["ArchiveId"]).second);
    const auto d = h.describe("v", id);
    EXPECT_EQ(d["InventoryRetrievalParameters"]["Limit"], "10");
    if (d["InventoryRetrievalParameters"]["Marker"].is_null()) break;
    marker = d["InventoryRetrievalParameters"]["Marker"];
  }
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(pages, 2);
}

}  // namespace
}  // namespace glacier::testing
