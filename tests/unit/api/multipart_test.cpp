// The six multipart-upload operations and their misuse.
#include <gtest/gtest.h>

#include <cctype>

#include "glacier/aws/tree_hash.hpp"
#include "support/api_harness.hpp"
#include "support/expect_error.hpp"

namespace glacier::testing {
namespace {


class multipart : public ::testing::Test {
 protected:
  void SetUp() override { h.create_vault("v"); }

  std::string initiate(std::uint64_t part_size, const std::string& description = "") {
    http::header_map headers{{"x-amz-part-size", std::to_string(part_size)}};
    if (!description.empty()) headers.emplace("x-amz-archive-description", description);
    const auto r = h.send("POST", "/-/vaults/v/multipart-uploads", "", headers);
    EXPECT_EQ(r.status, 201u) << r.body;
    const auto id = r.headers.at("x-amz-multipart-upload-id");
    EXPECT_EQ(r.headers.at("Location"), "/123456789012/vaults/v/multipart-uploads/" + id);
    return id;
  }
  http::response part(const std::string& id, std::uint64_t start, const std::string& bytes,
                      std::string hash = "") {
    if (hash.empty()) hash = to_hex(tree_hash(bytes));
    const auto range =
        "bytes " + std::to_string(start) + "-" + std::to_string(start + bytes.size() - 1) + "/*";
    return h.send(
        "PUT", "/-/vaults/v/multipart-uploads/" + id, bytes,
        with_content_sha256(bytes, {{"Content-Range", range}, {"x-amz-sha256-tree-hash", hash}}));
  }
  http::response complete(const std::string& id, std::uint64_t size, const std::string& hash) {
    return h.send("POST", "/-/vaults/v/multipart-uploads/" + id, "",
                  {{"x-amz-archive-size", std::to_string(size)}, {"x-amz-sha256-tree-hash", hash}});
  }

  api_harness h;
};

TEST_F(multipart, parts_in_any_order_make_the_archive_with_the_same_tree_hash) {
  const auto data = pattern_bytes(5 * mib + 3);
  const auto id = initiate(2 * mib, "  spaced");
  const std::string_view view(data);
  ASSERT_EQ(part(id, 4 * mib, std::string(view.substr(4 * mib))).status, 204u);
  ASSERT_EQ(part(id, 0, std::string(view.substr(0, 2 * mib))).status, 204u);
  const auto r2 = part(id, 2 * mib, std::string(view.substr(2 * mib, 2 * mib)));
  ASSERT_EQ(r2.status, 204u);
  EXPECT_EQ(r2.headers.at("x-amz-sha256-tree-hash"),
            to_hex(tree_hash(view.substr(2 * mib, 2 * mib))));
  const auto whole = to_hex(tree_hash(data));
  const auto done = complete(id, data.size(), whole);
  ASSERT_EQ(done.status, 201u) << done.body;
  EXPECT_EQ(done.headers.at("x-amz-sha256-tree-hash"), whole);
  const auto archive_id = done.headers.at("x-amz-archive-id");
  // Completing again answers with the same archive.
  EXPECT_EQ(complete(id, data.size(), whole).headers.at("x-amz-archive-id"), archive_id);

  const auto job =
      h.initiate("v", R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id + "\"}");
  h.advance(h.cfg.standard_delay);
  const auto out = h.send("GET", "/-/vaults/v/jobs/" + job + "/output");
  EXPECT_EQ(out.payload(), data);
  EXPECT_EQ(out.headers.at("x-amz-archive-description"), "spaced");
  expect_error(h.send("GET", "/-/vaults/v/multipart-uploads/" + id), 404,
               "ResourceNotFoundException", "The upload ID was not found: " + id);
}

TEST_F(multipart, rejects_bad_part_sizes) {
  for (const char* bad : {"1000", "3145728", "0", "8589934592", "abc"}) {
    expect_error(h.send("POST", "/-/vaults/v/multipart-uploads", "", {{"x-amz-part-size", bad}}),
                 400, "InvalidParameterValueException",
                 std::string("Invalid part size: ") + bad +
                     ". Part size must not be null, must be a power of two and be between "
                     "1048576 and 4294967296 bytes.",
                 true);
  }
  expect_error(h.send("POST", "/-/vaults/v/multipart-uploads"), 400,
               "InvalidParameterValueException", "Invalid part size: null");
  EXPECT_EQ(h.send("POST", "/-/vaults/v/multipart-uploads", "", {{"x-amz-part-size", "4294967296"}})
                .status,
            201u);
}

TEST_F(multipart, rejects_misaligned_oversized_and_inverted_ranges) {
  const auto id = initiate(mib);
  expect_error(part(id, 100, "abc"), 400, "InvalidParameterValueException",
               "Invalid Content-Range: bytes 100-102/*");
  expect_error(part(id, 0, pattern_bytes(mib + 1)), 400, "InvalidParameterValueException",
               "larger than the part size");
  expect_error(h.send("PUT", "/-/vaults/v/multipart-uploads/" + id, "x",
                      with_content_sha256("x", {{"Content-Range", "bytes 909994937-909994936/*"},
                                                {"x-amz-sha256-tree-hash", to_hex(sha256("x"))}})),
               400, "InvalidParameterValueException",
               "Invalid Content-Range: bytes 909994937-909994936/*", true);
}

TEST_F(multipart, refuses_the_10001st_part_in_aws_words) {
  const auto id = initiate(mib);
  expect_error(part(id, 10'000 * mib, "x"), 400, "InvalidParameterValueException",
               "This is part number 10001 for the current multipart upload. It exceeds the limit "
               "of 10000 parts.",
               true);
  expect_error(part(id, 10'004 * mib, "x"), 400, "InvalidParameterValueException",
               "This is part number 10005 for the current multipart upload. It exceeds the limit "
               "of 10000 parts.",
               true);
  EXPECT_EQ(part(id, 9'999 * mib, "x").status, 204u);  // the 10000th part is fine
}

TEST_F(multipart, refuses_a_content_range_that_disagrees_with_the_length_in_aws_words) {
  const auto id = initiate(2 * mib);
  const auto body = pattern_bytes(mib);
  for (const std::string range : {"bytes 0-2097151/*", "bytes 0-1048576/*", "bytes 0-1048574/*"}) {
    expect_error(
        h.send("PUT", "/-/vaults/v/multipart-uploads/" + id, body,
               with_content_sha256(body, {{"Content-Range", range},
                                          {"x-amz-sha256-tree-hash", to_hex(tree_hash(body))}})),
        400, "InvalidParameterValueException",
        "Content-Range: " + range + " is incompatible with Content-Length: 1048576", true);
  }
  const auto parts = api_harness::json(h.send("GET", "/-/vaults/v/multipart-uploads/" + id));
  EXPECT_TRUE(parts["Parts"].empty());
}

TEST_F(multipart, reports_a_malformed_part_tree_hash_as_a_checksum_mismatch) {
  const auto id = initiate(mib);
  expect_error(part(id, 0, "abc", "not-hex"), 400, "InvalidParameterValueException",
               "Checksum mismatch: expected not-hex, computed " + to_hex(sha256("abc")), true);
}

TEST_F(multipart, rejects_a_part_with_the_wrong_tree_hash) {
  const auto id = initiate(mib);
  const auto wrong = to_hex(sha256("nope"));
  expect_error(part(id, 0, "abc", wrong), 400, "InvalidParameterValueException",
               "Checksum mismatch: expected " + wrong);
  const auto parts = api_harness::json(h.send("GET", "/-/vaults/v/multipart-uploads/" + id));
  EXPECT_TRUE(parts["Parts"].empty());
}

TEST_F(multipart, refuses_a_part_that_is_not_what_x_amz_content_sha256_says) {
  const auto id = initiate(mib);
  const auto bytes = pattern_bytes(mib);
  const auto sent = to_hex(sha256("other"));
  const auto r = h.send("PUT", "/-/vaults/v/multipart-uploads/" + id, bytes,
                        {{"Content-Range", "bytes 0-1048575/*"},
                         {"x-amz-sha256-tree-hash", to_hex(tree_hash(bytes))},
                         {"x-amz-content-sha256", sent}});
  expect_error(r, 403, "InvalidSignatureException",
               "The value passed in as x-amz-content-sha256 does not match the computed payload "
               "hash. Computed digest: " +
                   to_hex(sha256(bytes)) + " expected hash: " + sent,
               true);
  const auto parts = api_harness::json(h.send("GET", "/-/vaults/v/multipart-uploads/" + id));
  EXPECT_TRUE(parts["Parts"].empty());
}

TEST_F(multipart, requires_x_amz_content_sha256_on_a_part) {
  const auto id = initiate(mib);
  expect_error(
      h.send("PUT", "/-/vaults/v/multipart-uploads/" + id, "abc",
             {{"Content-Range", "bytes 0-2/*"}, {"x-amz-sha256-tree-hash", to_hex(sha256("abc"))}}),
      400, "MissingParameterValueException", "Required parameter missing: x-amz-content-sha256",
      true);
  const auto parts = api_harness::json(h.send("GET", "/-/vaults/v/multipart-uploads/" + id));
  EXPECT_TRUE(parts["Parts"].empty());
}

TEST_F(multipart, a_failed_complete_leaves_the_upload_open) {
  const auto data = pattern_bytes(3 * mib);
  const auto id = initiate(mib);
  for (std::uint64_t i = 0; i < 3; ++i) {
    ASSERT_EQ(part(id, i * mib, data.substr(i * mib, mib)).status, 204u);
  }
  const auto wrong = to_hex(sha256("x"));
  expect_error(complete(id, data.size(), wrong), 400, "InvalidParameterValueException",
               "Invalid x-amz-sha256-tree-hash: " + wrong, true);
  expect_error(complete(id, data.size() + 1, to_hex(tree_hash(data))), 400,
               "InvalidParameterValueException", "Invalid x-amz-archive-size: 3145729");
  EXPECT_EQ(complete(id, data.size(), to_hex(tree_hash(data))).status, 201u);
}

// Tree hashes are compared as lowercase hex text on the upload path, as x-amz-content-sha256
// is; the message echoes the hash as it was sent.
TEST_F(multipart, an_uppercase_tree_hash_is_refused_on_parts_and_complete) {
  const auto data = pattern_bytes(2 * mib);
  const auto id = initiate(mib);
  const auto upper = [](std::string hex) {
    for (auto& ch : hex) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return hex;
  };
  const auto first = data.substr(0, mib);
  expect_error(part(id, 0, first, upper(to_hex(tree_hash(first)))), 400,
               "InvalidParameterValueException",
               "Checksum mismatch: expected " + upper(to_hex(tree_hash(first))) + ", computed " +
                   to_hex(tree_hash(first)),
               true);
  ASSERT_EQ(part(id, 0, first).status, 204u);
  ASSERT_EQ(part(id, mib, data.substr(mib)).status, 204u);
  const auto whole = upper(to_hex(tree_hash(data)));
  expect_error(complete(id, data.size(), whole), 400, "InvalidParameterValueException",
               "Invalid x-amz-sha256-tree-hash: " + whole, true);
  EXPECT_EQ(complete(id, data.size(), to_hex(tree_hash(data))).status, 201u);
}

TEST_F(multipart, a_missing_middle_part_fails_the_complete) {
  const auto id = initiate(mib);
  ASSERT_EQ(part(id, 0, pattern_bytes(mib)).status, 204u);
  ASSERT_EQ(part(id, 2 * mib, pattern_bytes(mib)).status, 204u);
  ASSERT_EQ(part(id, 3 * mib, pattern_bytes(mib)).status, 204u);
  expect_error(complete(id, 3 * mib, to_hex(sha256("x"))), 400, "InvalidParameterValueException",
               "the part at bytes 1048576-2097151 is missing");
}

TEST_F(multipart, a_reuploaded_part_replaces_the_earlier_one) {
  const auto id = initiate(mib);
  ASSERT_EQ(part(id, 0, "first").status, 204u);
  ASSERT_EQ(part(id, 0, "second!").status, 204u);
  const auto parts = api_harness::json(h.send("GET", "/-/vaults/v/multipart-uploads/" + id));
  ASSERT_EQ(parts["Parts"].size(), 1u);
  EXPECT_EQ(parts["Parts"][0]["RangeInBytes"], "0-6");
  EXPECT_EQ(parts["Parts"][0]["SHA256TreeHash"], to_hex(sha256("second!")));
  EXPECT_EQ(complete(id, 7, to_hex(sha256("second!"))).status, 201u);
}

TEST_F(multipart, abort_removes_the_upload_and_complete_after_abort_is_404) {
  const auto id = initiate(mib);
  ASSERT_EQ(part(id, 0, "abc").status, 204u);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/multipart-uploads/" + id).status, 204u);
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/multipart-uploads/" + id).status, 204u);
  expect_error(complete(id, 3, to_hex(sha256("abc"))), 404, "ResourceNotFoundException",
               "The upload ID was not found: " + id, true);
  expect_error(h.send("DELETE", "/-/vaults/v/multipart-uploads/unknown"), 404,
               "ResourceNotFoundException", "The upload ID was not found: unknown", true);
}

TEST_F(multipart, lists_uploads_and_parts_with_pagination) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(initiate(mib));
  auto page = api_harness::json(h.send("GET", "/-/vaults/v/multipart-uploads?limit=2"));
  ASSERT_EQ(page["UploadsList"].size(), 2u);
  EXPECT_EQ(page["UploadsList"][0]["MultipartUploadId"], ids[0]);
  EXPECT_TRUE(page["UploadsList"][0]["ArchiveDescription"].is_null());
  EXPECT_EQ(page["UploadsList"][0]["PartSizeInBytes"], mib);
  EXPECT_EQ(page["UploadsList"][0]["VaultARN"], "arn:aws:glacier:us-east-1:123456789012:vaults/v");
  page = api_harness::json(h.send(
      "GET", "/-/vaults/v/multipart-uploads?limit=2&marker=" + page["Marker"].get<std::string>()));
  ASSERT_EQ(page["UploadsList"].size(), 1u);
  EXPECT_EQ(page["UploadsList"][0]["MultipartUploadId"], ids[2]);
  EXPECT_TRUE(page["Marker"].is_null());

  for (std::uint64_t i = 0; i < 5; ++i) ASSERT_EQ(part(ids[0], i * mib, "p").status, 204u);
  std::vector<std::string> ranges;
  std::string marker;
  for (int n = 0; n < 5; ++n) {
    const auto r =
        api_harness::json(h.send("GET", "/-/vaults/v/multipart-uploads/" + ids[0] + "?limit=2" +
                                            (marker.empty() ? "" : "&marker=" + marker)));
    for (const auto& p : r["Parts"]) ranges.push_back(p["RangeInBytes"]);
    if (r["Marker"].is_null()) break;
    marker = r["Marker"];
  }
  EXPECT_EQ(ranges, (std::vector<std::string>{"0-0", "1048576-1048576", "2097152-2097152",
                                              "3145728-3145728", "4194304-4194304"}));
  expect_error(h.send("GET", "/-/vaults/v/multipart-uploads?limit=51"), 400,
               "InvalidParameterValueException", "Invalid limit: 51");
}

TEST_F(multipart, an_empty_marker_lists_uploads_and_parts_from_the_start) {
  const auto first = initiate(mib);
  initiate(mib);
  auto r = h.send("GET", "/-/vaults/v/multipart-uploads?marker=&limit=1");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto body = api_harness::json(r);
  ASSERT_EQ(body["UploadsList"].size(), 1u);
  EXPECT_EQ(body["UploadsList"][0]["MultipartUploadId"], first);
  EXPECT_FALSE(body["Marker"].is_null());

  ASSERT_EQ(part(first, 0, "a").status, 204u);
  ASSERT_EQ(part(first, mib, "b").status, 204u);
  r = h.send("GET", "/-/vaults/v/multipart-uploads/" + first + "?marker=&limit=1");
  ASSERT_EQ(r.status, 200u) << r.body;
  body = api_harness::json(r);
  ASSERT_EQ(body["Parts"].size(), 1u);
  EXPECT_EQ(body["Parts"][0]["RangeInBytes"], "0-0");
  EXPECT_FALSE(body["Marker"].is_null());
}

TEST_F(multipart, parts_count_against_the_total_archive_limit) {
  h.cfg.max_total_archive_bytes = 5;
  const auto id = initiate(mib);
  ASSERT_EQ(part(id, 0, "1234").status, 204u);
  expect_error(part(id, mib, "56"), 400, "LimitExceededException", "max_total_archive_bytes");
  EXPECT_EQ(h.send("DELETE", "/-/vaults/v/multipart-uploads/" + id).status, 204u);
  EXPECT_EQ(initiate(mib).empty(), false);
  h.upload("v", "12345");
}

}  // namespace
}  // namespace glacier::testing
