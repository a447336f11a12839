// The store's jobs: creation, lookup, listing, completion, failure and purge.
#include "glacier/store/store.hpp"

#include "glacier/store/journal.hpp"
#include "records.hpp"
#include "state.hpp"

#include <algorithm>

#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/error.hpp"
#include "glacier/store/model/inventory.hpp"

namespace glacier {

namespace {

[[noreturn]] void throw_job_not_found(const std::string& id) {
  throw error(error_code::resource_not_found, "The job ID was not found: " + id);
}

duration tier_delay(const config& cfg, retrieval_tier tier) {
  switch (tier) {
    case retrieval_tier::expedited:
      return cfg.expedited_delay;
    case retrieval_tier::standard:
      return cfg.standard_delay;
    case retrieval_tier::bulk:
      return cfg.bulk_delay;
  }
  return cfg.standard_delay;
}

}  // namespace

job store::create_job(const scope& where, const std::string& vault_name,
                      job_parameters parameters) {
  job j;
  j.creation_date = clock_.now();
  j.due = j.creation_date + tier_delay(config_, parameters.tier);

  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  j.vault_name = vault.name;
  j.vault_arn = vault.arn;
  if (parameters.action != job_action::inventory_retrieval) {
    const auto it = vault.archive_index.find(*parameters.archive_id);
    if (it == vault.archive_index.end()) {
      refuse_other_vaults_archive(vault, *parameters.archive_id);
      throw error(error_code::resource_not_found,
                  "The archive ID was not found: " + *parameters.archive_id);
    }
  }
  if (parameters.action == job_action::archive_retrieval) {
    const archive& a = vault.archives.at(vault.archive_index.at(*parameters.archive_id));
    j.archive_size = a.size;
    j.archive_tree_hash = a.tree_hash;
    j.archive_description = a.description;
    if (parameters.range) {
      check_retrieval_range(*parameters.range, a.size);
      j.retrieved = *parameters.range;
    } else {
      j.retrieved = byte_range{0, a.size == 0 ? 0 : a.size - 1};
    }
    if (a.size == 0) {
      j.range_tree_hash = a.tree_hash;
    } else if (j.retrieved.start == 0 && j.retrieved.end + 1 == a.size) {
      j.range_tree_hash = a.tree_hash;
    } else if (is_tree_hash_aligned(j.retrieved.start, j.retrieved.end, a.size) && !a.damaged) {
      j.range_tree_hash = to_hex(
          tree_hash(std::string_view(*a.data).substr(j.retrieved.start, j.retrieved.length())));
    }
  }
  j.parameters = std::move(parameters);
  auto& account = scopes_.at(where);
  admit_retrieval(account, j, j.creation_date);
  j.sequence = next_sequence_++;
  j.id = ids_.job_id(j.sequence);
  record_job(vault, j, {}, false, true);
  count_retrieval(account, j, j.creation_date);
  vault.jobs.insert(j.sequence, detail::compact(j, ids_, true));
  job_owner_.emplace(j.sequence, &vault);
  return j;
}

bool store::is_purged(const detail::stored_job& j, time_point now) const {
  return j.completed() && j.completion_date + config_.job_retention <= now;
}

std::optional<std::uint64_t> store::job_sequence(const vault_state& vault,
                                                 const std::string& id) const {
  if (const auto sequence = ids_.job_sequence(id); sequence && vault.jobs.find(*sequence)) {
    return sequence;
  }
  if (const auto it = vault.jobs.foreign_ids.find(id); it != vault.jobs.foreign_ids.end()) {
    return it->second;
  }
  return std::nullopt;
}

job store::describe_job(const scope& where, const std::string& vault_name,
                        const std::string& id) const {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  const auto& vault = vault_or_throw(where, vault_name);
  const auto sequence = job_sequence(vault, id);
  if (!sequence) throw_job_not_found(id);
  const auto& j = *vault.jobs.find(*sequence);
  if (is_purged(j, now)) throw_job_not_found(id);
  return detail::materialize(*sequence, j, vault.name, vault.arn, ids_);
}

page<job> store::list_jobs(const scope& where, const std::string& vault_name,
                           const job_filter& filter, const std::optional<std::string>& marker,
                           std::size_t limit) const {
  page<job> result;
  result.marker = visit_job_page(where, vault_name, filter, marker, limit,
                                 [&](const job& j) { result.items.push_back(j); });
  return result;
}

std::optional<std::string> store::visit_job_page(
    const scope& where, const std::string& vault_name, const job_filter& filter,
    const std::optional<std::string>& marker, std::size_t limit,
    const std::function<void(const job&)>& each) const {
  const auto now = clock_.now();
  std::optional<std::string> next;
  std::lock_guard lock(mutex_);
  const auto& vault = vault_or_throw(where, vault_name);
  std::uint64_t first = 0;
  if (marker) {
    const auto sequence = job_sequence(vault, *marker);
    if (!sequence) throw error(error_code::invalid_parameter_value, "Invalid marker: " + *marker);
    first = *sequence;
  }
  job current;
  std::size_t count = 0;
  vault.jobs.visit(first, filter, [&](std::uint64_t sequence, const detail::stored_job& j) {
    if (is_purged(j, now)) return true;
    if (count == limit) {
      next = detail::stored_job_id(sequence, j, ids_);
      return false;
    }
    detail::materialize_into(current, sequence, j, vault.name, vault.arn, ids_);
    each(current);
    ++count;
    return true;
  });
  return next;
}

std::shared_ptr<const std::string> store::inventory_document(vault_state& vault,
                                                             detail::stored_job& j,
                                                             time_point completion) {
  const inventory_selection everything{};
  const auto* selection = j.details && j.details->inventory ? &*j.details->inventory : nullptr;
  // The document names the vault, its archives and the date to the second: jobs over an
  // unchanged vault completing in the same second share one copy.
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(completion.time_since_epoch()).count();
  auto& cache = vault.last_inventory;
  if (!selection && cache.document && cache.archives_version == vault.archives_version &&
      cache.format == j.format && cache.date_seconds == seconds) {
    return cache.document;
  }
  auto inventory = build_inventory(vault.archives, vault.arn, completion, j.format,
                                   selection ? *selection : everything);
  auto document = std::make_shared<const std::string>(std::move(inventory.document));
  if (selection) {
    if (inventory.next_marker) {
      j.details->next_inventory_marker = std::move(inventory.next_marker);
    }
  } else {
    cache = {vault.archives_version, j.format, seconds, document};
  }
  return document;
}

const detail::stored_job& store::fill_output(std::uint64_t sequence, vault_state& vault,
                                             time_point completion) {
  auto* j = vault.jobs.find(sequence);
  j->completion_date = completion;
  if (j->action == job_action::inventory_retrieval) {
    j->output = inventory_document(vault, *j, completion);
    vault.last_inventory_date = completion;
    return vault.jobs.set_status(sequence, job_status::succeeded);
  }
  auto& d = *j->details;
  const auto found = vault.archive_index.find(*d.archive_id);
  if (found == vault.archive_index.end()) {
    d.status_message =
        "The archive was deleted before the retrieval job completed: " + *d.archive_id;
    return vault.jobs.set_status(sequence, job_status::failed);
  }
  const archive& a = vault.archives.at(found->second);
  if (a.damaged) {
    // Never served: its bytes on disk did not match its tree hash at start-up.
    d.status_message =
        "The archive could not be read: its stored bytes are damaged: " + *d.archive_id;
    return vault.jobs.set_status(sequence, job_status::failed);
  }
  j->output = a.data;
  d.output_offset = d.retrieved.start;
  d.output_length = a.size == 0 ? 0 : d.retrieved.length();
  return vault.jobs.set_status(sequence, job_status::succeeded);
}

std::optional<completed_job> store::complete_job(std::uint64_t sequence, time_point completion) {
  std::lock_guard lock(mutex_);
  auto* owner = vault_of_running_job(sequence);
  if (!owner) return std::nullopt;
  // A select job's output is its query's, which runs outside this lock: start_select and
  // finish_select complete it.
  if (owner->jobs.find(sequence)->action == job_action::select) return std::nullopt;
  vault_state& vault = *owner;
  if (!journal_) {
    const auto& done = fill_output(sequence, vault, completion);
    auto j = detail::materialize(sequence, done, vault.name, vault.arn, ids_);
    return completed_job{std::move(j), vault.notifications};
  }
  // Completed in memory first (the output is built there), undone if the disk refuses.
  auto before = detail::copy_of(*vault.jobs.find(sequence));
  const auto last_inventory_date = vault.last_inventory_date;
  const auto last_inventory = vault.last_inventory;
  const auto& done = fill_output(sequence, vault, completion);
  auto j = detail::materialize(sequence, done, vault.name, vault.arn, ids_);
  const bool inventory = j.parameters.action == job_action::inventory_retrieval && j.output;
  std::string output_hash;
  try {
    if (inventory) {
      write_blob(records::inventory_blob(j.id), *j.output);
      output_hash = to_hex(sha256(*j.output));
      output_hashes_[sequence] = output_hash;
    }
    record_job(vault, j, output_hash, true);
  } catch (...) {
    if (inventory) {
      drop_blob(records::inventory_blob(j.id));
      output_hashes_.erase(sequence);
    }
    vault.jobs.replace(sequence, std::move(before));
    vault.last_inventory_date = last_inventory_date;
    vault.last_inventory = last_inventory;
    throw;
  }
  if (j.status == job_status::succeeded && j.parameters.action == job_action::archive_retrieval) {
    ++vault.output_refs[*j.parameters.archive_id];
  }
  return completed_job{std::move(j), vault.notifications};
}

std::optional<completed_job> store::fail_job(std::uint64_t sequence, time_point completion,
                                             const std::string& message) {
  std::lock_guard lock(mutex_);
  auto* owner = vault_of_running_job(sequence);
  if (!owner) return std::nullopt;
  vault_state& vault = *owner;
  auto* stored = vault.jobs.find(sequence);
  std::optional<detail::stored_job> before;
  if (journal_) before = detail::copy_of(*stored);
  stored->completion_date = completion;
  stored->details_or_new().status_message = message;
  const auto& failed = vault.jobs.set_status(sequence, job_status::failed);
  auto j = detail::materialize(sequence, failed, vault.name, vault.arn, ids_);
  try {
    record_job(vault, j, {}, true);
  } catch (...) {
    vault.jobs.replace(sequence, std::move(*before));
    throw;
  }
  return completed_job{std::move(j), vault.notifications};
}

bool store::purge_job(std::uint64_t sequence) {
  std::lock_guard lock(mutex_);
  const auto owner = job_owner_.find(sequence);
  if (owner == job_owner_.end()) return false;
  vault_state& vault = *owner->second;
  const auto* j = vault.jobs.find(sequence);
  if (!j || !j->completed()) return false;
  const auto id = detail::stored_job_id(sequence, *j, ids_);
  if (journal_) {
    record({{"t", "job_purged"}, {"seq", sequence}}, false, true);
    if (j->action == job_action::inventory_retrieval) {
      drop_blob(records::inventory_blob(id));
      output_hashes_.erase(sequence);
    } else if (j->action == job_action::archive_retrieval && j->status == job_status::succeeded &&
               j->details && j->details->archive_id) {
      release_output(vault, *j->details->archive_id);
    }
  }
  if (j->details && !j->details->id.empty()) vault.jobs.foreign_ids.erase(id);
  vault.jobs.erase(sequence);
  job_owner_.erase(owner);
  return true;
}

store::vault_state* store::vault_of_running_job(std::uint64_t sequence) {
  const auto owner = job_owner_.find(sequence);
  if (owner == job_owner_.end()) return nullptr;
  const auto* j = owner->second->jobs.find(sequence);
  return j && !j->completed() ? owner->second : nullptr;
}

void store::record_job(const vault_state& vault, const job& j, const std::string& output_hash,
                       bool state_ahead, bool admitted) {
  // Checked here, before the record is built: building it costs more than the job itself.
  if (!journal_) return;
  nlohmann::json r{{"t", "job"},
                   {"s", records::scope_json(vault.scope)},
                   {"vault", vault.name},
                   {"job", records::job_json(j)}};
  if (!output_hash.empty()) r["output_hash"] = output_hash;
  // The creation record: replay counts its retrieval for the policy and capacity checks.
  if (admitted && j.parameters.action == job_action::archive_retrieval) r["admitted"] = true;
  record(r, state_ahead);
}

void store::forget_jobs(const vault_state& vault) {
  vault.jobs.visit(0, {}, [&](std::uint64_t sequence, const detail::stored_job&) {
    job_owner_.erase(sequence);
    return true;
  });
}

std::vector<job_timer> store::pending_jobs() const {
  std::vector<job_timer> timers;
  std::lock_guard lock(mutex_);
  for (const auto& [sequence, vault] : job_owner_) {
    const auto* j = vault->jobs.find(sequence);
    if (!j) continue;
    if (j->completed()) {
      timers.push_back({sequence, j->completion_date + config_.job_retention, true});
    } else {
      timers.push_back({sequence, j->due, false, j->action == job_action::select});
    }
  }
  return timers;
}

}  // namespace glacier
