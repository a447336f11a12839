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

constexpr std::size_t max_vaults_per_scope = 1000;

[[noreturn]] void throw_vault_not_found(const scope& where, const std::string& name) {
  throw error(error_code::resource_not_found, "Vault not found for ARN: " + where.vault_arn(name));
}

}  // namespace

store::store(const clock& clock, id_generator& ids, const config& cfg)
    : clock_(clock), ids_(ids), config_(cfg) {}

store::~store() = default;

store::vault_state& store::vault_or_throw(const scope& where, const std::string& name) {
  const auto s = scopes_.find(where);
  if (s == scopes_.end()) throw_vault_not_found(where, name);
  const auto v = s->second.vaults.find(name);
  if (v == s->second.vaults.end()) throw_vault_not_found(where, name);
  return *v->second;
}

const store::vault_state& store::vault_or_throw(const scope& where, const std::string& name) const {
  return const_cast<store*>(this)->vault_or_throw(where, name);
}

void store::create_vault(const scope& where, const std::string& name) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto& vaults = scopes_[where].vaults;
  if (vaults.contains(name)) return;
  if (vaults.size() >= max_vaults_per_scope) {
    throw error(error_code::limit_exceeded,
                "The maximum number of vaults (1000) has been reached for this account and "
                "region");
  }
  if (journal_)
    record({{"t", "vault"},
            {"s", records::scope_json(where)},
            {"name", name},
            {"created", records::time_json(now)}});
  auto vault = std::make_unique<vault_state>();
  vault->scope = where;
  vault->name = name;
  vault->arn = where.vault_arn(name);
  vault->creation_date = now;
  vaults.emplace(name, std::move(vault));
}

vault_info store::describe_vault(const scope& where, const std::string& name) const {
  std::lock_guard lock(mutex_);
  return vault_or_throw(where, name).info();
}

page<vault_info> store::list_vaults(const scope& where, const std::optional<std::string>& marker,
                                    std::size_t limit) const {
  page<vault_info> result;
  std::lock_guard lock(mutex_);
  const auto s = scopes_.find(where);
  if (s == scopes_.end()) return result;
  const auto& vaults = s->second.vaults;
  auto it = vaults.begin();
  if (marker) {
    const auto slash = marker->rfind('/');
    const std::string after = slash == std::string::npos ? *marker : marker->substr(slash + 1);
    if (!marker->starts_with("arn:aws:glacier:") || slash == std::string::npos) {
      throw error(error_code::invalid_parameter_value, "Invalid marker: " + *marker);
    }
    it = vaults.upper_bound(after);
  }
  for (; it != vaults.end() && result.items.size() < limit; ++it) {
    result.items.push_back(it->second->info());
  }
  if (it != vaults.end() && !result.items.empty()) result.marker = result.items.back().arn;
  return result;
}

void store::delete_vault(const scope& where, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, name);
  if (!vault.archives.empty()) {
    throw error(error_code::invalid_parameter_value,
                "Vault not empty or recently written to: " + vault.arn);
  }
  // One record: its jobs, uploads and settings go with it.
  if (journal_)
    record({{"t", "vault_deleted"}, {"s", records::scope_json(where)}, {"name", name}}, false,
           true);
  drop_vault_blobs(vault);
  forget_jobs(vault);
  for (const auto& [sequence, upload] : vault.uploads) total_archive_bytes_ -= upload.bytes;
  scopes_[where].vaults.erase(name);
}

void store::drop_vault_blobs(const vault_state& vault) {
  if (!journal_) return;
  for (const auto& [sequence, upload] : vault.uploads) {
    for (const auto& [index, part] : upload.parts) {
      drop_blob(records::part_blob(upload.info.id, index * upload.info.part_size,
                                   to_hex(part.tree_hash)));
    }
  }
  // The vault holds no archives: what its jobs still serve is of deleted ones.
  for (const auto& [archive_id, jobs] : vault.output_refs) {
    drop_blob(records::archive_blob(archive_id));
  }
  vault.jobs.visit(0, {}, [&](std::uint64_t sequence, const detail::stored_job& j) {
    if (j.action == job_action::inventory_retrieval && j.completed()) {
      drop_blob(records::inventory_blob(detail::stored_job_id(sequence, j, ids_)));
      output_hashes_.erase(sequence);
    }
    return true;
  });
}

archive store::add_archive(const scope& where, const std::string& vault_name,
                           std::optional<std::string> description,
                           std::shared_ptr<const std::string> data, std::string tree_hash_hex) {
  auto a = new_archive(std::move(description), std::move(data), std::move(tree_hash_hex));
  // The bytes go to disk before the lock is taken: a big archive never stalls other calls.
  const auto blob = journal_ ? records::archive_blob(a.id) : std::string();
  write_blob(blob, *a.data);
  try {
    std::lock_guard lock(mutex_);
    auto& vault = vault_or_throw(where, vault_name);
    reserve_bytes(a.size);
    try {
      insert_archive(vault, a);
    } catch (...) {
      total_archive_bytes_ -= a.size;
      throw;
    }
  } catch (...) {
    drop_blob(blob);  // refused: nothing refers to it
    throw;
  }
  return a;
}

void store::reserve_bytes(std::uint64_t bytes) {
  if (total_archive_bytes_ + bytes > config_.max_total_archive_bytes) {
    throw error(error_code::limit_exceeded,
                "Archive storage is full: holding " + std::to_string(total_archive_bytes_) +
                    " bytes, " + std::to_string(bytes) +
                    " more would exceed max_total_archive_bytes (" +
                    std::to_string(config_.max_total_archive_bytes) + ")");
  }
  total_archive_bytes_ += bytes;
}

archive store::new_archive(std::optional<std::string> description,
                           std::shared_ptr<const std::string> data, std::string tree_hash_hex) {
  archive a;
  a.id = ids_.archive_id();
  a.description = description.value_or("");
  a.creation_date = clock_.now();
  a.size = data->size();
  a.tree_hash = std::move(tree_hash_hex);
  a.data = std::move(data);
  return a;
}

void store::insert_archive(vault_state& vault, const archive& a) {
  const auto sequence = next_sequence_++;
  if (journal_)
    record({{"t", "archive"},
            {"s", records::scope_json(vault.scope)},
            {"vault", vault.name},
            {"seq", sequence},
            {"archive", records::archive_json(a)}});
  place_archive(vault, sequence, a);
}

void store::place_archive(vault_state& vault, std::uint64_t sequence, const archive& a) {
  vault.archive_bytes += a.size;
  vault.archive_index.emplace(a.id, sequence);
  vault.archives.emplace(sequence, a);
  ++vault.archives_version;
}

void store::refuse_other_vaults_archive(const vault_state& vault, const std::string& id) const {
  // Only on the path of an id this vault does not hold: at most the 1000 vaults of each scope.
  for (const auto& [where, account] : scopes_) {
    for (const auto& [name, other] : account.vaults) {
      if (other.get() != &vault && other->archive_index.contains(id)) {
        // AWS names the vault of the request (github.com/vsespb/mt-aws-glacier/issues/32).
        throw error(error_code::invalid_parameter_value, "Invalid vault name: " + vault.arn);
      }
    }
  }
}

void store::delete_archive(const scope& where, const std::string& vault_name,
                           const std::string& id) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  const auto it = vault.archive_index.find(id);
  if (it == vault.archive_index.end()) {
    refuse_other_vaults_archive(vault, id);
    return;  // idempotent
  }
  if (journal_)
    record({{"t", "archive_deleted"},
            {"s", records::scope_json(where)},
            {"vault", vault_name},
            {"id", id}},
           false, true);
  const auto a = vault.archives.find(it->second);
  vault.archive_bytes -= a->second.size;
  total_archive_bytes_ -= a->second.size;
  vault.archives.erase(a);
  vault.archive_index.erase(it);
  ++vault.archives_version;
  // Succeeded jobs serving its bytes keep the blob until the last of them is purged.
  if (journal_ && !vault.output_refs.contains(id)) drop_blob(records::archive_blob(id));
}

void store::release_output(vault_state& vault, const std::string& id) {
  const auto refs = vault.output_refs.find(id);
  if (refs == vault.output_refs.end()) return;
  if (--refs->second > 0) return;
  vault.output_refs.erase(refs);
  if (!vault.archive_index.contains(id)) drop_blob(records::archive_blob(id));
}

}  // namespace glacier
