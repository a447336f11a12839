#include "glacier/app/service_parts.hpp"

#include "glacier/api/job_notifications.hpp"

namespace glacier {

service_parts::service_parts(const config& c, glacier::clock& clk,
                             std::optional<std::uint64_t> id_seed,
                             std::optional<std::uint64_t> fault_seed)
    : cfg(c),
      clock(clk),
      ids(id_seed),
      store(clock, ids, cfg),
      scheduler(clock, store, cfg),
      notifications(cfg, clock),
      faults(fault_seed),
      callers(cfg),
      services{cfg,    clock,   ids,     store,    scheduler,   notifications,
               faults, metrics, callers, policies, signing_keys},
      dispatcher(services) {
  scheduler.on_completion(
      [this](const completed_job& done) { api::publish_job_notifications(notifications, done); });
}

}  // namespace glacier
