// The SAX reader of InitiateJob bodies either declines a body or reads exactly what the DOM
// reader reads: the DOM reader is the definition, so every body here is read both ways.
#include "glacier/api/plain_job_parameters.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "glacier/core/error.hpp"

namespace glacier::testing {
namespace {

using api::raw_job_parameters;

bool same(const raw_job_parameters& a, const raw_job_parameters& b) {
  return a.type == b.type && a.tier == b.tier && a.archive_id == b.archive_id &&
         a.description == b.description && a.format == b.format &&
         a.retrieval_byte_range == b.retrieval_byte_range && a.sns_topic == b.sns_topic &&
         a.has_inventory_parameters == b.has_inventory_parameters && a.start_date == b.start_date &&
         a.end_date == b.end_date && a.limit == b.limit && a.marker == b.marker &&
         a.select_parameters == b.select_parameters && a.output_location == b.output_location;
}

// Reads `body` both ways. Returns whether the fast reader took it; fails the test when it
// took a body the DOM reader refuses, or read it differently.
bool check_agrees(const std::string& body) {
  raw_job_parameters fast;
  const bool taken = api::read_plain_job_parameters(body, fast);
  if (!taken) return false;
  try {
    const auto dom = api::read_job_parameters_dom(body);
    EXPECT_TRUE(same(fast, dom)) << "read differently: " << body;
  } catch (const error& e) {
    ADD_FAILURE() << "the fast reader took a body the DOM reader refuses (" << e.what()
                  << "): " << body;
  }
  return true;
}

TEST(plain_job_parameters, reads_the_bodies_clients_send_like_the_dom_reader) {
  const std::vector<std::string> bodies = {
      R"({"Type":"inventory-retrieval"})",
      R"({"Type":"archive-retrieval","ArchiveId":"abc","Tier":"Bulk","Description":"d"})",
      R"({"Type":"archive-retrieval","ArchiveId":"a","RetrievalByteRange":"0-1048575",)"
      R"("SNSTopic":"arn:aws:sns:us-east-1:123456789012:t"})",
      R"({"Type":"inventory-retrieval","Format":"CSV","InventoryRetrievalParameters":)"
      R"({"StartDate":"2020-01-01T00:00:00Z","EndDate":"2030-01-01T00:00:00Z",)"
      R"("Limit":"10","Marker":"m"}})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Limit":25}})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Limit":-3}})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":null})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":{}})",
      R"({"Type":null,"Tier":null})",
      R"({})",
      R"( { "Type" : "inventory-retrieval" , "Unknown" : [1, {"Type": 2}, [true]], "X": {"Y": null} } )",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Other":{"Limit":1.5}}})",
      R"({"Type":"caf\u00e9 \"quoted\""})",
  };
  for (const auto& body : bodies) {
    EXPECT_TRUE(check_agrees(body)) << "declined: " << body;
  }
}

TEST(plain_job_parameters, declines_what_only_the_dom_reader_may_answer) {
  const std::vector<std::string> bodies = {
      "",
      "not json",
      R"([{"Type":"inventory-retrieval"}])",
      R"("inventory-retrieval")",
      R"({"Type":5})",
      R"({"Type":true})",
      R"({"Type":["inventory-retrieval"]})",
      R"({"Type":{"x":1}})",
      R"({"Tier":1.5})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":"x"})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":[1]})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Limit":1.5}})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Limit":true}})",
      R"({"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Marker":7}})",
      R"({"Type":"select","SelectParameters":{"Expression":"select * from archive"}})",
      R"({"Type":"select","OutputLocation":{}})",
      // Repeated members: the DOM keeps the last value, so these are its to read.
      R"({"Type":"archive-retrieval","Type":"inventory-retrieval"})",
      R"({"Type":7,"Type":"inventory-retrieval"})",
      R"({"InventoryRetrievalParameters":{"Limit":"1"},"InventoryRetrievalParameters":null})",
      R"({"InventoryRetrievalParameters":{"Limit":"1","Limit":"2"}})",
      R"({"Type":"inventory-retrieval"} trailing)",
      R"({"Type":"inventory-retrieval")",
  };
  for (const auto& body : bodies) {
    raw_job_parameters fast;
    EXPECT_FALSE(api::read_plain_job_parameters(body, fast)) << "taken: " << body;
  }
}

// Mutated bodies: whatever the fast reader takes, it reads as the DOM reader does.
TEST(plain_job_parameters, agrees_with_the_dom_reader_on_mutated_bodies) {
  const std::string seed =
      R"({"Type":"inventory-retrieval","Tier":"Bulk","InventoryRetrievalParameters":)"
      R"({"Limit":5,"Marker":"m","Skip":[null,{"a":1}]},"Description":"x"})";
  const std::string alphabet = "{}[]\":,0123456789-.eE tnulrfasTypeLimit\\";
  std::mt19937 random(42);
  int taken = 0;
  for (int round = 0; round < 4000; ++round) {
    auto body = seed;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const auto at = random() % body.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          body[at] = c;
          break;
        case 1:
          body.insert(body.begin() + static_cast<long>(at), c);
          break;
        default:
          body.erase(at, 1);
          break;
      }
    }
    if (check_agrees(body)) ++taken;
  }
  // Both outcomes must occur, or the comparison above tested nothing.
  EXPECT_GT(taken, 100);
  EXPECT_LT(taken, 4000);
}

}  // namespace
}  // namespace glacier::testing
