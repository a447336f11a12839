#pragma once

#include <vector>

#include "glacier/api/router.hpp"

namespace glacier::api {

/// GET /_mock/health: readiness for Docker HEALTHCHECK and CI.
http::response health(call& c);
/// POST /_mock/reset: clears all state, recorded notifications and fault rules.
http::response reset(call& c);
/// GET /_mock/state[?account=&vault=&limit=]: vaults, archives (metadata), jobs, uploads,
/// policies; `limit` caps the archives, jobs and uploads listed per vault.
http::response state(call& c);
/// GET /_mock/clock: the injected clock's time and its offset from the system clock.
http::response get_clock(call& c);
/// POST /_mock/clock/advance {"seconds": N}: moves the clock; due jobs complete at once.
http::response advance_clock(call& c);
/// POST /_mock/jobs/{job_id}/complete: completes an in-progress job now.
http::response complete_job_now(call& c);
/// POST /_mock/jobs/{job_id}/fail {"message": ".."}: fails an in-progress job now.
http::response fail_job_now(call& c);
/// GET /_mock/jobs/{job_id}/select-output[?key=KEY]: a select job's output objects (their
/// keys, sizes and delivery to S3), or with `key` one object's bytes.
http::response select_output(call& c);
/// GET /_mock/notifications[?limit=]: job notifications (the newest `limit`) and their status.
http::response list_notifications(call& c);
/// POST /_mock/faults: injects an error and/or latency for an operation.
http::response add_fault(call& c);
/// GET /_mock/metrics: Prometheus text format metrics.
http::response metrics(call& c);
/// GET /_mock/faults: the active fault rules.
http::response list_faults(call& c);
/// DELETE /_mock/faults: removes every fault rule.
http::response clear_faults(call& c);
/// DELETE /_mock/faults/{id}: removes one fault rule; 404 when there is none with that id.
http::response remove_fault(call& c);
/// GET /_mock/archives/{archive_id}: the archive's bytes, from whichever vault holds it.
http::response download_archive(call& c);
/// GET /_mock/ui: the web console, one self-contained page embedded in the binary.
http::response console_page(call& c);

/// The admin API's route table (paths under /_mock/, no Glacier pre-checks).
const route_table& admin_routes();

}  // namespace glacier::api
