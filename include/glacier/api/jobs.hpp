#pragma once

#include "glacier/api/call.hpp"

namespace glacier::api {

/// POST /{account}/vaults/{vault}/jobs
http::response initiate_job(call& c);
/// GET /{account}/vaults/{vault}/jobs/{job_id}
http::response describe_job(call& c);
/// GET /{account}/vaults/{vault}/jobs/{job_id}/output
http::response get_job_output(call& c);
/// GET /{account}/vaults/{vault}/jobs
http::response list_jobs(call& c);

}  // namespace glacier::api
