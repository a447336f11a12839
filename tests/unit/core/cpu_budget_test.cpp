#include "glacier/core/cpu_budget.hpp"

#include <gtest/gtest.h>
#include <sched.h>

namespace {

TEST(cpu_budget, cgroup2_cpu_max_gives_the_quota_in_cpus) {
  EXPECT_EQ(glacier::parse_cgroup2_cpu_max("max 100000\n"), std::nullopt);
  EXPECT_DOUBLE_EQ(*glacier::parse_cgroup2_cpu_max("150000 100000\n"), 1.5);
  EXPECT_DOUBLE_EQ(*glacier::parse_cgroup2_cpu_max("100000 100000"), 1.0);
  EXPECT_EQ(glacier::parse_cgroup2_cpu_max(""), std::nullopt);
  EXPECT_EQ(glacier::parse_cgroup2_cpu_max("abc 100000"), std::nullopt);
  EXPECT_EQ(glacier::parse_cgroup2_cpu_max("0 100000"), std::nullopt);
}

TEST(cpu_budget, cgroup1_quota_of_minus_one_is_no_quota) {
  EXPECT_EQ(glacier::parse_cgroup1_quota("-1\n", "100000\n"), std::nullopt);
  EXPECT_DOUBLE_EQ(*glacier::parse_cgroup1_quota("50000\n", "100000\n"), 0.5);
  EXPECT_EQ(glacier::parse_cgroup1_quota("50000", "0"), std::nullopt);
}

TEST(cpu_budget, the_smaller_of_affinity_and_rounded_up_quota_wins) {
  EXPECT_EQ(glacier::make_cpu_budget(64, 1.0).cpus, 1U);
  EXPECT_EQ(glacier::make_cpu_budget(64, 1.5).cpus, 2U);
  EXPECT_EQ(glacier::make_cpu_budget(64, 0.25).cpus, 1U);
  EXPECT_EQ(glacier::make_cpu_budget(2, 8.0).cpus, 2U);
  EXPECT_EQ(glacier::make_cpu_budget(4, std::nullopt).cpus, 4U);
  EXPECT_EQ(glacier::make_cpu_budget(0, std::nullopt).cpus, 1U);
}

TEST(cpu_budget, follows_the_affinity_mask_of_the_process) {
  cpu_set_t original;
  ASSERT_EQ(sched_getaffinity(0, sizeof original, &original), 0);
  int first = -1;
  for (int i = 0; i < CPU_SETSIZE && first < 0; ++i) {
    if (CPU_ISSET(i, &original)) first = i;
  }
  ASSERT_GE(first, 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  const auto budget = glacier::usable_cpus();
  ASSERT_EQ(sched_setaffinity(0, sizeof original, &original), 0);
  EXPECT_EQ(budget.affinity, 1U);
  EXPECT_EQ(budget.cpus, 1U);
}

}  // namespace
