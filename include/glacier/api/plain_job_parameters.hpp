#pragma once

#include <string_view>

#include "glacier/api/job_parameters.hpp"

namespace glacier::api {

/// The InitiateJob body as almost every client sends it: one JSON object whose known members
/// are strings (Limit also an integer) or null, InventoryRetrievalParameters an object of
/// such members, anything else ignored. Read with nlohmann's SAX parser straight into `out`,
/// without building a DOM, which was a fifth of the instructions of an InitiateJob.
///
/// Returns false, with `out` to be discarded, for every body outside that shape: malformed
/// JSON, a member of another type, SelectParameters or OutputLocation. The caller then reads
/// the body with read_job_parameters_json, whose answers (the exact SerializationException,
/// or the nested select objects) thereby stay the one definition of what a body means.
bool read_plain_job_parameters(std::string_view body, raw_job_parameters& out);

}  // namespace glacier::api
