#pragma once

#include <cstdint>
#include <optional>

#include "glacier/api/glacier_dispatcher.hpp"
#include "glacier/auth/callers.hpp"
#include "glacier/auth/signature_verifier.hpp"
#include "glacier/auth/vault_authorizer.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"
#include "glacier/core/faults.hpp"
#include "glacier/core/ids.hpp"
#include "glacier/core/metrics.hpp"
#include "glacier/jobs/notifier.hpp"
#include "glacier/jobs/scheduler.hpp"
#include "glacier/jobs/select_worker.hpp"
#include "glacier/store/store.hpp"

namespace glacier {

/// The service below the server, wired once for the application, the test harnesses and
/// the fuzzers: store, scheduler, select worker, notifier, fault injector, metrics and the
/// dispatcher, with due select jobs going to the worker and completed jobs publishing their
/// notifications. Nothing is started; the owner decides whether the scheduler, select worker
/// and notifier threads run. The clock is the owner's, declared
/// before this, because the application needs a real clock and the tests a manual one.
struct service_parts {
  /// `id_seed` fixes the generated ids and `fault_seed` the fault injector's dice; either
  /// left empty draws from the system.
  service_parts(const config& c, glacier::clock& clk, std::optional<std::uint64_t> id_seed,
                std::optional<std::uint64_t> fault_seed);
  // The completion listener captures `this`.
  service_parts(const service_parts&) = delete;
  service_parts& operator=(const service_parts&) = delete;

  // Members in construction order: each part only refers to parts declared before it.
  config cfg;
  glacier::clock& clock;
  id_generator ids;
  glacier::store store;
  glacier::scheduler scheduler;
  select_worker select_jobs;
  notifier notifications;
  fault_injector faults;
  request_metrics metrics;
  auth::caller_directory callers;
  auth::policy_cache policies;
  auth::signing_key_cache signing_keys;
  api::services services;
  api::glacier_dispatcher dispatcher;
};

}  // namespace glacier
