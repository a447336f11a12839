#include "glacier/app/service_parts.hpp"

#include "glacier/api/job_json.hpp"
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
      select_jobs(cfg, clock, store, [](const job& j) { return api::job_description_body(j); }),
      notifications(cfg, clock),
      faults(fault_seed),
      callers(cfg),
      services{cfg,    clock,   ids,     store,    scheduler,   notifications,
               faults, metrics, callers, policies, signing_keys},
      dispatcher(services) {
  scheduler.on_completion(
      [this](const completed_job& done) { api::publish_job_notifications(notifications, done); });
  scheduler.on_select([this](select_work work) { select_jobs.submit(std::move(work)); });
  select_jobs.on_finished([this](const completed_job& done) { scheduler.job_finished(done); });
}

}  // namespace glacier
