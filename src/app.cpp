#include "glacier/app.hpp"

#include "glacier/api/glacier_dispatcher.hpp"
#include "glacier/api/job_notifications.hpp"
#include "glacier/faults.hpp"
#include "glacier/http/server.hpp"
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
