#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "glacier/app/service_parts.hpp"
#include "glacier/core/clock.hpp"

namespace glacier::testing {

/// One MiB, the unit of Glacier's part sizes and tree-hash leaves.
inline constexpr std::uint64_t mib = 1024 * 1024;

/// The harness clock's start, 2024-01-01T00:00:00Z in ms since the epoch: stable dates.
inline constexpr long long start_ms = 1704067200000LL;

/// The whole api layer without sockets: a manual clock, a seeded id generator, the store,
/// a scheduler whose thread is never started (tests call advance()), and the dispatcher.
struct api_harness {
  /// `seed` fixes the generated ids (job ids included); another seed, other ids.
  explicit api_harness(std::uint64_t seed = 42);
  /// A harness over a configuration of the test's own (auth, credentials, enforcement).
  explicit api_harness(const config& settings, std::uint64_t seed = 42);

  /// Sends one request with the version header (unless `with_version` is false).
  http::response send(const std::string& method, const std::string& target, std::string body = "",
                      http::header_map headers = {}, bool with_version = true);
  /// The body of `r` parsed as JSON.
  static nlohmann::json json(const http::response& r);

  /// Creates a vault and checks it answered 201.
  void create_vault(const std::string& name);
  /// Uploads `data` to `vault` with a correct tree hash; returns the archive id.
  std::string upload(const std::string& vault, const std::string& data,
                     const std::string& description = "");
  /// Initiates a job from a JSON body; returns the job id (checks the 202).
  std::string initiate(const std::string& vault, const std::string& body);
  /// DescribeJob as JSON.
  nlohmann::json describe(const std::string& vault, const std::string& job_id);
  /// Moves the clock and completes what is due, as the scheduler thread would; due select
  /// jobs run too, as the select worker would run them.
  std::size_t advance(duration by);

  manual_clock clock;
  /// Owns what the names below refer to; they stay so tests can write h.store and the like.
  service_parts parts;
  config& cfg = parts.cfg;
  id_generator& ids = parts.ids;
  glacier::store& store = parts.store;
  glacier::scheduler& scheduler = parts.scheduler;
  notifier& notifications = parts.notifications;
  fault_injector& faults = parts.faults;
  request_metrics& metrics = parts.metrics;
  api::services& services = parts.services;
  api::glacier_dispatcher& dispatcher = parts.dispatcher;
};

/// `headers` plus the x-amz-content-sha256 that every client sends with an upload's `body`.
http::header_map with_content_sha256(std::string_view body, http::header_map headers = {});

/// A deterministic byte pattern of `n` bytes.
std::string pattern_bytes(std::size_t n, unsigned seed = 0);

}  // namespace glacier::testing
