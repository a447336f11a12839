// Start-up over --data-dir: the journal's bytes are scanned (every record's checksum), its
// records replayed, the blobs the state refers to read and checked against their hashes,
// and the journal compacted. What is dropped, cut or moved aside is logged.
#include <spdlog/spdlog.h>
#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_set>

#include "glacier/aws/tree_hash.hpp"
#include "glacier/store/journal.hpp"
#include "glacier/store/journal_format.hpp"
#include "records.hpp"
#include "state.hpp"

namespace glacier {

namespace {

constexpr const char* recover_hint =
    "start with --recover (GLACIER_MOCK_RECOVER=true, or \"recover\": true in the config "
    "file) to keep every intact record and log what is dropped";

/// The first bytes of a dropped line, printable, for the log.
std::string dropped_excerpt(std::string_view text, std::uint64_t offset, std::uint64_t length) {
  constexpr std::uint64_t shown = 160;
  const auto bytes = text.substr(offset, std::min(length, shown));
  std::string out;
  for (const char raw : bytes) {
    const auto c = static_cast<unsigned char>(raw);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  if (length > shown) out += "...";
  return out;
}

std::string record_type(const nlohmann::json& r) {
  const auto t = r.find("t");
  return t != r.end() && t->is_string() ? t->get<std::string>() : "untyped";
}

/// The sequence of a job record, when it has one.
std::optional<std::uint64_t> job_record_sequence(const nlohmann::json& r) {
  const auto j = r.find("job");
  if (j == r.end() || !j->is_object()) return std::nullopt;
  const auto s = j->find("sequence");
  if (s == j->end() || !s->is_number_unsigned()) return std::nullopt;
  return s->get<std::uint64_t>();
}

/// Why `data` is not the blob it should be, or null when it is.
const char* blob_problem(const std::shared_ptr<const std::string>& data, std::uint64_t size,
                         const std::string& tree_hash_hex) {
  if (!data) return "its file is missing or unreadable";
  if (data->size() != size) return "its file has another size than recorded";
  if (to_hex(tree_hash(*data)) != tree_hash_hex) return "its bytes do not match its tree hash";
  return nullptr;
}

}  // namespace

duration store::load_journal(journal& j, bool recover) {
  std::vector<std::string> notes;  // logged once the lock is released
  duration offset{0};
  {
    std::lock_guard lock(mutex_);
    journal_ = &j;
    const auto path = j.log_path().string();
    if (!j.had_log()) {
      const auto blobs = j.blob_names();
      if (!blobs.empty() && !recover) {
        throw std::runtime_error(path + " is missing, but " + (j.dir() / "blobs").string() +
                                 " holds " + std::to_string(blobs.size()) +
                                 " files: refusing to start without it; " + recover_hint +
                                 " (the files are moved to lost+found/)");
      }
    }
    const auto text = j.read_log();
    const auto scanned = journal_format::scan(text);
    const auto refuse = [&](std::uint64_t at, const std::string& what) {
      throw std::runtime_error(path + " is damaged at byte " + std::to_string(at) + " (" + what +
                               "): refusing to start; " + recover_hint);
    };
    if (!scanned.damaged.empty() && !recover) {
      const auto& first = scanned.damaged.front();
      const auto more = scanned.damaged.size() - 1;
      refuse(first.offset,
             first.what +
                 (more ? "; " + std::to_string(more) + " more damaged line(s) after it" : ""));
    }
    for (const auto& d : scanned.damaged) {
      notes.push_back("--recover: dropped " + std::to_string(d.length) + " bytes at byte " +
                      std::to_string(d.offset) + " of " + path + " (" + d.what +
                      "): " + dropped_excerpt(text, d.offset, d.length));
    }
    for (const auto at : scanned.salvaged) {
      notes.push_back("--recover: kept the intact record at byte " + std::to_string(at) + " of " +
                      path + ", found after a torn one in a damaged line");
    }
    if (scanned.torn_tail) {
      notes.push_back("cut the torn tail of " + path + ": " +
                      std::to_string(scanned.torn_tail->length) + " bytes at byte " +
                      std::to_string(scanned.torn_tail->offset) + " (" + scanned.torn_tail->what +
                      ", never acknowledged)");
    }

    std::vector<std::pair<std::uint64_t, nlohmann::json>> parsed;
    parsed.reserve(scanned.records.size());
    for (const auto& found : scanned.records) {
      auto r = nlohmann::json::parse(found.json, nullptr, false);
      if (r.is_discarded() || !r.is_object()) {
        if (!recover) refuse(found.offset, "a record that is not a JSON object");
        notes.push_back(
            "--recover: dropped the record at byte " + std::to_string(found.offset) + " of " +
            path + " (not a JSON object): " + dropped_excerpt(found.json, 0, found.json.size()));
        continue;
      }
      parsed.emplace_back(found.offset, std::move(r));
    }
    // A purged job's record comes before its purge, and its inventory blob is gone: such
    // jobs are skipped rather than loaded and dropped again.
    std::unordered_set<std::uint64_t> purged;
    for (const auto& [at, r] : parsed) {
      const auto sequence = r.find("seq");
      if (record_type(r) == "job_purged" && sequence != r.end() && sequence->is_number_unsigned())
        purged.insert(sequence->get<std::uint64_t>());
    }
    for (const auto& [at, r] : parsed) {
      try {
        if (record_type(r) == "job") {
          const auto sequence = job_record_sequence(r);
          if (sequence && purged.contains(*sequence)) {
            replay_admission(r);  // a purged job's retrieval still counts for a day
            continue;
          }
        }
        replay(r);
      } catch (const std::exception&) {
        // The library's own text ("key 'size' not found") names neither file nor offset.
        const auto what =
            "a '" + record_type(r) + "' record with a missing, mistyped or invalid field";
        if (!recover) refuse(at, what);
        notes.push_back("--recover: dropped the record at byte " + std::to_string(at) + " of " +
                        path + " (" + what + "): " + dropped_excerpt(r.dump(), 0, 1 << 20));
      }
    }
    load_blobs(notes);
    total_archive_bytes_ = 0;
    for (const auto& [where, account] : scopes_) {
      for (const auto& [name, vault] : account.vaults) {
        total_archive_bytes_ += vault->archive_bytes;
        for (const auto& [sequence, upload] : vault->uploads) total_archive_bytes_ += upload.bytes;
      }
    }

    std::vector<std::string> blobs;
    try {
      j.rewrite(current_records(blobs));
    } catch (const journal_write_error& e) {
      // A full disk must not keep the server from starting: DeleteArchive is the way out.
      notes.push_back("cannot compact " + path + " at start (" + e.what() +
                      "): appending to it as it is" +
                      (scanned.damaged.empty() ? "" : "; its damaged lines stay until it can"));
      if (scanned.torn_tail) j.truncate_log(scanned.complete_length);
    }
    compacted_bytes_ = j.stats().journal_bytes;
    compact_at_ =
        std::max<std::uint64_t>(1 << 20, compacted_bytes_ * config_.journal_compact_factor);
    const auto moved = j.move_blobs_except(std::set<std::string>(blobs.begin(), blobs.end()));
    if (!moved.empty()) {
      std::string names;
      for (std::size_t i = 0; i < moved.size() && i < 20; ++i) names += " " + moved[i];
      notes.push_back(
          "moved " + std::to_string(moved.size()) + " file(s) that no record refers to into " +
          (j.dir() / "lost+found").string() + ":" + names + (moved.size() > 20 ? " ..." : ""));
    }
    offset = clock_offset_;
  }
  for (const auto& note : notes) spdlog::warn("{}", note);
  return offset;
}

void store::load_blobs(std::vector<std::string>& notes) {
  for (auto& [where, account] : scopes_) {
    for (auto& [name, held] : account.vaults) {
      auto& vault = *held;
      for (auto& [sequence, a] : vault.archives) {
        auto data = journal_->read_blob(records::archive_blob(a.id));
        if (const auto* problem = blob_problem(data, a.size, a.tree_hash)) {
          notes.push_back("archive " + a.id + " of " + vault.arn + " is damaged (" + problem +
                          "): it stays listed, but is never served");
          a.damaged = true;
          a.data = std::make_shared<const std::string>();
        } else {
          a.data = std::move(data);
        }
      }

      std::vector<std::uint64_t> succeeded;
      vault.jobs.visit(0, job_filter{std::nullopt, job_status::succeeded},
                       [&](std::uint64_t sequence, const detail::stored_job&) {
                         succeeded.push_back(sequence);
                         return true;
                       });
      // Bytes of deleted archives that succeeded jobs still serve, read once per archive.
      std::unordered_map<std::string, std::shared_ptr<const std::string>> kept_outputs;
      for (const auto sequence : succeeded) {
        auto* stored = vault.jobs.find(sequence);
        const auto id = detail::stored_job_id(sequence, *stored, ids_);
        std::shared_ptr<const std::string> output;
        std::string problem;
        if (stored->action == job_action::inventory_retrieval) {
          output = journal_->read_blob(records::inventory_blob(id));
          const auto hash = output_hashes_.find(sequence);
          if (!output) {
            problem = "its output file is missing or unreadable";
          } else if (hash != output_hashes_.end() && to_hex(sha256(*output)) != hash->second) {
            problem = "its output file does not match its SHA-256";
          }
        } else if (stored->action == job_action::archive_retrieval) {
          const auto* d = stored->details.get();
          if (!d || !d->archive_id) {
            problem = "it names no archive";
          } else if (const auto a = vault.archive_index.find(*d->archive_id);
                     a != vault.archive_index.end()) {
            const auto& held_archive = vault.archives.at(a->second);
            if (held_archive.damaged) {
              problem = "its archive is damaged";
            } else {
              output = held_archive.data;
            }
          } else {
            auto& kept = kept_outputs[*d->archive_id];
            if (!kept) kept = journal_->read_blob(records::archive_blob(*d->archive_id));
            if (const auto* p = blob_problem(kept, d->archive_size, d->archive_tree_hash)) {
              problem = std::string("the deleted archive's bytes it serves are damaged: ") + p;
            } else {
              output = kept;
            }
          }
          if (problem.empty()) ++vault.output_refs[*d->archive_id];
        } else {
          continue;  // a select job's output is not kept on disk
        }
        if (problem.empty()) {
          stored->output = std::move(output);
          continue;
        }
        notes.push_back("job " + id + " of " + vault.arn + " now ends Failed: " + problem);
        stored->output.reset();
        stored->details_or_new().status_message =
            "The job's output could not be read back from disk: " + problem;
        vault.jobs.set_status(sequence, job_status::failed);
        output_hashes_.erase(sequence);
      }

      for (auto& [upload_sequence, upload] : vault.uploads) {
        for (const auto& [index, size] : upload.pending_sizes) {
          auto& part = upload.parts.at(index);
          const auto start = index * upload.info.part_size;
          const auto hash = to_hex(part.tree_hash);
          auto data = journal_->read_blob(records::part_blob(upload.info.id, start, hash));
          if (const auto* problem = blob_problem(data, size, hash)) {
            notes.push_back("the part at byte " + std::to_string(start) + " of upload " +
                            upload.info.id + " in " + vault.arn + " is damaged (" + problem +
                            "): dropped, it must be uploaded again");
            upload.parts.erase(index);
            upload.bytes -= size;
          } else {
            part.data = std::move(data);
          }
        }
        upload.pending_sizes.clear();
        // A part recorded without bytes (only a damaged, re-checksummed record does that).
        std::erase_if(upload.parts, [](const auto& entry) { return !entry.second.data; });
      }
    }
  }
}

}  // namespace glacier
