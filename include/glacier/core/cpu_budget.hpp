#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace glacier {

/// How many CPUs this process may really use: its affinity mask, and in a container the
/// cgroup CPU quota, which hardware_concurrency() ignores (a container limited to one CPU on
/// a 64-core host must not start 64 threads).
struct cpu_budget {
  unsigned cpus = 1;             ///< what to size thread pools by (at least 1)
  unsigned affinity = 1;         ///< CPUs in the affinity mask
  std::optional<double> quota;   ///< cgroup quota in CPUs, when one is set
  std::string describe() const;  ///< e.g. "2 CPUs in the affinity mask, no cgroup quota"
};

/// Reads the affinity mask and the cgroup (v2, else v1) CPU quota of the running process.
cpu_budget usable_cpus();

/// The quota in a cgroup v2 `cpu.max` file ("150000 100000" = 1.5 CPUs; "max ..." = none).
std::optional<double> parse_cgroup2_cpu_max(std::string_view text);

/// The quota from cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us` (-1 = none).
std::optional<double> parse_cgroup1_quota(std::string_view quota_us, std::string_view period_us);

/// The budget from its parts: min(affinity, ceil(quota)), at least 1.
cpu_budget make_cpu_budget(unsigned affinity, std::optional<double> quota);

}  // namespace glacier
