// The multipart-upload half of glacier::store.
#include <charconv>

#include "glacier/core/error.hpp"
#include "records.hpp"
#include "state.hpp"

namespace glacier {

namespace {

[[noreturn]] void throw_upload_not_found(const std::string& id) {
  throw error(error_code::resource_not_found, "The upload ID was not found: " + id);
}

std::string range_text(std::uint64_t start, std::uint64_t end) {
  return std::to_string(start) + "-" + std::to_string(end);
}

}  // namespace

store::upload_state& store::upload_or_throw(vault_state& vault, const std::string& upload_id) {
  const auto it = vault.upload_index.find(upload_id);
  if (it == vault.upload_index.end()) throw_upload_not_found(upload_id);
  return vault.uploads.at(it->second);
}

const store::upload_state& store::upload_or_throw(const vault_state& vault,
                                                  const std::string& upload_id) const {
  return const_cast<store*>(this)->upload_or_throw(const_cast<vault_state&>(vault), upload_id);
}

multipart_upload_info store::initiate_upload(const scope& where, const std::string& vault_name,
                                             std::optional<std::string> description,
                                             std::uint64_t part_size) {
  upload_state upload;
  upload.info.id = ids_.upload_id();
  upload.info.description = std::move(description);
  upload.info.creation_date = clock_.now();
  upload.info.part_size = part_size;

  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  upload.info.vault_arn = vault.arn;
  const auto sequence = next_sequence_++;
  if (journal_)
    record({{"t", "upload"},
            {"s", records::scope_json(where)},
            {"vault", vault.name},
            {"seq", sequence},
            {"upload", records::upload_json(upload.info)}});
  vault.upload_index.emplace(upload.info.id, sequence);
  return vault.uploads.emplace(sequence, std::move(upload)).first->second.info;
}

void store::upload_part(const scope& where, const std::string& vault_name,
                        const std::string& upload_id, std::uint64_t start, std::uint64_t end,
                        multipart_part part) {
  // Written before the lock (a part can be 4 GiB); a part that is then refused has its
  // blob removed again, unless it is the same bytes as the part already recorded there.
  const auto blob =
      journal_ ? records::part_blob(upload_id, start, to_hex(part.tree_hash)) : std::string();
  write_blob(blob, *part.data);
  std::optional<std::string> replaced_blob;
  try {
    std::lock_guard lock(mutex_);
    replaced_blob = place_part(where, vault_name, upload_id, start, end, std::move(part));
  } catch (...) {
    if (journal_) {
      std::lock_guard lock(mutex_);
      if (!part_recorded(where, vault_name, upload_id, start, blob)) drop_blob(blob);
    }
    throw;
  }
  if (replaced_blob && *replaced_blob != blob) drop_blob(*replaced_blob);
}

bool store::part_recorded(const scope& where, const std::string& vault_name,
                          const std::string& upload_id, std::uint64_t start,
                          const std::string& blob) const {
  const auto s = scopes_.find(where);
  if (s == scopes_.end()) return false;
  const auto v = s->second.vaults.find(vault_name);
  if (v == s->second.vaults.end()) return false;
  const auto u = v->second->upload_index.find(upload_id);
  if (u == v->second->upload_index.end()) return false;
  const auto& upload = v->second->uploads.at(u->second);
  if (start % upload.info.part_size != 0) return false;
  const auto part = upload.parts.find(start / upload.info.part_size);
  return part != upload.parts.end() &&
         records::part_blob(upload_id, start, to_hex(part->second.tree_hash)) == blob;
}

std::optional<std::string> store::place_part(const scope& where, const std::string& vault_name,
                                             const std::string& upload_id, std::uint64_t start,
                                             std::uint64_t end, multipart_part part) {
  auto& upload = upload_or_throw(vault_or_throw(where, vault_name), upload_id);
  const auto part_size = upload.info.part_size;
  const auto invalid_range = [&](const std::string& why) {
    return error(error_code::invalid_parameter_value,
                 "Invalid Content-Range: bytes " + range_text(start, end) + "/*. " + why);
  };
  if (start % part_size != 0) {
    throw invalid_range("The start must be a multiple of the part size (" +
                        std::to_string(part_size) + " bytes)");
  }
  if (end - start + 1 > part_size) {
    throw invalid_range("A part may not be larger than the part size (" +
                        std::to_string(part_size) + " bytes)");
  }
  const auto index = start / part_size;
  if (index >= max_multipart_parts) {
    // AWS's wording (boto/boto#1478); the part number is the part's 1-based index.
    throw error(error_code::invalid_parameter_value,
                "This is part number " + std::to_string(index + 1) +
                    " for the current multipart upload. It exceeds the limit of " +
                    std::to_string(max_multipart_parts) + " parts.");
  }
  if (upload.completing) {
    throw error(error_code::invalid_parameter_value,
                "The upload is being completed and takes no more parts: " + upload_id);
  }
  const auto size = part.data->size();
  const auto old = upload.parts.find(index);
  const std::uint64_t replaced = old == upload.parts.end() ? 0 : old->second.data->size();
  if (size > replaced) reserve_bytes(size - replaced);
  if (journal_) {
    try {
      record({{"t", "part"},
              {"s", records::scope_json(where)},
              {"vault", vault_name},
              {"upload", upload_id},
              {"start", start},
              {"hash", to_hex(part.tree_hash)},
              {"size", size}});
    } catch (...) {
      if (size > replaced) total_archive_bytes_ -= size - replaced;
      throw;
    }
  }
  if (size < replaced) total_archive_bytes_ -= replaced - size;
  std::optional<std::string> replaced_blob;
  if (journal_ && old != upload.parts.end()) {
    replaced_blob = records::part_blob(upload_id, start, to_hex(old->second.tree_hash));
  }
  upload.bytes = upload.bytes - replaced + size;
  upload.parts[index] = std::move(part);
  return replaced_blob;
}

archive store::complete_upload(const scope& where, const std::string& vault_name,
                               const std::string& upload_id, std::uint64_t archive_size,
                               const digest& expected_tree_hash) {
  std::vector<multipart_part> parts;
  std::optional<std::string> description;
  {
    std::lock_guard lock(mutex_);
    auto& vault = vault_or_throw(where, vault_name);
    if (const auto done = vault.completed_uploads.find(upload_id);
        done != vault.completed_uploads.end()) {
      // Completing again after success answers with the same archive.
      const auto it = vault.archive_index.find(done->second);
      if (it != vault.archive_index.end()) return vault.archives.at(it->second);
    }
    auto& upload = upload_or_throw(vault, upload_id);
    if (upload.completing) {
      throw error(error_code::invalid_parameter_value,
                  "The upload is already being completed: " + upload_id);
    }
    if (archive_size != upload.bytes || archive_size == 0) {
      throw error(error_code::invalid_parameter_value,
                  "Invalid x-amz-archive-size: " + std::to_string(archive_size) +
                      ". The uploaded parts hold " + std::to_string(upload.bytes) + " bytes");
    }
    const auto part_size = upload.info.part_size;
    const auto count = (archive_size + part_size - 1) / part_size;
    std::vector<digest> hashes;
    hashes.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto it = upload.parts.find(i);
      const auto expected = i + 1 < count ? part_size : archive_size - i * part_size;
      if (it == upload.parts.end() || it->second.data->size() != expected) {
        throw error(error_code::invalid_parameter_value,
                    "The uploaded parts do not make up the archive: the part at bytes " +
                        range_text(i * part_size, i * part_size + expected - 1) +
                        " is missing or has the wrong size");
      }
      hashes.push_back(it->second.tree_hash);
    }
    // Part hashes are nodes of the archive's tree, so the root comes from them alone.
    if (tree_hash_root(std::move(hashes)) != expected_tree_hash) {
      throw error(error_code::invalid_parameter_value,
                  "Invalid x-amz-sha256-tree-hash: " + to_hex(expected_tree_hash));
    }
    upload.completing = true;
    description = upload.info.description;
    for (auto& [index, part] : upload.parts) parts.push_back(std::move(part));
  }

  // Assembled outside the lock; each part is released once copied, so memory peaks near
  // one copy of the archive (reserve() does not touch the pages it allocates).
  auto whole = std::make_shared<std::string>();
  whole->reserve(static_cast<std::size_t>(archive_size));
  for (auto& part : parts) {
    whole->append(*part.data);
    part.data.reset();
  }
  auto stored = new_archive(std::move(description), std::move(whole), to_hex(expected_tree_hash));
  const auto blob = journal_ ? records::archive_blob(stored.id) : std::string();
  std::vector<std::string> part_blobs;
  try {
    write_blob(blob, *stored.data);
    std::lock_guard lock(mutex_);
    auto& vault = vault_or_throw(where, vault_name);
    const auto it = vault.upload_index.find(upload_id);
    if (it == vault.upload_index.end()) throw_upload_not_found(upload_id);
    const auto sequence = next_sequence_++;
    // One record for the upload's end and its archive: a crash leaves one or the other.
    if (journal_)
      record({{"t", "upload_done"},
              {"s", records::scope_json(where)},
              {"vault", vault_name},
              {"upload", upload_id},
              {"archive", stored.id},
              {"seq", sequence},
              {"stored", records::archive_json(stored)}});
    const auto& upload = vault.uploads.at(it->second);
    if (journal_) {
      for (const auto& [index, part] : upload.parts) {
        part_blobs.push_back(
            records::part_blob(upload_id, index * upload.info.part_size, to_hex(part.tree_hash)));
      }
    }
    vault.uploads.erase(it->second);
    vault.upload_index.erase(it);
    // The parts' bytes were reserved as they arrived; the archive takes them over.
    place_archive(vault, sequence, stored);
    vault.completed_uploads.emplace(upload_id, stored.id);
  } catch (...) {
    drop_blob(blob);
    restore_parts(where, vault_name, upload_id, *stored.data);
    throw;
  }
  // The archive's blob holds their bytes now.
  for (const auto& name : part_blobs) drop_blob(name);
  return stored;
}

void store::restore_parts(const scope& where, const std::string& vault_name,
                          const std::string& upload_id, const std::string& whole) {
  std::lock_guard lock(mutex_);
  const auto s = scopes_.find(where);
  if (s == scopes_.end()) return;
  const auto v = s->second.vaults.find(vault_name);
  if (v == s->second.vaults.end()) return;
  const auto u = v->second->upload_index.find(upload_id);
  if (u == v->second->upload_index.end()) return;
  auto& upload = v->second->uploads.at(u->second);
  // Each part was released once copied into `whole`; it is cut out of it again.
  const auto part_size = upload.info.part_size;
  for (auto& [index, part] : upload.parts) {
    const auto start = index * part_size;
    if (start >= whole.size()) continue;
    part.data = std::make_shared<const std::string>(
        whole.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(part_size)));
  }
  upload.completing = false;
}

void store::abort_upload(const scope& where, const std::string& vault_name,
                         const std::string& upload_id) {
  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  if (vault.aborted_uploads.contains(upload_id)) return;
  if (vault.completed_uploads.contains(upload_id)) {
    throw error(error_code::invalid_parameter_value,
                "The upload has been completed and cannot be aborted: " + upload_id);
  }
  const auto it = vault.upload_index.find(upload_id);
  if (it == vault.upload_index.end()) throw_upload_not_found(upload_id);
  const auto& upload = vault.uploads.at(it->second);
  if (upload.completing) {
    throw error(error_code::invalid_parameter_value,
                "The upload is being completed and cannot be aborted: " + upload_id);
  }
  if (journal_)
    record({{"t", "upload_done"},
            {"s", records::scope_json(where)},
            {"vault", vault_name},
            {"upload", upload_id},
            {"archive", nullptr}},
           false, true);
  for (const auto& [index, part] : upload.parts) {
    drop_blob(records::part_blob(upload_id, index * upload.info.part_size, to_hex(part.tree_hash)));
  }
  total_archive_bytes_ -= upload.bytes;
  vault.uploads.erase(it->second);
  vault.upload_index.erase(it);
  vault.aborted_uploads.insert(upload_id);
}

page<multipart_upload_info> store::list_uploads(const scope& where, const std::string& vault_name,
                                                const std::optional<std::string>& marker,
                                                std::size_t limit) const {
  page<multipart_upload_info> result;
  std::lock_guard lock(mutex_);
  const auto& vault = vault_or_throw(where, vault_name);
  auto it = vault.uploads.begin();
  if (marker) {
    const auto found = vault.upload_index.find(*marker);
    if (found == vault.upload_index.end()) {
      throw error(error_code::invalid_parameter_value, "Invalid marker: " + *marker);
    }
    it = vault.uploads.find(found->second);
  }
  for (; it != vault.uploads.end(); ++it) {
    if (result.items.size() == limit) {
      result.marker = it->second.info.id;
      break;
    }
    result.items.push_back(it->second.info);
  }
  return result;
}

std::pair<multipart_upload_info, page<part_info>> store::list_parts(
    const scope& where, const std::string& vault_name, const std::string& upload_id,
    const std::optional<std::string>& marker, std::size_t limit) const {
  std::uint64_t first = 0;
  if (marker) {
    const auto result = std::from_chars(marker->data(), marker->data() + marker->size(), first);
    if (result.ec != std::errc{} || result.ptr != marker->data() + marker->size()) {
      throw error(error_code::invalid_parameter_value, "Invalid marker: " + *marker);
    }
  }
  std::lock_guard lock(mutex_);
  const auto& upload = upload_or_throw(vault_or_throw(where, vault_name), upload_id);
  page<part_info> parts;
  const auto part_size = upload.info.part_size;
  for (auto it = upload.parts.lower_bound(first / part_size); it != upload.parts.end(); ++it) {
    const auto start = it->first * part_size;
    if (parts.items.size() == limit) {
      parts.marker = std::to_string(start);
      break;
    }
    parts.items.push_back(part_info{start, start + upload.size_of(it->first, it->second) - 1,
                                    to_hex(it->second.tree_hash)});
  }
  return {upload.info, std::move(parts)};
}

}  // namespace glacier
