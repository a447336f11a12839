// The direct job JSON writer against the nlohmann object it replaces in DescribeJob and
// ListJobs: every byte must match, for ordinary jobs and for strings that need escaping.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "glacier/api/job_json.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/store/model/job.hpp"
#include "support/api_harness.hpp"
#include "support/job_json_reference.hpp"

namespace glacier::testing {
namespace {

using namespace std::string_literals;

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

// What DescribeJob answered before the direct writer: the object through json_response.
std::string reference_body(const job& j) {
  return api::json_response(200, reference::job_description_json(j)).body;
}

// What ListJobs answered before the direct writer.
std::string reference_list_body(const std::vector<job>& jobs,
                                const std::optional<std::string>& marker) {
  nlohmann::ordered_json body;
  body["JobList"] = nlohmann::ordered_json::array();
  for (const auto& j : jobs) {
    body["JobList"].push_back(reference::job_description_json(j));
  }
  body["Marker"] = marker ? nlohmann::ordered_json(*marker) : nullptr;
  return api::json_response(200, body).body;
}

job base_job() {
  job j;
  j.sequence = 7;
  j.id = "HkF9p6o7yjhFx-K3CGl6fuSm6VzW9T7esGQfco8nUXVYwS0jlb5gq1JZ55yHgt5vP54ZShjoQzQVVh7vEXAMPLE";
  j.vault_name = "examplevault";
  j.vault_arn = "arn:aws:glacier:us-east-1:123456789012:vaults/examplevault";
  j.creation_date = time_point(duration(start_ms + 123));
  j.due = j.creation_date + duration(3000);
  return j;
}

job inventory_in_progress() {
  auto j = base_job();
  j.parameters.action = job_action::inventory_retrieval;
  j.parameters.inventory = inventory_selection{};
  return j;
}

job inventory_with_parameters() {
  auto j = inventory_in_progress();
  j.parameters.format = inventory_format::csv;
  j.parameters.tier = retrieval_tier::bulk;
  j.parameters.description = "nightly inventory";
  j.parameters.sns_topic = "arn:aws:sns:us-east-1:123456789012:topic";
  auto& s = *j.parameters.inventory;
  s.start_date = "2023-01-01T00:00:00Z";
  s.end_date = "2024-01-01T00:00:00Z";
  s.limit = "100";
  s.marker = "vyS0t2jHQe5qbcDggIeD50chS1SXwYMrkVKo0KHiTUjEYxBGCqRLKaiySzdN7QXGVVV5XZpNVG67pCZ";
  return j;
}

job inventory_succeeded(bool more_pages) {
  auto j = inventory_with_parameters();
  j.status = job_status::succeeded;
  j.status_message = "Succeeded";
  j.completion_date = j.due;
  j.inventory_size = 170;
  if (more_pages) {
    j.next_inventory_marker = "next-page-marker";
  }
  return j;
}

job inventory_without_parameters() {
  auto j = inventory_in_progress();
  j.parameters.inventory.reset();
  return j;
}

job archive_in_progress() {
  auto j = base_job();
  j.parameters.action = job_action::archive_retrieval;
  j.parameters.archive_id = std::string(138, 'A');
  j.parameters.tier = retrieval_tier::expedited;
  j.parameters.description = "restore";
  j.archive_size = 3 * mib + 5;
  j.archive_tree_hash = std::string(64, 'a');
  j.range_tree_hash = std::string(64, 'b');
  j.retrieved = {mib, 2 * mib - 1};
  return j;
}

job archive_succeeded_unaligned() {
  auto j = archive_in_progress();
  j.retrieved = {10, 2000};
  j.range_tree_hash.reset();
  j.status = job_status::succeeded;
  j.status_message = "Succeeded";
  j.completion_date = j.due;
  return j;
}

job failed_job() {
  auto j = archive_in_progress();
  j.status = job_status::failed;
  j.status_message = "Injected failure: \"disk on fire\"";
  j.completion_date = j.creation_date + duration(999);
  return j;
}

job select_job(const std::string& text = "SELECT * FROM archive") {
  auto j = base_job();
  j.parameters.action = job_action::select;
  j.parameters.archive_id = "archive";
  const nlohmann::json parameters{
      {"Expression", text},
      {"ExpressionType", "SQL"},
      {"InputSerialization", {{"csv", {{"FileHeaderInfo", "USE"}, {"Comments", "\""}}}}},
      {"OutputSerialization", {{"csv", {{"QuoteFields", "ALWAYS"}}}}}};
  const nlohmann::json location{
      {"S3", {{"BucketName", "bucket"}, {"Prefix", "p/" + text}, {"Tagging", {{"k", text}}}}}};
  j.parameters.select =
      std::make_shared<const select_request>(read_select_request(parameters, location));
  return j;
}

job max_sizes() {
  auto j = archive_in_progress();
  j.archive_size = max_u64;
  j.retrieved = {max_u64 - 1, max_u64};
  j.inventory_size = max_u64;
  j.status = job_status::succeeded;
  j.completion_date = time_point(duration(0));
  return j;
}

// Dates at the ends of what the writer formats itself (years 0000 and 9999), and past them
// (the year 10000 and before the year 0000), where it falls back to format_iso8601.
job dates_at_the_edges(long long creation_ms, long long completion_ms) {
  auto j = inventory_succeeded(false);
  j.creation_date = time_point(duration(creation_ms));
  j.completion_date = time_point(duration(completion_ms));
  return j;
}

job empty_strings() {
  auto j = inventory_with_parameters();
  j.id.clear();
  j.vault_arn.clear();
  j.status_message.clear();
  j.parameters.description = "";
  j.parameters.sns_topic = "";
  auto& s = *j.parameters.inventory;
  s.start_date = "";
  s.end_date = "";
  s.limit = "";
  s.marker = "";
  return j;
}

// Every string field of `j` set to `text`, so each one goes through the escaping path.
job every_string(job j, const std::string& text) {
  j.id = text;
  j.vault_arn = text;
  j.status_message = text;
  j.parameters.description = text;
  j.parameters.archive_id = text;
  j.parameters.sns_topic = text;
  j.archive_tree_hash = text;
  j.range_tree_hash = text;
  if (j.parameters.inventory) {
    auto& s = *j.parameters.inventory;
    s.start_date = text;
    s.end_date = text;
    s.limit = text;
    s.marker = text;
  }
  j.next_inventory_marker = text;
  return j;
}

// A named job; the name is the test's suffix and what a failure prints.
struct variant {
  std::string name;
  job j;
};

void PrintTo(const variant& v, std::ostream* os) {
  *os << v.name;
}

std::vector<variant> variants() {
  std::vector<variant> v = {
      {"inventory_in_progress", inventory_in_progress()},
      {"inventory_with_parameters_and_marker", inventory_with_parameters()},
      {"inventory_succeeded_with_next_marker", inventory_succeeded(true)},
      {"inventory_succeeded_last_page", inventory_succeeded(false)},
      {"inventory_without_parameters", inventory_without_parameters()},
      {"archive_in_progress_with_range_tree_hash", archive_in_progress()},
      {"archive_succeeded_without_range_tree_hash", archive_succeeded_unaligned()},
      {"failed_with_custom_message", failed_job()},
      {"select", select_job()},
      {"max_uint64_sizes", max_sizes()},
      {"empty_strings", empty_strings()},
      {"dates_of_years_0000_and_9999", dates_at_the_edges(-62167219200000LL, 253402300799999LL)},
      {"dates_before_1970_and_leap_day", dates_at_the_edges(-1, 951782400000LL)},
      {"dates_past_9999_and_before_0000", dates_at_the_edges(253402300800000LL, -62167219200001LL)},
  };
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"quotes", R"(say "hi" "")"},
      {"backslashes", R"(C:\path\to\file\)"},
      {"quotes_and_backslashes", R"(\"q\" \\")"},
      {"short_escapes", "tab\there\nnew\rret\bback\fform"},
      {"control_characters", "nul\0one\x01unit\x1f\x7f"s + "del"},
      {"last_control_character_only", "unit separator \x1f"},
      {"utf8_two_and_three_bytes", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"},
      {"utf8_four_bytes", "emoji \xf0\x9f\x98\x80 end"},
      {"slash_and_html", "</script><b>&amp;'single'"},
  };
  for (const auto& [name, text] : texts) {
    v.push_back({"select_" + name, select_job(text)});
    v.push_back({"inventory_" + name, every_string(inventory_succeeded(true), text)});
    v.push_back({"archive_" + name, every_string(archive_in_progress(), text)});
  }
  return v;
}

class job_json_writer : public ::testing::TestWithParam<variant> {};

TEST_P(job_json_writer, matches_the_nlohmann_dump_byte_for_byte) {
  const auto& j = GetParam().j;
  const auto expected = reference::job_description_json(j).dump();
  EXPECT_EQ(api::job_description_body(j), expected);
  EXPECT_EQ(reference_body(j), expected);
}

TEST_P(job_json_writer, appends_after_existing_text) {
  const auto& j = GetParam().j;
  std::string out = "prefix";
  api::append_job_description(out, j);
  EXPECT_EQ(out, "prefix" + reference::job_description_json(j).dump());
}

INSTANTIATE_TEST_SUITE_P(variants, job_json_writer, ::testing::ValuesIn(variants()),
                         [](const auto& p) { return p.param.name; });

TEST(job_json, quotes_and_backslashes_are_escaped) {
  const auto j = every_string(inventory_in_progress(), R"(a"b\c)");
  const auto body = api::job_description_body(j);
  EXPECT_NE(body.find(R"("JobId":"a\"b\\c")"), std::string::npos) << body;
}

TEST(job_json, control_characters_use_nlohmanns_escapes) {
  const auto j = every_string(inventory_in_progress(), std::string("a\x01\x1f\n\"\\", 6));
  const auto body = api::job_description_body(j);
  EXPECT_NE(body.find(R"("JobId":"a\u0001\u001f\n\"\\")"), std::string::npos) << body;
}

TEST(job_json, invalid_utf8_is_replaced_as_json_response_replaced_it) {
  // Truncated sequence, lone continuation byte, overlong encoding, byte 0xff.
  for (const std::string text : {"bad \xc3", "lone \x80 byte", "overlong \xc0\xaf", "\xff\xfe"}) {
    const auto j = every_string(archive_in_progress(), text);
    // A plain dump() throws on these; DescribeJob used json_response, which replaces them.
    EXPECT_THROW((void)reference::job_description_json(j).dump(), nlohmann::json::type_error);
    const auto body = api::job_description_body(j);
    EXPECT_EQ(body, reference_body(j));
    EXPECT_NE(body.find("\xef\xbf\xbd"), std::string::npos) << body;
  }
}

TEST(job_json, random_strings_in_every_field_match_the_reference) {
  // Bytes drawn mostly from the awkward ranges: controls, quote, backslash, DEL, UTF-8 lead
  // and continuation bytes, so valid and invalid sequences both turn up.
  std::mt19937 rng(20240101);
  const std::string alphabet = std::string("\x00\x01\x08\x09\x0a\x0c\x0d\x1f\x20\x22\x5c\x2f", 12) +
                               "aZ9-\x7f\x80\xbf\xc2\xc3\xe2\x82\xac\xf0\x9f\x98\xff";
  std::uniform_int_distribution<std::size_t> length(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  const std::vector<job> bases = {inventory_succeeded(true), inventory_with_parameters(),
                                  archive_in_progress(), failed_job()};
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    const auto n = length(rng);
    for (std::size_t k = 0; k < n; ++k) {
      text += alphabet[pick(rng)];
    }
    const auto j = every_string(bases[static_cast<std::size_t>(i) % bases.size()], text);
    ASSERT_EQ(api::job_description_body(j), reference_body(j)) << "iteration " << i;
  }
}

TEST(job_list_json, empty_page_without_marker) {
  EXPECT_EQ(api::job_list_body({}, std::nullopt), R"({"JobList":[],"Marker":null})");
  EXPECT_EQ(api::job_list_body({}, std::nullopt), reference_list_body({}, std::nullopt));
}

TEST(job_list_json, one_job_with_marker) {
  const std::vector<job> jobs = {archive_in_progress()};
  const std::optional<std::string> marker = "next-job-id";
  EXPECT_EQ(api::job_list_body(jobs, marker), reference_list_body(jobs, marker));
}

TEST(job_list_json, every_variant_in_one_page_with_an_escaped_marker) {
  std::vector<job> jobs;
  for (const auto& v : variants()) {
    jobs.push_back(v.j);
  }
  for (const std::optional<std::string>& marker :
       {std::optional<std::string>(), std::optional<std::string>("m\"\\\x01\xc3\xa9"),
        std::optional<std::string>("bad \xc3")}) {
    EXPECT_EQ(api::job_list_body(jobs, marker), reference_list_body(jobs, marker));
  }
}

TEST(job_list_json, page_of_fifty) {
  const std::vector<job> jobs(50, inventory_succeeded(true));
  const std::optional<std::string> marker = jobs.back().id;
  EXPECT_EQ(api::job_list_body(jobs, marker), reference_list_body(jobs, marker));
}

// Through the dispatcher: DescribeJob and ListJobs answer with the writer's bytes.
TEST(job_json_responses, describe_and_list_jobs_send_the_reference_bytes) {
  api_harness h;
  h.create_vault("v");
  const auto archive_id = h.upload("v", pattern_bytes(3000), "d\"esc");
  h.initiate("v", R"({"Type":"inventory-retrieval","Description":"say \"q\" C:\\dir"})");
  const auto archive_job = h.initiate(
      "v",
      R"({"Type":"archive-retrieval","ArchiveId":")" + archive_id +
          R"(","RetrievalByteRange":"0-2999","SNSTopic":"arn:aws:sns:us-east-1:123456789012:t"})");
  h.initiate("v", R"({"Type":"inventory-retrieval"})");
  h.advance(duration(24LL * 3600 * 1000));  // completes all of them
  h.initiate("v", R"({"Type":"inventory-retrieval","Description":"pending"})");

  const scope where{"123456789012", "us-east-1"};
  const auto d = h.send("GET", "/-/vaults/v/jobs/" + archive_job);
  ASSERT_EQ(d.status, 200u) << d.body;
  EXPECT_EQ(d.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(d.body, reference_body(h.store.describe_job(where, "v", archive_job)));

  const auto all = h.store.list_jobs(where, "v", {}, std::nullopt, 50);
  ASSERT_EQ(all.items.size(), 4u);
  // The store writes a page through one reused job (store::visit_job_page): nothing of the
  // archive job (topic, tree hashes, range) may stay on the plain inventory job after it.
  for (const auto& j : all.items) {
    EXPECT_EQ(reference_body(j), reference_body(h.store.describe_job(where, "v", j.id))) << j.id;
  }
  const auto l = h.send("GET", "/-/vaults/v/jobs");
  ASSERT_EQ(l.status, 200u) << l.body;
  EXPECT_EQ(l.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(l.body, reference_list_body(all.items, all.marker));

  const auto first = h.store.list_jobs(where, "v", {}, std::nullopt, 2);
  ASSERT_TRUE(first.marker);
  const auto paged = h.send("GET", "/-/vaults/v/jobs?limit=2");
  ASSERT_EQ(paged.status, 200u) << paged.body;
  EXPECT_EQ(paged.body, reference_list_body(first.items, first.marker));
}

}  // namespace
}  // namespace glacier::testing
