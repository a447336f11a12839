#include "glacier/store/model/inventory.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace glacier {
namespace {

std::map<std::uint64_t, archive> make_archives(int count) {
  std::map<std::uint64_t, archive> archives;
  for (int i = 0; i < count; ++i) {
    archive a;
    a.id = "id" + std::to_string(i);
    a.description = "d" + std::to_string(i);
    a.creation_date = time_point(duration(1'700'000'000'000LL + i * 1000LL));
    a.size = static_cast<std::uint64_t>(i + 1);
    a.tree_hash = std::string(64, 'a');
    archives.emplace(static_cast<std::uint64_t>(i * 2 + 1), a);
  }
  return archives;
}

std::vector<std::string> ids_of(const std::string& json_document) {
  std::vector<std::string> ids;
  const auto parsed = nlohmann::json::parse(json_document);
  for (const auto& item : parsed["ArchiveList"]) {
    ids.push_back(item["ArchiveId"]);
  }
  return ids;
}

TEST(inventory, pages_with_limit_and_marker_seeing_each_archive_once) {
  const auto archives = make_archives(7);
  inventory_selection s;
  s.limit_value = 3;
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    const auto result = build_inventory(archives, "arn", time_point{}, inventory_format::json, s);
    const auto ids = ids_of(result.document);
    seen.insert(seen.end(), ids.begin(), ids.end());
    if (!result.next_marker) break;
    s.marker = result.next_marker;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"id0", "id1", "id2", "id3", "id4", "id5", "id6"}));
}

TEST(inventory, start_date_is_inclusive_and_end_date_exclusive) {
  const auto archives = make_archives(5);
  inventory_selection s;
  s.start_date = "x";
  s.start = archives.at(3).creation_date;  // id1
  s.end_date = "y";
  s.end = archives.at(7).creation_date;  // id3, excluded
  const auto result = build_inventory(archives, "arn", time_point{}, inventory_format::json, s);
  EXPECT_EQ(ids_of(result.document), (std::vector<std::string>{"id1", "id2"}));
  EXPECT_FALSE(result.next_marker);
}

TEST(inventory, csv_has_a_header_and_escapes_commas_and_quotes) {
  std::map<std::uint64_t, archive> archives;
  archive a;
  a.id = "A";
  a.description = R"(say "hi", back\slash)";
  a.creation_date = time_point(duration(1'700'000'000'000LL));
  a.size = 5;
  a.tree_hash = "h";
  archives.emplace(1, a);
  const auto result =
      build_inventory(archives, "arn", time_point{}, inventory_format::csv, inventory_selection{});
  EXPECT_EQ(result.document,
            "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash\n"
            "A,\"say \\\"hi\\\", back\\slash\",2023-11-14T22:13:20Z,5,h\n");
}

TEST(inventory, rejects_markers_it_did_not_make) {
  std::uint64_t sequence = 0;
  EXPECT_FALSE(parse_inventory_marker("garbage", sequence));
  EXPECT_FALSE(parse_inventory_marker("inv-", sequence));
  EXPECT_FALSE(parse_inventory_marker("inv-12x", sequence));
  EXPECT_TRUE(parse_inventory_marker("inv-12", sequence));
  EXPECT_EQ(sequence, 12u);
}

}  // namespace
}  // namespace glacier
