#include "glacier/api/admin.hpp"

#include "glacier/api/responses.hpp"

namespace glacier::api {

http::response health(call& c) {
  nlohmann::ordered_json body;
  body["status"] = "ok";
  body["version"] = GLACIER_MOCK_VERSION;
  body["time"] = format_iso8601(c.services.clk.now());
  return json_response(200, body);
}

const std::vector<route>& admin_routes() {
  static const std::vector<route> table{
      {"GET", "/_mock/health", "", "AdminHealth", health},
  };
  return table;
}

}  // namespace glacier::api
