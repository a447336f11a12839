#pragma once

// The store's private state, shared by the files that implement glacier::store.
#include <deque>
#include <unordered_set>

#include "glacier/store/store.hpp"
#include "job_table.hpp"

namespace glacier {

/// An open multipart upload and its parts, keyed by part index.
struct store::upload_state {
  multipart_upload_info info;
  std::map<std::uint64_t, multipart_part> parts;
  std::uint64_t bytes = 0;
  bool completing = false;  ///< parts are being assembled; no new parts meanwhile
  /// While the journal loads: the recorded sizes of parts whose bytes are read (and
  /// checked) once every record is replayed, by part index.
  std::map<std::uint64_t, std::uint64_t> pending_sizes;

  /// The size of the part at `index`. While the upload completes, the parts' bytes are out
  /// being assembled; the parts are then exactly 0..n-1 and cover `bytes`.
  std::uint64_t size_of(std::uint64_t index, const multipart_part& part) const {
    if (part.data) return part.data->size();
    return index + 1 < parts.size() ? info.part_size : bytes - index * info.part_size;
  }
};

/// A vault and everything in it. Archives and jobs are keyed by creation sequence so that
/// listings come out in creation order; the id indexes point into those maps.
struct store::vault_state {
  glacier::scope scope;
  std::string name;
  std::string arn;
  time_point creation_date;
  std::optional<time_point> last_inventory_date;
  std::uint64_t archive_bytes = 0;
  std::map<std::uint64_t, archive> archives;
  std::unordered_map<std::string, std::uint64_t> archive_index;
  detail::job_table jobs;
  /// Bumped whenever the archive list changes, so that inventory jobs completing in the
  /// same second over an unchanged vault can share one document.
  std::uint64_t archives_version = 0;
  struct cached_inventory {
    std::uint64_t archives_version = 0;
    inventory_format format = inventory_format::json;
    std::int64_t date_seconds = 0;
    std::shared_ptr<const std::string> document;
  };
  cached_inventory last_inventory;
  std::map<std::uint64_t, upload_state> uploads;
  std::unordered_map<std::string, std::uint64_t> upload_index;
  /// Uploads recently completed (id -> archive id) or aborted, which the spec lets a
  /// client complete or abort again.
  std::unordered_map<std::string, std::string> completed_uploads;
  std::unordered_set<std::string> aborted_uploads;
  /// Succeeded archive-retrieval jobs per archive id: their output is the archive's bytes,
  /// so its blob stays on disk until the last of them is purged, even once it is deleted.
  std::unordered_map<std::string, std::uint32_t> output_refs;
  std::optional<std::string> access_policy;
  std::optional<notification_config> notifications;
  std::optional<vault_lock> lock;
  vault_tags tags;
  std::uint64_t policy_revision = 0;  ///< see store::access_facts

  vault_info info() const {
    return vault_info{name,         arn, creation_date, last_inventory_date, archives.size(),
                      archive_bytes};
  }
};

/// A vault's settings as a vault_config record holds them, kept to undo a change the
/// journal refused.
struct store::vault_settings {
  std::optional<std::string> access_policy;
  std::optional<notification_config> notifications;
  std::optional<vault_lock> lock;
  vault_tags tags;
  std::uint64_t policy_revision = 0;
};

/// The vaults of one (account, region), sorted by name as ListVaults returns them.
struct store::scope_state {
  std::map<std::string, std::unique_ptr<vault_state>> vaults;
  retrieval_policy policy;
  std::vector<provisioned_capacity> capacity;
  /// Archive retrievals started in the last 24 hours, for the policy and capacity checks.
  struct retrieval {
    time_point started;
    std::uint64_t bytes;
    retrieval_tier tier;
  };
  std::deque<retrieval> recent_retrievals;
};

}  // namespace glacier
