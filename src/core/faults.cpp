#include "glacier/core/faults.hpp"

namespace glacier {

fault_rule fault_injector::add(fault_rule rule) {
  std::lock_guard lock(mutex_);
  rule.id = next_id_++;
  rules_.push_back(rule);
  return rule;
}

std::vector<fault_rule> fault_injector::rules() const {
  std::lock_guard lock(mutex_);
  return rules_;
}

bool fault_injector::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  const auto removed = std::erase_if(rules_, [id](const fault_rule& r) { return r.id == id; });
  return removed > 0;
}

void fault_injector::clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

std::optional<fault_hit> fault_injector::hit(std::string_view operation) {
  std::lock_guard lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->operation != "*" && it->operation != operation) continue;
    if (it->probability < 1.0 &&
        std::uniform_real_distribution<double>(0.0, 1.0)(random_) >= it->probability) {
      continue;
    }
    fault_hit hit{it->id, it->error, it->message, it->latency};
    ++it->hits;
    // A counted rule is gone once used up.
    if (it->remaining && --*it->remaining == 0) rules_.erase(it);
    return hit;
  }
  return std::nullopt;
}

}  // namespace glacier
