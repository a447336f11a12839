// The store's side of select jobs: handing a due job to the select worker and taking its
// result back. The query itself runs in jobs/ without the store's lock.
#include "glacier/store/store.hpp"
#include "state.hpp"

namespace glacier {

std::optional<select_work> store::start_select(std::uint64_t sequence) {
  std::lock_guard lock(mutex_);
  auto* owner = vault_of_running_job(sequence);
  if (!owner) return std::nullopt;
  auto* stored = owner->jobs.find(sequence);
  if (stored->action != job_action::select || !stored->details || stored->details->select_started) {
    return std::nullopt;
  }
  stored->details->select_started = true;
  select_work work;
  work.job = detail::materialize(sequence, *stored, owner->name, owner->arn, ids_);
  const auto found = owner->archive_index.find(*stored->details->archive_id);
  // A damaged archive is never read: the job fails as if it were gone.
  if (found != owner->archive_index.end() && !owner->archives.at(found->second).damaged) {
    work.archive = owner->archives.at(found->second).data;
  }
  return work;
}

std::optional<completed_job> store::finish_select(std::uint64_t sequence, time_point completion,
                                                  std::shared_ptr<const select_output> output,
                                                  const std::optional<std::string>& failure) {
  std::lock_guard lock(mutex_);
  auto* owner = vault_of_running_job(sequence);
  if (!owner) return std::nullopt;
  vault_state& vault = *owner;
  auto* stored = vault.jobs.find(sequence);
  if (stored->action != job_action::select || !stored->details ||
      !stored->details->select_started) {
    return std::nullopt;
  }
  std::optional<detail::stored_job> before;
  if (journal_) before = detail::copy_of(*stored);
  stored->completion_date = completion;
  stored->details->select_result = std::move(output);
  if (failure) stored->details->status_message = *failure;
  const auto& done =
      vault.jobs.set_status(sequence, failure ? job_status::failed : job_status::succeeded);
  auto j = detail::materialize(sequence, done, vault.name, vault.arn, ids_);
  try {
    record_job(vault, j, {}, true);
  } catch (...) {
    vault.jobs.replace(sequence, std::move(*before));
    throw;
  }
  return completed_job{std::move(j), vault.notifications};
}

std::optional<job> store::job_by_sequence(std::uint64_t sequence) const {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  const auto owner = job_owner_.find(sequence);
  if (owner == job_owner_.end()) return std::nullopt;
  const auto* j = owner->second->jobs.find(sequence);
  if (!j || is_purged(*j, now)) return std::nullopt;
  return detail::materialize(sequence, *j, owner->second->name, owner->second->arn, ids_);
}

}  // namespace glacier
