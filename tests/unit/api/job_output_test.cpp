// GetJobOutput: whole output, Range headers, ranged retrieval jobs and tree-hash headers.
#include <gtest/gtest.h>

#include <set>

#include "glacier/aws/tree_hash.hpp"
#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {

constexpr std::uint64_t mib = 1024 * 1024;

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
  expect_error(output(id, "pages=1-2"), 400, "InvalidParameterValueException", "Invalid Range");
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
