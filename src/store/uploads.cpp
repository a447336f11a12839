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
  vault.upload_index.emplace(upload.info.id, sequence);
  if (journal_)
    record({{"t", "upload"},
            {"s", records::scope_json(where)},
            {"vault", vault.name},
            {"seq", sequence},
            {"upload", records::upload_json(upload.info)}});
  return vault.uploads.emplace(sequence, std::move(upload)).first->second.info;
}

void store::upload_part(const scope& where, const std::string& vault_name,
                        const std::string& upload_id, std::uint64_t start, std::uint64_t end,
                        multipart_part part) {
  // Written before the lock (a part can be 4 GiB); a part that is then refused leaves an
  // unreferenced blob, which the next start-up's compaction removes.
  const auto hash_hex = to_hex(part.tree_hash);
  write_blob(records::part_blob(upload_id, start, hash_hex), *part.data);
  std::lock_guard lock(mutex_);
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
  if (size < replaced) total_archive_bytes_ -= replaced - size;
  upload.bytes = upload.bytes - replaced + size;
  upload.parts[index] = std::move(part);
  if (journal_)
    record({{"t", "part"},
            {"s", records::scope_json(where)},
            {"vault", vault_name},
            {"upload", upload_id},
            {"start", start},
            {"hash", hash_hex}});
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
  write_blob(records::archive_blob(stored.id), *stored.data);

  std::lock_guard lock(mutex_);
  auto& vault = vault_or_throw(where, vault_name);
  const auto it = vault.upload_index.find(upload_id);
  if (it == vault.upload_index.end()) throw_upload_not_found(upload_id);
  vault.uploads.erase(it->second);
  vault.upload_index.erase(it);
  // The parts' bytes were reserved as they arrived; the archive takes them over.
  insert_archive(vault, stored);
  vault.completed_uploads.emplace(upload_id, stored.id);
  if (journal_)
    record({{"t", "upload_done"},
            {"s", records::scope_json(where)},
            {"vault", vault_name},
            {"upload", upload_id},
            {"archive", stored.id}});
  return stored;
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
  total_archive_bytes_ -= upload.bytes;
  vault.uploads.erase(it->second);
  vault.upload_index.erase(it);
  vault.aborted_uploads.insert(upload_id);
  if (journal_)
    record({{"t", "upload_done"},
            {"s", records::scope_json(where)},
            {"vault", vault_name},
            {"upload", upload_id},
            {"archive", nullptr}});
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
    parts.items.push_back(
        part_info{start, start + it->second.data->size() - 1, to_hex(it->second.tree_hash)});
  }
  return {upload.info, std::move(parts)};
}

}  // namespace glacier
