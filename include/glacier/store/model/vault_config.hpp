#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "glacier/core/clock.hpp"

namespace glacier {

/// A vault's notification configuration: one topic, the events that go to it.
struct notification_config {
  std::string sns_topic;
  std::vector<std::string> events;  ///< ArchiveRetrievalCompleted, InventoryRetrievalCompleted
};

/// A vault lock, InProgress (until its expiration) or Locked.
struct vault_lock {
  std::string policy;
  std::string lock_id;
  bool locked = false;
  time_point creation_date;
  std::optional<time_point> expiration_date;  ///< null once Locked

  /// Whether the lock's policy applies at `now`: Locked, or InProgress and not past its
  /// expiration (an InProgress lock lapses after 24 hours, and its policy with it).
  bool in_force(time_point now) const {
    return locked || !expiration_date || *expiration_date > now;
  }
};

/// The data retrieval policy's single rule (spec §2.7).
struct retrieval_policy {
  std::string strategy = "None";  ///< BytesPerHour, FreeTier or None
  std::optional<std::uint64_t> bytes_per_hour;
};

/// A provisioned-capacity unit.
struct provisioned_capacity {
  std::string id;
  time_point start_date;
  time_point expiration_date;
};

/// Tags of a vault, by key.
using vault_tags = std::map<std::string, std::string>;

}  // namespace glacier
