#include "glacier/core/cpu_budget.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

namespace glacier {

namespace {

std::optional<long long> parse_integer(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<unsigned>(count);
  }
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : cores;
}

// The process's path in a cgroup hierarchy, from /proc/self/cgroup: "0::/docker/abc" for
// v2 (controllers empty), "4:cpu,cpuacct:/docker/abc" for v1; empty when not found.
std::string cgroup_path(bool v2) {
  const auto text = read_file("/proc/self/cgroup");
  if (!text) return {};
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const auto controllers = "," + line.substr(first + 1, second - first - 1) + ",";
    const bool match = v2 ? controllers == ",," : controllers.find(",cpu,") != std::string::npos;
    if (match) return line.substr(second + 1);
  }
  return {};
}

// The smallest quota from the process's cgroup up to the root: a parent's limit binds too.
template <class ReadQuota>
std::optional<double> smallest_quota(std::string path, ReadQuota read_quota) {
  std::optional<double> smallest;
  while (true) {
    if (const auto q = read_quota(path); q && (!smallest || *q < *smallest)) smallest = q;
    if (path.empty() || path == "/") break;
    const auto slash = path.rfind('/');
    path = slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
  }
  return smallest;
}

std::optional<double> cgroup2_quota() {
  // Only on a pure v2 mount; a hybrid system's v2 tree holds no CPU controller.
  if (!read_file("/sys/fs/cgroup/cgroup.controllers")) return std::nullopt;
  const auto path = cgroup_path(true);
  if (path.empty()) return std::nullopt;
  return smallest_quota(path, [](const std::string& p) -> std::optional<double> {
    const auto text = read_file("/sys/fs/cgroup" + p + "/cpu.max");
    return text ? parse_cgroup2_cpu_max(*text) : std::nullopt;
  });
}

std::optional<double> cgroup1_quota() {
  const auto path = cgroup_path(false);
  if (path.empty()) return std::nullopt;
  return smallest_quota(path, [](const std::string& p) -> std::optional<double> {
    for (const char* mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
      const auto dir = std::string(mount) + (p == "/" ? "" : p);
      const auto quota = read_file(dir + "/cpu.cfs_quota_us");
      const auto period = read_file(dir + "/cpu.cfs_period_us");
      if (quota && period) return parse_cgroup1_quota(*quota, *period);
    }
    return std::nullopt;
  });
}

}  // namespace

std::optional<double> parse_cgroup2_cpu_max(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto quota = text.substr(0, space);
  if (quota == "max") return std::nullopt;
  const auto q = parse_integer(quota);
  const auto p = parse_integer(text.substr(space + 1));
  if (!q || !p || *q <= 0 || *p <= 0) return std::nullopt;
  return static_cast<double>(*q) / static_cast<double>(*p);
}

std::optional<double> parse_cgroup1_quota(std::string_view quota_us, std::string_view period_us) {
  const auto q = parse_integer(quota_us);
  const auto p = parse_integer(period_us);
  if (!q || !p || *q <= 0 || *p <= 0) return std::nullopt;
  return static_cast<double>(*q) / static_cast<double>(*p);
}

cpu_budget make_cpu_budget(unsigned affinity, std::optional<double> quota) {
  cpu_budget b;
  b.affinity = std::max(1U, affinity);
  b.quota = quota;
  b.cpus = b.affinity;
  if (quota) {
    const auto whole = static_cast<unsigned>(std::max(1.0, std::ceil(*quota - 1e-9)));
    b.cpus = std::min(b.cpus, whole);
  }
  return b;
}

cpu_budget usable_cpus() {
  auto quota = cgroup2_quota();
  if (!quota) quota = cgroup1_quota();
  return make_cpu_budget(affinity_cpus(), quota);
}

std::string cpu_budget::describe() const {
  std::ostringstream s;
  s << affinity << (affinity == 1 ? " CPU" : " CPUs") << " in the affinity mask, ";
  if (quota) {
    s << "cgroup quota " << *quota << " CPUs";
  } else {
    s << "no cgroup quota";
  }
  return s.str();
}

}  // namespace glacier
