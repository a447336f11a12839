#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "glacier/model/job.hpp"

namespace glacier::api {

/// A job as DescribeJob, ListJobs and job notifications show it: every field of the
/// model, in the model's order, with null where AWS sends null.
nlohmann::ordered_json job_description_json(const job& j);

/// Appends job_description_json(j) to `out` serialised exactly as json_response would
/// serialise it (compact, UTF-8 kept, invalid UTF-8 replaced by U+FFFD), without building
/// the JSON object.
void append_job_description(std::string& out, const job& j);

/// DescribeJob's body: the bytes of append_job_description.
std::string job_description_body(const job& j);

/// ListJobs' body: {"JobList":[descriptions...],"Marker":marker or null}.
std::string job_list_body(const std::vector<job>& jobs, const std::optional<std::string>& marker);

}  // namespace glacier::api
