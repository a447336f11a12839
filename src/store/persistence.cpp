// The durable half of glacier::store (--data-dir): state changes go to the journal as
// they happen; at start-up the journal is replayed and then compacted.
#include <set>
#include <unordered_set>

#include "glacier/store/journal.hpp"
#include "records.hpp"
#include "state.hpp"

namespace glacier {

void store::record(nlohmann::json r) {
  if (journal_) journal_->append(r);
}

void store::write_blob(const std::string& name, std::string_view data) {
  if (journal_) journal_->write_blob(name, data);
}

void store::record_vault_config(const vault_state& vault) {
  if (!journal_) return;
  record({{"t", "vault_config"},
          {"s", records::scope_json(vault.scope)},
          {"vault", vault.name},
          {"access_policy", vault.access_policy ? nlohmann::json(*vault.access_policy) : nullptr},
          {"notifications", records::notifications_json(vault.notifications)},
          {"lock", records::lock_json(vault.lock)},
          {"tags", vault.tags}});
}

void store::record_account(const scope& where, const scope_state& account) {
  if (!journal_) return;
  nlohmann::json capacity = nlohmann::json::array();
  for (const auto& unit : account.capacity) capacity.push_back(records::capacity_json(unit));
  record({{"t", "account"},
          {"s", records::scope_json(where)},
          {"policy", records::policy_json(account.policy)},
          {"capacity", capacity}});
}

void store::attach_journal(journal& j) {
  std::lock_guard lock(mutex_);
  journal_ = &j;
}

void store::note_clock_offset(duration offset) {
  std::lock_guard lock(mutex_);
  clock_offset_ = offset;
  record({{"t", "clock"}, {"offset_ms", offset.count()}});
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
    return;
  }
  if (type == "vault") {
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
    auto a = records::archive_from(r.at("archive"));
    a.data = journal_->read_blob(records::archive_blob(a.id));
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
    auto j = records::job_from(r.at("job"));
    if (j.status == job_status::succeeded) {
      if (const auto blob = r.find("output_blob"); blob != r.end()) {
        j.output = journal_->read_blob(*blob);
      } else if (j.parameters.action == job_action::inventory_retrieval) {
        j.output = journal_->read_blob(records::inventory_blob(j.id));
      } else if (const auto a = vault.archive_index.find(*j.parameters.archive_id);
                 a != vault.archive_index.end()) {
        j.output = vault.archives.at(a->second).data;
      }
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
    multipart_part part;
    part.data = journal_->read_blob(records::part_blob(upload.info.id, start, hash));
    from_hex(hash, part.tree_hash);
    auto& slot = upload.parts[start / upload.info.part_size];
    upload.bytes = upload.bytes - (slot.data ? slot.data->size() : 0) + part.data->size();
    slot = std::move(part);
  } else if (type == "upload_done") {
    const std::string id = r.at("upload");
    if (const auto it = vault.upload_index.find(id); it != vault.upload_index.end()) {
      vault.uploads.erase(it->second);
      vault.upload_index.erase(it);
    }
    if (r.at("archive").is_null()) {
      vault.aborted_uploads.insert(id);
    } else {
      vault.completed_uploads[id] = r.at("archive");
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

std::vector<nlohmann::json> store::current_records(std::vector<std::string>& blobs) const {
  std::vector<nlohmann::json> out;
  if (clock_offset_.count() != 0)
    out.push_back({{"t", "clock"}, {"offset_ms", clock_offset_.count()}});
  for (const auto& [where, account] : scopes_) {
    const auto s = records::scope_json(where);
    nlohmann::json capacity = nlohmann::json::array();
    for (const auto& unit : account.capacity) capacity.push_back(records::capacity_json(unit));
    out.push_back({{"t", "account"},
                   {"s", s},
                   {"policy", records::policy_json(account.policy)},
                   {"capacity", capacity}});
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
                         {"hash", hash}});
          blobs.push_back(records::part_blob(u.info.id, start, hash));
        }
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

duration store::load_journal(journal& j) {
  std::lock_guard lock(mutex_);
  journal_ = &j;
  const auto records = j.records();
  // A purged job's record comes before its purge, and its inventory blob is gone: such
  // jobs are skipped rather than loaded and dropped again.
  std::unordered_set<std::uint64_t> purged;
  for (const auto& r : records) {
    if (r.at("t") == "job_purged") purged.insert(r.at("seq").get<std::uint64_t>());
  }
  for (const auto& r : records) {
    if (r.at("t") == "job" && purged.contains(r.at("job").at("sequence").get<std::uint64_t>())) {
      continue;
    }
    replay(r);
  }
  total_archive_bytes_ = 0;
  for (const auto& [where, account] : scopes_) {
    for (const auto& [name, vault] : account.vaults) {
      total_archive_bytes_ += vault->archive_bytes;
      for (const auto& [sequence, upload] : vault->uploads) total_archive_bytes_ += upload.bytes;
    }
  }
  std::vector<std::string> blobs;
  j.rewrite(current_records(blobs));
  j.remove_blobs_except(std::set<std::string>(blobs.begin(), blobs.end()));
  return clock_offset_;
}

}  // namespace glacier
