#pragma once

#include <string>
#include <string_view>

#include "glacier/app/service_parts.hpp"
#include "glacier/core/clock.hpp"

namespace glacier::fuzz {

/// The vault every seed and fixed path uses.
inline constexpr std::string_view vault_name = "examplevault";

/// The api layer as tests/support/api_harness wires it (manual clock, seeded ids, a
/// scheduler whose thread never starts), filled with a vault that holds an archive, a
/// completed archive-retrieval job, an in-progress inventory job, a multipart upload with
/// one part, a notification configuration, tags and an access policy, so inputs reach the
/// deep end of every handler. Built anew for each input: the same bytes always meet the
/// same state, which keeps crashes reproducible.
class world {
 public:
  world();
  world(const world&) = delete;
  world& operator=(const world&) = delete;

  /// Replaces the placeholders {job}, {pending}, {archive}, {upload}, {part_tree},
  /// {archive_tree}, {big_archive} and {big_job} with this world's ids and hashes, and
  /// {tree} / {sha} with the tree hash and SHA-256 of `body`, so seeds can name live
  /// resources and pass checksum checks while the fuzzer mutates everything around them.
  std::string substitute(std::string text, std::string_view body) const;

  /// Adds a 2 MiB + 1000 byte archive ({big_archive}) and a completed retrieval of it
  /// ({big_job}), so ranges and tree-hash alignment have whole megabytes to work with. Not
  /// part of every world: megabyte buffers would slow every input down tenfold.
  void add_big_archive();

  /// Calls add_big_archive() when `input` names {big_archive} or {big_job}.
  void add_big_archive_if_named(std::string_view input);

  /// Dispatches one request (printing both with GLACIER_FUZZ_TRACE set), checks the invariants
  /// every response must keep (see check_response) and completes whatever the scheduler has due.
  http::response send(http::request&& request);

  /// Moves the clock and runs the scheduler, as its thread would.
  void advance(duration by);

  /// Aborts (a libFuzzer crash) when `r` breaks a promise the session relies on: a status
  /// the wire can carry, a shared slice inside its buffer, a Glacier JSON error body for
  /// every 4xx/5xx, valid JSON whenever Content-Type says JSON, header fields Beast can
  /// serialise and a client can parse back, and no 500 from the dispatcher's catch-all.
  void check_response(const http::request& request, const http::response& r) const;

  manual_clock clock;
  service_parts parts;
  /// The fuzzers read these two; the rest of the parts stay behind `parts`.
  config& cfg = parts.cfg;
  api::glacier_dispatcher& dispatcher = parts.dispatcher;

  std::string archive_id;
  std::string job_id;      ///< archive retrieval, completed
  std::string pending_id;  ///< inventory retrieval, in progress
  std::string upload_id;   ///< multipart upload with part 0 uploaded
  std::string archive_tree;
  std::string part_tree;
  std::string big_archive_id;  ///< empty until add_big_archive()
  std::string big_job_id;      ///< archive retrieval of big_archive_id, completed

 private:
  /// GLACIER_FUZZ_TRACE set: every request and its response go to stderr (for seeds).
  bool trace_ = false;

  http::response setup(const std::string& method, const std::string& target, std::string body,
                       http::header_map headers, unsigned expected);
};

/// Silences spdlog and installs a sink that aborts when the dispatcher logs an unexpected
/// exception, unless GLACIER_FUZZ_ALLOW_500 is set in the environment. Call once.
void init_logging();

/// True when something logged at error level (the dispatcher's catch-all, a failing job
/// completion) since the last call; `message` gets the line and the flag is reset.
bool take_unexpected_error(std::string& message);

}  // namespace glacier::fuzz
