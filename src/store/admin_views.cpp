// The admin half of glacier::store: reset, lookups across vaults, snapshots and counts.
#include "glacier/store/journal.hpp"
#include "refused_write.hpp"
#include "state.hpp"

namespace glacier {

void store::reset() {
  std::lock_guard lock(mutex_);
  if (journal_) {
    try {
      journal_->clear();
    } catch (const journal_write_error& e) {
      throw refused_write(e);
    }
  }
  scopes_.clear();
  job_owner_.clear();
  output_hashes_.clear();
  total_archive_bytes_ = 0;
  clock_offset_ = duration(0);
}

std::optional<std::uint64_t> store::find_job(const std::string& job_id) const {
  std::lock_guard lock(mutex_);
  if (const auto sequence = ids_.job_sequence(job_id); sequence) {
    if (const auto owner = job_owner_.find(*sequence); owner != job_owner_.end()) {
      if (owner->second->jobs.find(*sequence)) return sequence;
    }
  }
  for (const auto& [where, account] : scopes_) {
    for (const auto& [name, vault] : account.vaults) {
      const auto it = vault->jobs.foreign_ids.find(job_id);
      if (it != vault->jobs.foreign_ids.end()) return it->second;
    }
  }
  return std::nullopt;
}

std::optional<archive> store::find_archive(const std::string& archive_id) const {
  std::lock_guard lock(mutex_);
  for (const auto& [where, account] : scopes_) {
    for (const auto& [name, vault] : account.vaults) {
      const auto it = vault->archive_index.find(archive_id);
      if (it != vault->archive_index.end()) return vault->archives.at(it->second);
    }
  }
  return std::nullopt;
}

std::vector<scope_snapshot> store::snapshot(const std::optional<std::string>& account_filter,
                                            const std::optional<std::string>& vault_filter,
                                            std::size_t max_items) const {
  std::vector<scope_snapshot> result;
  std::lock_guard lock(mutex_);
  for (const auto& [where, account] : scopes_) {
    if (account_filter && where.account != *account_filter) continue;
    scope_snapshot s{where, account.policy, account.capacity, {}};
    for (const auto& [name, vault] : account.vaults) {
      if (vault_filter && name != *vault_filter) continue;
      vault_snapshot v;
      v.info = vault->info();
      // The cap bounds the time under the lock: a console polling a vault of a million
      // archives copies only what it shows.
      for (const auto& [sequence, a] : vault->archives) {
        if (v.archives.size() >= max_items) break;
        v.archives.push_back(a);
        v.archives.back().data.reset();
      }
      const auto& state = *vault;  // a lambda cannot capture a structured binding (clang 14)
      if (max_items > 0) {
        state.jobs.visit(0, {}, [&](std::uint64_t sequence, const detail::stored_job& j) {
          v.jobs.push_back(detail::materialize(sequence, j, state.name, state.arn, ids_));
          return v.jobs.size() < max_items;
        });
      }
      for (const auto& [sequence, u] : vault->uploads) {
        if (v.uploads.size() >= max_items) break;
        v.uploads.push_back(u.info);
      }
      v.job_count = state.jobs.size();
      v.upload_count = vault->uploads.size();
      v.access_policy = vault->access_policy;
      v.notifications = vault->notifications;
      v.lock = vault->lock;
      v.tags = vault->tags;
      s.vaults.push_back(std::move(v));
    }
    result.push_back(std::move(s));
  }
  return result;
}

store_stats store::stats() const {
  store_stats stats;
  std::lock_guard lock(mutex_);
  stats.archive_bytes = total_archive_bytes_;
  if (journal_) {
    const auto disk = journal_->stats();
    stats.on_disk = true;
    stats.journal_bytes = disk.journal_bytes;
    stats.blob_bytes = disk.blob_bytes;
    stats.failed_writes = disk.failed_writes;
  }
  for (const auto& [where, account] : scopes_) {
    stats.vaults += account.vaults.size();
    for (const auto& [name, vault] : account.vaults) {
      stats.archives += vault->archives.size();
      stats.uploads += vault->uploads.size();
      // Counted as jobs come and go: with a million jobs, walking them took 100 ms.
      const auto& counts = vault->jobs.job_counts();
      for (std::size_t status = 0; status < counts.size(); ++status) {
        for (std::size_t tier = 0; tier < counts[status].size(); ++tier) {
          if (counts[status][tier] == 0) continue;
          stats.jobs[{static_cast<job_status>(status), static_cast<retrieval_tier>(tier)}] +=
              counts[status][tier];
        }
      }
    }
  }
  return stats;
}

}  // namespace glacier
