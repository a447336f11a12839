#pragma once

#include <nlohmann/json.hpp>

#include "glacier/http/message.hpp"

namespace glacier::api {

/// A response with a JSON body (Content-Type application/json).
http::response json_response(unsigned status, const nlohmann::ordered_json& body);

/// A response with no body.
http::response empty_response(unsigned status);

}  // namespace glacier::api
