#include "glacier/jobs/scheduler.hpp"

#include <gtest/gtest.h>

#include <future>

#include "support/api_harness.hpp"

namespace glacier::testing {
namespace {

TEST(scheduler, completes_due_jobs_in_due_order_with_due_time_as_completion_date) {
  api_harness h;
  h.create_vault("v");
  h.cfg.bulk_delay = duration(5000);
  h.cfg.expedited_delay = duration(1000);
  std::vector<std::string> order;
  h.scheduler.on_completion([&](const completed_job& done) { order.push_back(done.job.id); });
  const auto bulk = h.initiate("v", R"({"Type":"inventory-retrieval","Tier":"Bulk"})");
  const auto fast = h.initiate("v", R"({"Type":"inventory-retrieval","Tier":"Expedited"})");
  EXPECT_EQ(h.advance(duration(60'000)), 2u);
  EXPECT_EQ(order, (std::vector<std::string>{fast, bulk}));
  EXPECT_EQ(h.describe("v", bulk)["CompletionDate"], "2024-01-01T00:00:05.000Z");
}

TEST(scheduler, thread_wakes_when_the_clock_is_advanced) {
  api_harness h;
  h.create_vault("v");
  h.cfg.bulk_delay = duration(3'600'000);
  std::promise<std::string> completed;
  h.scheduler.on_completion([&](const completed_job& done) { completed.set_value(done.job.id); });
  h.scheduler.start();
  const auto id = h.initiate("v", R"({"Type":"inventory-retrieval","Tier":"Bulk"})");
  auto future = completed.get_future();
  // The manual clock does not move on its own: nothing may complete yet.
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  h.clock.advance(duration(3'600'000));
  h.scheduler.clock_changed();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(future.get(), id);
  h.scheduler.stop();
}

TEST(scheduler, a_vault_deleted_with_pending_jobs_is_skipped) {
  api_harness h;
  h.create_vault("v");
  h.initiate("v", R"({"Type":"inventory-retrieval"})");
  ASSERT_EQ(h.send("DELETE", "/-/vaults/v").status, 204u);
  EXPECT_EQ(h.advance(h.cfg.standard_delay), 0u);
}

}  // namespace
}  // namespace glacier::testing
