#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"
#include "glacier/core/ids.hpp"
#include "glacier/store/model/archive.hpp"
#include "glacier/store/model/job.hpp"
#include "glacier/store/model/multipart_upload.hpp"
#include "glacier/store/model/scope.hpp"
#include "glacier/store/model/vault.hpp"
#include "glacier/store/model/vault_config.hpp"

namespace glacier {

class journal;
namespace detail {
struct stored_job;
}

/// One page of a listing plus the marker of the next page (absent at the end).
template <typename T>
struct page {
  std::vector<T> items;
  std::optional<std::string> marker;
};

/// ListJobs filters.
struct job_filter {
  std::optional<bool> completed;
  std::optional<job_status> status;
};

/// A job just completed, with its vault's notification configuration at that moment.
struct completed_job {
  glacier::job job;
  std::optional<notification_config> vault_notifications;
};

/// What authorizing one request on a vault reads from the store (spec Part 3B): which of
/// its policies are in force, their texts when the caller's parsed copies are stale, and
/// its tags for glacier:ResourceTag.
struct vault_access {
  bool exists = false;
  bool lock_in_force = false;  ///< a lock policy InProgress (not expired) or Locked
  bool has_access_policy = false;
  std::uint64_t policy_revision = 0;  ///< changes whenever either policy text changes
  bool texts = false;  ///< the texts below are filled: the known revision was not current
  std::string lock_policy;
  std::string access_policy;
  vault_tags tags;  ///< only when asked for and a policy is in force
};

/// Everything about one vault, for the admin API's state view.
struct vault_snapshot {
  vault_info info;
  std::vector<archive> archives;  ///< metadata; `data` is left empty
  std::vector<job> jobs;
  std::vector<multipart_upload_info> uploads;
  std::uint64_t job_count = 0;     ///< all the vault's jobs, however many `jobs` holds
  std::uint64_t upload_count = 0;  ///< all its open uploads, however many `uploads` holds
  std::optional<std::string> access_policy;
  std::optional<notification_config> notifications;
  std::optional<vault_lock> lock;
  vault_tags tags;
};

/// Everything about one (account, region).
struct scope_snapshot {
  glacier::scope scope;
  retrieval_policy policy;
  std::vector<provisioned_capacity> capacity;
  std::vector<vault_snapshot> vaults;
};

/// Counts for the metrics endpoint.
struct store_stats {
  std::map<std::pair<job_status, retrieval_tier>, std::uint64_t> jobs;
  std::uint64_t vaults = 0;
  std::uint64_t archives = 0;
  std::uint64_t archive_bytes = 0;  ///< archives and parts held
  std::uint64_t uploads = 0;
  bool on_disk = false;             ///< --data-dir: the figures below are filled
  std::uint64_t journal_bytes = 0;  ///< the journal's log
  std::uint64_t blob_bytes = 0;     ///< archive, part and inventory files
  std::uint64_t failed_writes = 0;  ///< writes the disk refused since start
};

/// What the scheduler must do next for a job created or completed by the store.
struct job_timer {
  std::uint64_t sequence;
  time_point due;
  bool purge = false;   ///< remove the completed job at `due`, rather than complete it
  bool select = false;  ///< a select job: at `due` it is handed to the select worker
};

/// A select job whose time has come, with what running it needs; store::start_select
/// hands each job out once.
struct select_work {
  glacier::job job;  ///< as DescribeJob shows it in progress (job.txt is this)
  std::shared_ptr<const std::string> archive;  ///< the archive's bytes; null once deleted
};

/// All state of the fake: vaults, archives and jobs, per (account, region).
/// The only shared mutable state; it locks internally and returns values, never references.
/// Throws glacier::error with the spec's codes and messages.
class store {
 public:
  store(const clock& clock, id_generator& ids, const config& cfg);
  ~store();

  /// Creates the vault if it does not exist (CreateVault is idempotent).
  void create_vault(const scope& where, const std::string& name);
  /// DescribeVault; 404 when unknown.
  vault_info describe_vault(const scope& where, const std::string& name) const;
  /// ListVaults: vaults sorted by name, after the vault whose ARN is `marker`.
  page<vault_info> list_vaults(const scope& where, const std::optional<std::string>& marker,
                               std::size_t limit) const;
  /// DeleteVault; refused while the vault holds archives.
  void delete_vault(const scope& where, const std::string& name);

  /// Stores an archive whose bytes and tree hash the caller has verified.
  archive add_archive(const scope& where, const std::string& vault,
                      std::optional<std::string> description,
                      std::shared_ptr<const std::string> data, std::string tree_hash_hex);
  /// DeleteArchive; idempotent for an archive already deleted; 400 for another vault's.
  void delete_archive(const scope& where, const std::string& vault, const std::string& id);

  /// Creates a job from validated parameters; checks the archive and byte range.
  /// Returns the job and when the scheduler must complete it.
  job create_job(const scope& where, const std::string& vault, job_parameters parameters);
  /// DescribeJob; 404 for unknown or purged jobs.
  job describe_job(const scope& where, const std::string& vault, const std::string& id) const;
  /// ListJobs in creation order, starting at the job whose id is `marker`.
  page<job> list_jobs(const scope& where, const std::string& vault, const job_filter& filter,
                      const std::optional<std::string>& marker, std::size_t limit) const;
  /// The page list_jobs returns, without copying it: `each` sees its jobs in turn (one job
  /// object, reused) under the store lock, so it must not call the store. Returns the marker.
  std::optional<std::string> visit_job_page(const scope& where, const std::string& vault,
                                            const job_filter& filter,
                                            const std::optional<std::string>& marker,
                                            std::size_t limit,
                                            const std::function<void(const job&)>& each) const;

  /// Completes a due job (Succeeded, or Failed when its archive is gone). Returns the
  /// completed job, or nothing when it no longer exists or was already complete.
  std::optional<completed_job> complete_job(std::uint64_t sequence, time_point completion);
  /// Fails a job with `message` (admin API). Returns the failed job, if it was in progress.
  std::optional<completed_job> fail_job(std::uint64_t sequence, time_point completion,
                                        const std::string& message);
  /// Removes a completed job whose retention has passed. Returns true when one was removed.
  bool purge_job(std::uint64_t sequence);

  /// Hands a select job in progress to its worker, once: later calls return nothing, and
  /// so do calls for other jobs. complete_job leaves select jobs alone.
  std::optional<select_work> start_select(std::uint64_t sequence);
  /// Ends a select job that start_select handed out: Succeeded, or Failed with `failure`
  /// as its StatusMessage; `output` is what it wrote either way. Returns the completed
  /// job, or nothing when it is no longer in progress (failed through the admin API,
  /// purged with its vault).
  std::optional<completed_job> finish_select(std::uint64_t sequence, time_point completion,
                                             std::shared_ptr<const select_output> output,
                                             const std::optional<std::string>& failure);
  /// The job with this sequence number (admin API, after find_job), unless it was purged.
  std::optional<job> job_by_sequence(std::uint64_t sequence) const;

  /// InitiateMultipartUpload with a validated part size and description.
  multipart_upload_info initiate_upload(const scope& where, const std::string& vault,
                                        std::optional<std::string> description,
                                        std::uint64_t part_size);
  /// UploadMultipartPart for bytes [start, end] whose tree hash the caller verified.
  /// Checks alignment to the part size, the part's size and the part count; a part
  /// uploaded again replaces the earlier one.
  void upload_part(const scope& where, const std::string& vault, const std::string& upload_id,
                   std::uint64_t start, std::uint64_t end, multipart_part part);
  /// CompleteMultipartUpload: checks the size and the tree hash (computed from the part
  /// hashes), then stores the archive. A failed check leaves the upload open.
  archive complete_upload(const scope& where, const std::string& vault,
                          const std::string& upload_id, std::uint64_t archive_size,
                          const digest& expected_tree_hash);
  /// AbortMultipartUpload; succeeds again for an upload already aborted.
  void abort_upload(const scope& where, const std::string& vault, const std::string& upload_id);
  /// ListMultipartUploads in creation order, starting at the upload whose id is `marker`.
  page<multipart_upload_info> list_uploads(const scope& where, const std::string& vault,
                                           const std::optional<std::string>& marker,
                                           std::size_t limit) const;
  /// ListParts: the upload and its parts by range, starting at the byte offset `marker`.
  std::pair<multipart_upload_info, page<part_info>> list_parts(
      const scope& where, const std::string& vault, const std::string& upload_id,
      const std::optional<std::string>& marker, std::size_t limit) const;

  /// SetVaultAccessPolicy.
  void set_access_policy(const scope& where, const std::string& vault, std::string policy);
  /// GetVaultAccessPolicy; 404 when none is set.
  std::string access_policy(const scope& where, const std::string& vault) const;
  /// DeleteVaultAccessPolicy; idempotent.
  void delete_access_policy(const scope& where, const std::string& vault);

  /// SetVaultNotifications (replaces any earlier configuration).
  void set_notifications(const scope& where, const std::string& vault, notification_config n);
  /// GetVaultNotifications; 404 when none is set.
  notification_config notifications(const scope& where, const std::string& vault) const;
  /// DeleteVaultNotifications; idempotent.
  void delete_notifications(const scope& where, const std::string& vault);

  /// InitiateVaultLock: InProgress for 24 hours; returns the lock id.
  std::string initiate_lock(const scope& where, const std::string& vault, std::string policy);
  /// GetVaultLock; 404 when there is none (an expired InProgress lock is gone).
  vault_lock lock(const scope& where, const std::string& vault) const;
  /// CompleteVaultLock with the lock id InitiateVaultLock returned.
  void complete_lock(const scope& where, const std::string& vault, const std::string& lock_id);
  /// AbortVaultLock; refused once Locked, else idempotent.
  void abort_lock(const scope& where, const std::string& vault);

  /// The vault's policies for authorizing a request: texts only when `known_revision` is
  /// not the current policy revision (never for `flags_only`), tags only with `with_tags`.
  /// No vault: exists false.
  static constexpr std::uint64_t flags_only = ~std::uint64_t{0};
  vault_access access_facts(const scope& where, const std::string& vault,
                            std::uint64_t known_revision, bool with_tags) const;
  /// The CreationDate of archive `id` when the vault holds it (glacier:ArchiveAgeInDays).
  std::optional<time_point> archive_creation_date(const scope& where, const std::string& vault,
                                                  const std::string& id) const;

  /// AddTagsToVault: adds or overwrites; at most 50 tags per vault.
  void add_tags(const scope& where, const std::string& vault, const vault_tags& tags);
  /// RemoveTagsFromVault; keys that are not there are ignored.
  void remove_tags(const scope& where, const std::string& vault,
                   const std::vector<std::string>& keys);
  /// ListTagsForVault.
  vault_tags tags(const scope& where, const std::string& vault) const;

  /// GetDataRetrievalPolicy.
  retrieval_policy data_retrieval_policy(const scope& where) const;
  /// SetDataRetrievalPolicy (validated by the caller).
  void set_data_retrieval_policy(const scope& where, retrieval_policy policy);
  /// PurchaseProvisionedCapacity: a unit for one month; at most 2 active per account.
  provisioned_capacity purchase_capacity(const scope& where);
  /// ListProvisionedCapacity.
  std::vector<provisioned_capacity> capacity(const scope& where) const;

  /// Clears every vault, archive, job, upload and policy (admin reset).
  void reset();
  /// The sequence number of the job with this id, in any vault (admin API).
  std::optional<std::uint64_t> find_job(const std::string& job_id) const;
  /// The state, optionally only of one account and/or one vault name, with at most
  /// `max_items` archives, jobs and uploads per vault (the first, in creation order).
  std::vector<scope_snapshot> snapshot(
      const std::optional<std::string>& account, const std::optional<std::string>& vault,
      std::size_t max_items = std::numeric_limits<std::size_t>::max()) const;
  /// The archive with this id, bytes included, in whichever vault holds it (admin API).
  std::optional<archive> find_archive(const std::string& archive_id) const;
  /// Counts of what the store holds.
  store_stats stats() const;

  /// Makes every state change durable in `j` from now on (--data-dir).
  void attach_journal(journal& j);
  /// Rebuilds the state from `j`'s records, checking every record's checksum and every
  /// blob's hash, then compacts the journal (a fresh log; blobs nothing refers to go to
  /// lost+found/) and attaches it. A torn last record is cut and logged; other damage
  /// throws std::runtime_error naming the file and byte offset, unless `recover`, which
  /// keeps every intact record and logs what it drops. Returns the recorded clock offset.
  duration load_journal(journal& j, bool recover = false);
  /// Records how far the clock runs ahead of the system clock, so a restart keeps it.
  void note_clock_offset(duration offset);

  /// For a scheduler starting up: when each job in progress is due, and when each
  /// completed job's retention ends.
  std::vector<job_timer> pending_jobs() const;

 private:
  struct vault_state;
  struct scope_state;
  struct upload_state;
  struct vault_settings;

  vault_state& vault_or_throw(const scope& where, const std::string& name);
  const vault_state& vault_or_throw(const scope& where, const std::string& name) const;
  bool is_purged(const detail::stored_job& j, time_point now) const;
  std::optional<std::uint64_t> job_sequence(const vault_state& vault, const std::string& id) const;
  /// Completes the job with its output; returns it in its new status table.
  const detail::stored_job& fill_output(std::uint64_t sequence, vault_state& vault,
                                        time_point completion);
  /// The vault of the job with this sequence while it is in progress, else null.
  vault_state* vault_of_running_job(std::uint64_t sequence);
  /// Journals job `j`; `output_hash`: the SHA-256 of an inventory output saved as a blob;
  /// `state_ahead` as for record(); `admitted`: InitiateJob's record, whose retrieval
  /// counts towards the data retrieval policy and capacity.
  void record_job(const vault_state& vault, const job& j, const std::string& output_hash = {},
                  bool state_ahead = false, bool admitted = false);
  /// Drops the scheduler's way to the vault's jobs (the vault is going away).
  void forget_jobs(const vault_state& vault);
  std::shared_ptr<const std::string> inventory_document(vault_state& vault, detail::stored_job& j,
                                                        time_point completion);
  archive new_archive(std::optional<std::string> description,
                      std::shared_ptr<const std::string> data, std::string tree_hash_hex);
  /// Journals the new archive, then adds it to the vault.
  void insert_archive(vault_state& vault, const archive& a);
  /// Adds an archive already journaled (or being replayed) under `sequence`.
  void place_archive(vault_state& vault, std::uint64_t sequence, const archive& a);
  /// Throws AWS's "Invalid vault name: <ARN>" when archive `id` belongs to another vault
  /// than `vault` (archive ids are bound to their vault); returns when it belongs to none.
  void refuse_other_vaults_archive(const vault_state& vault, const std::string& id) const;
  void reserve_bytes(std::uint64_t bytes);
  /// Appends `r` to the journal (when there is one) before its change becomes visible;
  /// throws 500 ServiceUnavailableException when the disk refuses it. `state_ahead`: the
  /// change is already in memory (to be undone if this throws), so no compaction now;
  /// `frees_space`: a delete, which may use the disk's reserve.
  void record(const nlohmann::json& r, bool state_ahead = false, bool frees_space = false);
  void record_vault_config(const vault_state& vault);
  /// The vault's settings before a change, to undo it (with a journal; else nothing).
  std::optional<vault_settings> settings_before(const vault_state& vault) const;
  /// Journals the vault's changed settings; puts `before` back if the disk refuses.
  void commit_settings(vault_state& vault, std::optional<vault_settings> before);
  void record_account(const scope& where, const scope_state& account);
  /// Writes a blob (with a journal); throws 500 ServiceUnavailableException when refused.
  void write_blob(const std::string& name, std::string_view data);
  /// Removes a blob nothing refers to any more (with a journal).
  void drop_blob(const std::string& name);
  /// Rewrites the journal from the state when it has outgrown its last compaction.
  void compact_if_due();
  void replay(const nlohmann::json& r);
  /// Counts the retrieval of a job's creation record ("admitted") whose job was purged.
  void replay_admission(const nlohmann::json& r);
  /// After replay: reads and checks the blobs the state refers to; what is missing or
  /// damaged is marked (archives), failed (jobs) or dropped (parts), with a note.
  void load_blobs(std::vector<std::string>& notes);
  std::vector<nlohmann::json> current_records(std::vector<std::string>& blobs) const;
  /// Refuses a retrieval the data retrieval policy or the capacity does not allow.
  void admit_retrieval(scope_state& account, const job& j, time_point now);
  /// Counts an admitted retrieval, once its job is journaled.
  void count_retrieval(scope_state& account, const job& j, time_point now);
  /// Removes the blobs of `vault`'s uploads and jobs (the vault is being deleted).
  void drop_vault_blobs(const vault_state& vault);
  /// Puts an upload's parts back after its completion failed (they were moved out).
  void restore_parts(const scope& where, const std::string& vault, const std::string& upload_id,
                     const std::string& whole);
  /// One fewer job serves the bytes of archive `id`; frees its blob when that was the
  /// last one and the archive is gone.
  void release_output(vault_state& vault, const std::string& id);
  void expire_lock(vault_state& vault, time_point now) const;
  void policies_changed(vault_state& vault);
  /// Validates, journals and adds a part; returns the blob of the part it replaced.
  std::optional<std::string> place_part(const scope& where, const std::string& vault,
                                        const std::string& upload_id, std::uint64_t start,
                                        std::uint64_t end, multipart_part part);
  /// True when `blob` is the blob of the part recorded at `start` of the upload.
  bool part_recorded(const scope& where, const std::string& vault, const std::string& upload_id,
                     std::uint64_t start, const std::string& blob) const;
  upload_state& upload_or_throw(vault_state& vault, const std::string& upload_id);
  const upload_state& upload_or_throw(const vault_state& vault, const std::string& upload_id) const;

  const clock& clock_;
  id_generator& ids_;
  const config& config_;
  mutable std::mutex mutex_;
  std::map<scope, scope_state> scopes_;
  std::unordered_map<std::uint64_t, vault_state*> job_owner_;
  std::uint64_t next_sequence_ = 1;
  /// Policy revisions are unique across vaults, so a vault created again under the same
  /// name never matches a parsed copy of its predecessor's policies.
  std::uint64_t next_policy_revision_ = 1;
  std::uint64_t total_archive_bytes_ = 0;
  journal* journal_ = nullptr;
  duration clock_offset_{0};
  std::uint64_t compacted_bytes_ = 0;  ///< the log's size after its last compaction
  std::uint64_t compact_at_ = 0;       ///< the log size that triggers the next compaction
  bool compaction_failed_ = false;     ///< logged once until a compaction succeeds
  /// With a journal: the SHA-256 (hex) of each succeeded inventory job's output, by job
  /// sequence, so its blob can be checked at start-up.
  std::unordered_map<std::uint64_t, std::string> output_hashes_;
};

}  // namespace glacier
