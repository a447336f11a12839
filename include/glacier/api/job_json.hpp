#pragma once

#include <nlohmann/json.hpp>

#include "glacier/model/job.hpp"

namespace glacier::api {

/// A job as DescribeJob, ListJobs and job notifications show it: every field of the
/// model, in the model's order, with null where AWS sends null.
nlohmann::ordered_json job_description_json(const job& j);

}  // namespace glacier::api
