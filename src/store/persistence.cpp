// The durable half of glacier::store (--data-dir): state changes go to the journal before
// they become visible; the journal's records are replayed at start-up (loading.cpp).
#include <algorithm>
#include <stdexcept>

#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/error.hpp"
#include "glacier/store/journal.hpp"
#include "records.hpp"
#include "refused_write.hpp"
#include "state.hpp"

namespace glacier {

void store::record(const nlohmann::json& r, bool state_ahead, bool frees_space) {
  if (!journal_) return;
  // Compaction writes the state in memory, so only while memory holds what the journal
  // holds: before the record of a change still to be applied, after that of one applied
  // ahead of it (which must not reach the log unless its own append succeeds).
  if (!state_ahead) compact_if_due();
  try {
    journal_->append(r, frees_space);
  } catch (const journal_write_error& e) {
    throw refused_write(e);
  }
  if (state_ahead) compact_if_due();
}

void store::write_blob(const std::string& name, std::string_view data) {
  if (!journal_) return;
  try {
    journal_->write_blob(name, data);
  } catch (const journal_write_error& e) {
    throw refused_write(e);
  }
}

void store::drop_blob(const std::string& name) {
  if (journal_) journal_->remove_blob(name);
}

void store::compact_if_due() {
  if (config_.journal_compact_factor == 0) return;
  const auto length = journal_->stats().journal_bytes;
  if (length < compact_at_) return;
  constexpr std::uint64_t smallest = 1 << 20;  // below this, compaction gains nothing
  try {
    std::vector<std::string> blobs;
    journal_->rewrite(current_records(blobs));
    compacted_bytes_ = journal_->stats().journal_bytes;
    compact_at_ = std::max(smallest, compacted_bytes_ * config_.journal_compact_factor);
  } catch (const journal_write_error&) {
    // The journal logged it; appends go on to the old log, and the next attempt waits
    // until the log has grown as much again.
    compact_at_ = std::max(smallest, length * config_.journal_compact_factor);
  }
}

void store::record_vault_config(const vault_state& vault) {
  if (!journal_) return;
  record({{"t", "vault_config"},
          {"s", records::scope_json(vault.scope)},
          {"vault", vault.name},
          {"access_policy", vault.access_policy ? nlohmann::json(*vault.access_policy) : nullptr},
          {"notifications", records::notifications_json(vault.notifications)},
          {"lock", records::lock_json(vault.lock)},
          {"tags", vault.tags}},
         true);
}

void store::record_account(const scope& where, const scope_state& account) {
  if (!journal_) return;
  nlohmann::json capacity = nlohmann::json::array();
  for (const auto& unit : account.capacity) capacity.push_back(records::capacity_json(unit));
  record({{"t", "account"},
          {"s", records::scope_json(where)},
          {"policy", records::policy_json(account.policy)},
          {"capacity", capacity}},
         true);
}

void store::attach_journal(journal& j) {
  std::lock_guard lock(mutex_);
  journal_ = &j;
}

void store::note_clock_offset(duration offset) {
  std::lock_guard lock(mutex_);
  record({{"t", "clock"}, {"offset_ms", offset.count()}});
  clock_offset_ = offset;
}

void store::replay(const nlohmann::json& r) {
  const std::string type = r.at("t");
  if (type == "clock") {
    clock_offset_ = duration(r.at("offset_ms").get<long long>());
    return;
  }
  // load_journal skips the records of purged jobs before replaying, so the purge records
  // themselves have nothing left to do.
  if (type == "job_purged") return;
  const auto where = records::scope_from(r.at("s"));
  auto& account = scopes_[where];
  if (type == "account") {
    account.policy = records::policy_from(r.at("policy"));
    account.capacity.clear();
    for (const auto& unit : r.at("capacity")) {
      account.capacity.push_back(records::capacity_from(unit));
    }
    if (const auto recent = r.find("recent"); recent != r.end()) {
      account.recent_retrievals.clear();
      for (const auto& entry : *recent) {
        const auto tier = entry.at(2).get<int>();
        if (tier < 0 || tier > 2) throw std::invalid_argument("a tier out of range");
        account.recent_retrievals.push_back({records::time_from(entry.at(0)),
                                             entry.at(1).get<std::uint64_t>(),
                                             static_cast<retrieval_tier>(tier)});
      }
    }
    return;
  }
  if (type == "vault") {
    // CreateVault of an existing vault records nothing, so a second record is damage; replacing
    // the vault would leave job_owner_ pointing into the one it frees.
    if (account.vaults.contains(r.at("name"))) throw std::invalid_argument("a vault created twice");
    auto vault = std::make_unique<vault_state>();
    vault->scope = where;
    vault->name = r.at("name");
    vault->arn = where.vault_arn(vault->name);
    vault->creation_date = records::time_from(r.at("created"));
    account.vaults[vault->name] = std::move(vault);
    return;
  }
  const std::string vault_name = r.contains("name") ? r.at("name") : r.at("vault");
  const auto found = account.vaults.find(vault_name);
  if (found == account.vaults.end()) return;  // a record of a vault deleted later
  auto& vault = *found->second;
  if (type == "vault_deleted") {
    forget_jobs(vault);
    account.vaults.erase(found);
  } else if (type == "archive") {
    // Its bytes are read once every record is replayed (load_blobs): an archive deleted
    // later needs none.
    auto a = records::archive_from(r.at("archive"));
    const std::uint64_t sequence = r.at("seq");
    vault.archive_bytes += a.size;
    vault.archive_index[a.id] = sequence;
    vault.archives[sequence] = std::move(a);
    ++vault.archives_version;
    next_sequence_ = std::max(next_sequence_, sequence + 1);
  } else if (type == "archive_deleted") {
    const auto it = vault.archive_index.find(r.at("id"));
    if (it == vault.archive_index.end()) return;
    vault.archive_bytes -= vault.archives.at(it->second).size;
    vault.archives.erase(it->second);
    vault.archive_index.erase(it);
    ++vault.archives_version;
  } else if (type == "job") {
    // Its output is attached by load_blobs, from the archive or the blob it was saved in.
    auto j = records::job_from(r.at("job"));
    // A job's later records (its completion, say) name the vault of its first; one naming another
    // vault is damage, which would otherwise leave the job in two vaults.
    if (const auto owner = job_owner_.find(j.sequence);
        owner != job_owner_.end() && owner->second != &vault) {
      throw std::invalid_argument("a job recorded in two vaults");
    }
    if (r.contains("admitted")) count_retrieval(account, j, j.creation_date);
    if (const auto hash = r.find("output_hash"); hash != r.end()) {
      output_hashes_[j.sequence] = hash->get<std::string>();
    }
    job_owner_[j.sequence] = &vault;
    next_sequence_ = std::max(next_sequence_, j.sequence + 1);
    auto stored = detail::compact(j, ids_);
    // A job of an earlier run with another id key keeps its id, found through this index.
    if (stored.details && !stored.details->id.empty()) vault.jobs.foreign_ids[j.id] = j.sequence;
    vault.jobs.replace(j.sequence, std::move(stored));
  } else if (type == "upload") {
    upload_state upload;
    upload.info = records::upload_from(r.at("upload"));
    const std::uint64_t sequence = r.at("seq");
    vault.upload_index[upload.info.id] = sequence;
    vault.uploads[sequence] = std::move(upload);
    next_sequence_ = std::max(next_sequence_, sequence + 1);
  } else if (type == "part") {
    const auto it = vault.upload_index.find(r.at("upload"));
    if (it == vault.upload_index.end()) return;
    auto& upload = vault.uploads.at(it->second);
    const std::uint64_t start = r.at("start");
    const std::string hash = r.at("hash");
    const std::uint64_t part_size = upload.info.part_size;
    if (part_size == 0) throw std::invalid_argument("an upload with part size 0");
    const auto index = start / part_size;
    multipart_part part;
    if (!from_hex(hash, part.tree_hash)) throw std::invalid_argument("a part hash that is not hex");
    auto& slot = upload.parts[index];
    const auto pending = upload.pending_sizes.find(index);
    const std::uint64_t replaced = pending != upload.pending_sizes.end() ? pending->second
                                   : slot.data                           ? slot.data->size()
                                                                         : 0;
    std::uint64_t size = 0;
    if (const auto recorded = r.find("size"); recorded != r.end()) {
      size = recorded->get<std::uint64_t>();  // the bytes are read by load_blobs
      upload.pending_sizes[index] = size;
    } else {
      // A journal from before part sizes were recorded: its part blobs are all kept.
      part.data = journal_->read_blob(records::part_blob(upload.info.id, start, hash));
      if (!part.data) throw std::invalid_argument("a part whose blob is missing");
      size = part.data->size();
      upload.pending_sizes.erase(index);
    }
    upload.bytes = upload.bytes - replaced + size;
    slot = std::move(part);
  } else if (type == "upload_done") {
    const std::string id = r.at("upload");
    if (const auto stored = r.find("stored"); stored != r.end()) {
      // CompleteMultipartUpload's one record: the upload's end and its archive together.
      auto a = records::archive_from(*stored);
      const std::uint64_t sequence = r.at("seq");
      vault.archive_bytes += a.size;
      vault.archive_index[a.id] = sequence;
      vault.archives[sequence] = std::move(a);
      ++vault.archives_version;
      next_sequence_ = std::max(next_sequence_, sequence + 1);
    }
    if (const auto it = vault.upload_index.find(id); it != vault.upload_index.end()) {
      vault.uploads.erase(it->second);
      vault.upload_index.erase(it);
    }
    if (r.at("archive").is_null()) {
      vault.aborted_uploads.insert(id);
    } else {
      vault.completed_uploads[id] = r.at("archive").get<std::string>();
    }
  } else if (type == "vault_config") {
    vault.access_policy = r.at("access_policy").is_null()
                              ? std::nullopt
                              : std::optional<std::string>(r.at("access_policy"));
    vault.notifications = records::notifications_from(r.at("notifications"));
    vault.lock = records::lock_from(r.at("lock"));
    vault.tags = r.at("tags").get<vault_tags>();
    policies_changed(vault);
  }
}

void store::replay_admission(const nlohmann::json& r) {
  if (!r.contains("admitted")) return;
  const auto j = records::job_from(r.at("job"));
  count_retrieval(scopes_[records::scope_from(r.at("s"))], j, j.creation_date);
}

std::vector<nlohmann::json> store::current_records(std::vector<std::string>& blobs) const {
  std::vector<nlohmann::json> out;
  if (clock_offset_.count() != 0)
    out.push_back({{"t", "clock"}, {"offset_ms", clock_offset_.count()}});
  for (const auto& [where, account] : scopes_) {
    const auto s = records::scope_json(where);
    nlohmann::json capacity = nlohmann::json::array();
    for (const auto& unit : account.capacity) capacity.push_back(records::capacity_json(unit));
    // The last day's retrievals, which the policy and capacity checks count; retrievals
    // journaled after this come back from their jobs' "admitted" records.
    nlohmann::json recent = nlohmann::json::array();
    for (const auto& r : account.recent_retrievals) {
      recent.push_back({records::time_json(r.started), r.bytes, static_cast<int>(r.tier)});
    }
    out.push_back({{"t", "account"},
                   {"s", s},
                   {"policy", records::policy_json(account.policy)},
                   {"capacity", capacity},
                   {"recent", std::move(recent)}});
    for (const auto& [name, vault] : account.vaults) {
      out.push_back({{"t", "vault"},
                     {"s", s},
                     {"name", name},
                     {"created", records::time_json(vault->creation_date)}});
      for (const auto& [sequence, a] : vault->archives) {
        out.push_back({{"t", "archive"},
                       {"s", s},
                       {"vault", name},
                       {"seq", sequence},
                       {"archive", records::archive_json(a)}});
        blobs.push_back(records::archive_blob(a.id));
      }
      const auto& state = *vault;  // a lambda cannot capture a structured binding (clang 14)
      state.jobs.visit(0, {}, [&](std::uint64_t sequence, const detail::stored_job& stored) {
        const auto j = detail::materialize(sequence, stored, state.name, state.arn, ids_);
        nlohmann::json r{
            {"t", "job"}, {"s", s}, {"vault", state.name}, {"job", records::job_json(j)}};
        if (j.status == job_status::succeeded &&
            j.parameters.action == job_action::inventory_retrieval) {
          blobs.push_back(records::inventory_blob(j.id));
          if (const auto hash = output_hashes_.find(sequence); hash != output_hashes_.end()) {
            r["output_hash"] = hash->second;
          }
        } else if (j.status == job_status::succeeded && j.output &&
                   !state.archive_index.contains(*j.parameters.archive_id)) {
          // The archive is gone but the job's output is still served until it is purged.
          r["output_blob"] = records::archive_blob(*j.parameters.archive_id);
          blobs.push_back(records::archive_blob(*j.parameters.archive_id));
        }
        out.push_back(std::move(r));
        return true;
      });
      for (const auto& [sequence, u] : vault->uploads) {
        out.push_back({{"t", "upload"},
                       {"s", s},
                       {"vault", name},
                       {"seq", sequence},
                       {"upload", records::upload_json(u.info)}});
        for (const auto& [index, part] : u.parts) {
          const auto start = index * u.info.part_size;
          const auto hash = to_hex(part.tree_hash);
          out.push_back({{"t", "part"},
                         {"s", s},
                         {"vault", name},
                         {"upload", u.info.id},
                         {"start", start},
                         {"hash", hash},
                         {"size", u.size_of(index, part)}});
          blobs.push_back(records::part_blob(u.info.id, start, hash));
        }
      }
      // Completing or aborting one of these again answers as the first time did.
      for (const auto& [upload, archive_id] : vault->completed_uploads) {
        out.push_back({{"t", "upload_done"},
                       {"s", s},
                       {"vault", name},
                       {"upload", upload},
                       {"archive", archive_id}});
      }
      for (const auto& upload : vault->aborted_uploads) {
        out.push_back({{"t", "upload_done"},
                       {"s", s},
                       {"vault", name},
                       {"upload", upload},
                       {"archive", nullptr}});
      }
      out.push_back({{"t", "vault_config"},
                     {"s", s},
                     {"vault", name},
                     {"access_policy",
                      vault->access_policy ? nlohmann::json(*vault->access_policy) : nullptr},
                     {"notifications", records::notifications_json(vault->notifications)},
                     {"lock", records::lock_json(vault->lock)},
                     {"tags", vault->tags}});
    }
  }
  return out;
}

}  // namespace glacier
