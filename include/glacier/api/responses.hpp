#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "glacier/http/message.hpp"

namespace glacier::api {

/// A response with a JSON body (Content-Type application/json).
http::response json_response(unsigned status, const nlohmann::ordered_json& body);

/// A response with a body that is already serialised JSON (Content-Type application/json).
/// A separate name rather than an overload: a string converts to ordered_json as well.
http::response json_text_response(unsigned status, std::string body);

/// A response with no body.
http::response empty_response(unsigned status);

}  // namespace glacier::api
