#include "glacier/app.hpp"

#include "glacier/api/glacier_dispatcher.hpp"
#include "glacier/api/job_notifications.hpp"
#include "glacier/faults.hpp"
#include "glacier/http/server.hpp"
#include "glacier/journal.hpp"
#include "glacier/metrics.hpp"
#include "glacier/notifier.hpp"
#include "glacier/scheduler.hpp"
#include "glacier/store.hpp"

namespace glacier {

/// Members in construction order: each part only refers to parts declared before it.
struct application::parts {
  explicit parts(const config& c)
      : cfg(c),
        ids(cfg.seed),
        store(clock, ids, cfg),
        scheduler(clock, store, cfg),
        notifications(cfg, clock),
        faults(cfg.seed),
        services{cfg, clock, ids, store, scheduler, notifications, faults, metrics},
        dispatcher(services),
        server(cfg, dispatcher) {
    scheduler.on_completion(
        [this](const completed_job& done) { api::publish_job_notifications(notifications, done); });
    if (!cfg.data_dir.empty()) restore();
  }

  // Loads the state kept in --data-dir and keeps writing to it; jobs still in progress
  // are scheduled again and the clock gets its recorded offset back.
  void restore() {
    disk = std::make_unique<journal>(cfg.data_dir);
    clock.advance(store.load_journal(*disk));
    for (const auto& timer : store.pending_jobs()) scheduler.schedule(timer);
  }

  config cfg;
  adjustable_clock clock;
  id_generator ids;
  glacier::store store;
  glacier::scheduler scheduler;
  notifier notifications;
  fault_injector faults;
  request_metrics metrics;
  api::services services;
  api::glacier_dispatcher dispatcher;
  http::server server;
  std::unique_ptr<journal> disk;
};

application::application(const config& cfg) : parts_(std::make_unique<parts>(cfg)) {}

application::~application() {
  parts_->scheduler.stop();
}

std::uint16_t application::listen() {
  return parts_->server.listen();
}

int application::run() {
  parts_->scheduler.start();
  parts_->notifications.start();
  parts_->server.run();
  parts_->scheduler.stop();
  parts_->notifications.stop();
  return 0;
}

void application::stop() {
  parts_->server.stop();
}

}  // namespace glacier
