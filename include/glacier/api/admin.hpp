#pragma once

#include <vector>

#include "glacier/api/router.hpp"

namespace glacier::api {

/// GET /_mock/health: readiness for Docker HEALTHCHECK and CI.
http::response health(call& c);

/// The admin API's route table (paths under /_mock/, no Glacier pre-checks).
const std::vector<route>& admin_routes();

}  // namespace glacier::api
