#pragma once

// How the store keeps jobs: compact records in per-status tables, materialised into the
// public glacier::job only when a caller asks for one. A million retained jobs must fit
// in a few hundred megabytes (the public struct alone is ~750 bytes before its strings).
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "glacier/core/ids.hpp"
#include "glacier/store/model/job.hpp"
#include "glacier/store/store.hpp"

namespace glacier::detail {

/// What only some jobs have: kept out of line so that a plain inventory job (no
/// description, no parameters, no topic), the common case in bulk, needs none of it.
struct job_details {
  std::string id;  ///< set only when the id is not derived from the sequence (replayed)
  std::optional<std::string> description;
  std::optional<std::string> archive_id;
  std::optional<std::string> sns_topic;
  std::optional<byte_range> range;
  std::optional<inventory_selection> inventory;
  std::string status_message;  ///< of a failed job
  std::uint64_t archive_size = 0;
  std::string archive_tree_hash;
  std::string archive_description;
  byte_range retrieved;
  std::optional<std::string> range_tree_hash;
  std::uint64_t output_offset = 0;
  std::uint64_t output_length = 0;
  std::optional<std::string> next_inventory_marker;
  std::shared_ptr<const select_request> select;
  std::shared_ptr<const select_output> select_result;
  bool select_started = false;  ///< handed to the select worker (store::start_select)
};

/// A job as stored. The vault name and ARN come from the vault that holds it; the id from
/// the sequence (job_id_codec); the status message from the status.
struct stored_job {
  time_point creation_date;
  time_point due;
  time_point completion_date{};  ///< meaningful once status is not in_progress
  job_action action = job_action::inventory_retrieval;
  retrieval_tier tier = retrieval_tier::standard;
  inventory_format format = inventory_format::json;
  job_status status = job_status::in_progress;
  /// An inventory job's InventoryRetrievalParameters, when they select nothing (no dates,
  /// limit or marker), as almost all do; other selections are in `details`.
  bool plain_inventory_selection = false;
  std::shared_ptr<const std::string> output;  ///< archive bytes or inventory document
  std::unique_ptr<job_details> details;

  bool completed() const { return status != job_status::in_progress; }
  job_details& details_or_new() {
    if (!details) details = std::make_unique<job_details>();
    return *details;
  }
};

/// A deep copy (details included), so that a change the journal refused can be undone.
stored_job copy_of(const stored_job& j);

/// The compact form of `j`; its id is kept only when `ids` would not derive it. A job just
/// created with ids.job_id(sequence) passes `derived_id` and skips that check.
stored_job compact(const job& j, const id_generator& ids, bool derived_id = false);
/// The public form of a stored job.
job materialize(std::uint64_t sequence, const stored_job& s, const std::string& vault_name,
                const std::string& vault_arn, const id_generator& ids);
/// The same into an existing job, every field assigned (a page reuses one job's strings).
void materialize_into(job& j, std::uint64_t sequence, const stored_job& s,
                      const std::string& vault_name, const std::string& vault_arn,
                      const id_generator& ids);
/// The id of a stored job.
std::string stored_job_id(std::uint64_t sequence, const stored_job& s, const id_generator& ids);

/// The jobs of one vault, one ordered map per status: a status filter reads only its own
/// map, and an unfiltered listing merges the three in sequence (creation) order. Counts per
/// status and tier are kept as jobs come and go, so metrics never walk the jobs.
class job_table {
 public:
  using counts = std::array<std::array<std::uint64_t, 3>, 3>;  ///< [status][tier]

  stored_job* find(std::uint64_t sequence);
  const stored_job* find(std::uint64_t sequence) const;
  /// Adds a job whose sequence is new (creation is in sequence order, so this appends).
  void insert(std::uint64_t sequence, stored_job j);
  /// Adds the job, replacing one with the same sequence (journal replay).
  void replace(std::uint64_t sequence, stored_job j);
  bool erase(std::uint64_t sequence);
  /// Moves the job to the table of `status`; returns it in its new place.
  stored_job& set_status(std::uint64_t sequence, job_status status);

  /// Calls f(sequence, job) in sequence order for the jobs at or after `first` that pass
  /// `filter`, until f returns false.
  template <typename F>
  void visit(std::uint64_t first, const job_filter& filter, F&& f) const;

  std::size_t size() const;
  const counts& job_counts() const { return counts_; }

  /// Ids that are not derived from their sequence (jobs replayed from an earlier run).
  std::unordered_map<std::string, std::uint64_t> foreign_ids;

 private:
  using table = std::map<std::uint64_t, stored_job>;
  table& of(job_status status) { return tables_[static_cast<std::size_t>(status)]; }
  void count(const stored_job& j, int delta);

  std::array<table, 3> tables_;
  counts counts_{};
};

template <typename F>
void job_table::visit(std::uint64_t first, const job_filter& filter, F&& f) const {
  std::array<table::const_iterator, 3> at;
  std::array<table::const_iterator, 3> end;
  std::size_t n = 0;
  for (std::size_t s = 0; s < tables_.size(); ++s) {
    const auto status = static_cast<job_status>(s);
    if (filter.status && status != *filter.status) continue;
    if (filter.completed && (status != job_status::in_progress) != *filter.completed) continue;
    at[n] = tables_[s].lower_bound(first);
    end[n] = tables_[s].end();
    ++n;
  }
  for (;;) {
    std::size_t next = n;
    for (std::size_t k = 0; k < n; ++k) {
      if (at[k] == end[k]) continue;
      if (next == n || at[k]->first < at[next]->first) next = k;
    }
    if (next == n) return;
    if (!f(at[next]->first, at[next]->second)) return;
    ++at[next];
  }
}

}  // namespace glacier::detail
