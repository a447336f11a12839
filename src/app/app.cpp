#include "glacier/app/app.hpp"

#include "glacier/app/service_parts.hpp"
#include "glacier/http/server.hpp"
#include "glacier/store/journal.hpp"

namespace glacier {

/// Members in construction order: each part only refers to parts declared before it.
struct application::parts {
  explicit parts(const config& c)
      : core(c, clock, c.seed, c.seed), server(core.cfg, core.dispatcher) {
    if (!core.cfg.data_dir.empty()) restore();
  }

  // Loads the state kept in --data-dir and keeps writing to it; jobs still in progress
  // are scheduled again and the clock gets its recorded offset back.
  void restore() {
    disk = std::make_unique<journal>(core.cfg.data_dir, nullptr, core.cfg.disk_reserve_bytes);
    clock.advance(core.store.load_journal(*disk, core.cfg.recover));
    for (const auto& timer : core.store.pending_jobs()) core.scheduler.schedule(timer);
  }

  adjustable_clock clock;
  service_parts core;
  http::server server;
  std::unique_ptr<journal> disk;
};

application::application(const config& cfg) : parts_(std::make_unique<parts>(cfg)) {}

application::~application() {
  parts_->core.scheduler.stop();
  parts_->core.select_jobs.stop();
}

std::uint16_t application::listen() {
  return parts_->server.listen();
}

int application::run() {
  parts_->core.scheduler.start();
  parts_->core.select_jobs.start();
  parts_->core.notifications.start();
  parts_->server.run();
  parts_->core.scheduler.stop();
  parts_->core.select_jobs.stop();
  parts_->core.notifications.stop();
  return 0;
}

void application::stop() {
  parts_->server.stop();
}

}  // namespace glacier
