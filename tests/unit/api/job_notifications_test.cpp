// Which topics a completed job notifies: its own SNSTopic and its vault's configuration.
#include <gtest/gtest.h>

#include "glacier/jobs/notifier.hpp"
#include "support/api_harness.hpp"

namespace glacier::testing {
namespace {

constexpr const char* topic = "arn:aws:sns:us-east-1:123456789012:jobs";

class job_notifications : public ::testing::Test {
 protected:
  void SetUp() override { h.create_vault("v"); }

  void notify_vault_of(const std::string& events) {
    ASSERT_EQ(h.send("PUT", "/-/vaults/v/notification-configuration",
                     std::string(R"({"SNSTopic":")") + topic + R"(","Events":[)" + events + "]}")
                  .status,
              204u);
  }

  api_harness h;
};

// AWS's InitiateJob page: Glacier sends both notifications, the job's and the vault's.
TEST_F(job_notifications, the_same_topic_named_by_job_and_vault_gets_both_messages) {
  notify_vault_of(R"("InventoryRetrievalCompleted")");
  const auto id =
      h.initiate("v", std::string(R"({"Type":"inventory-retrieval","SNSTopic":")") + topic + "\"}");
  h.advance(h.cfg.standard_delay);
  const auto records = h.notifications.records();
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_EQ(r.topic_arn, topic);
    EXPECT_EQ(r.job_id, id);
    EXPECT_EQ(nlohmann::json::parse(r.message), h.describe("v", id));
  }
}

TEST_F(job_notifications, the_vault_topic_gets_only_the_events_it_lists) {
  notify_vault_of(R"("ArchiveRetrievalCompleted")");
  h.initiate("v", std::string(R"({"Type":"inventory-retrieval","SNSTopic":")") + topic + "\"}");
  h.advance(h.cfg.standard_delay);
  EXPECT_EQ(h.notifications.records().size(), 1u);  // the job's own topic only
}

}  // namespace
}  // namespace glacier::testing
