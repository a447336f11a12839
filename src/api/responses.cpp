#include "glacier/api/responses.hpp"

#include <utility>

namespace glacier::api {

http::response json_response(unsigned status, const nlohmann::ordered_json& body) {
  http::response r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

http::response json_text_response(unsigned status, std::string body) {
  http::response r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = std::move(body);
  return r;
}

http::response empty_response(unsigned status) {
  http::response r;
  r.status = status;
  return r;
}

}  // namespace glacier::api
