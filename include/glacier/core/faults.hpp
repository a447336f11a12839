#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "glacier/core/clock.hpp"
#include "glacier/core/error.hpp"

namespace glacier {

/// A fault the admin API injected: an error and/or added latency for one operation (or
/// "*"), for the next `remaining` matching requests or with a probability.
struct fault_rule {
  std::uint64_t id = 0;
  std::string operation = "*";
  std::optional<error_code> error;
  std::string message;                     ///< the error's message (a default when empty)
  duration latency{0};                     ///< added before the response is sent
  std::optional<std::uint64_t> remaining;  ///< unset = until deleted
  double probability = 1.0;                ///< chance that a matching request is hit
  std::uint64_t hits = 0;                  ///< requests this rule has hit so far
};

/// What a matching rule does to one request.
struct fault_hit {
  std::uint64_t rule_id;
  std::optional<error_code> error;
  std::string message;
  duration latency{0};
};

/// The active fault rules. Thread-safe; checked once per request by the dispatcher.
class fault_injector {
 public:
  explicit fault_injector(std::optional<std::uint64_t> seed = std::nullopt)
      : random_(seed ? *seed : std::random_device{}()) {}

  /// Adds a rule and returns it with its id.
  fault_rule add(fault_rule rule);
  /// Every active rule.
  std::vector<fault_rule> rules() const;
  /// Removes the rule with this id; false when there is none (never added, used up, cleared).
  bool remove(std::uint64_t id);
  /// Removes every rule.
  void clear();
  /// The fault for one request of `operation`, if a rule hits it (the first that does).
  std::optional<fault_hit> hit(std::string_view operation);

 private:
  mutable std::mutex mutex_;
  std::vector<fault_rule> rules_;
  std::uint64_t next_id_ = 1;
  std::mt19937_64 random_;
};

}  // namespace glacier
