#pragma once

#include "glacier/api/call.hpp"
#include "glacier/api/dispatcher.hpp"

namespace glacier::api {

/// The dispatcher for the Glacier API and the admin API: parses the target with Boost.URL,
/// routes, runs the pre-checks (version header, account and region), calls the handler
/// and maps every error to Glacier's JSON error format.
class glacier_dispatcher final : public dispatcher {
 public:
  explicit glacier_dispatcher(const api::services& services) : services_(services) {}

  http::response handle(http::request&& request) override;
  http::response error_response(error_code code, std::string_view message) override;

 private:
  http::response route(http::request& request, std::string& operation);
  static http::response error_without_id(error_code code, std::string_view message);
  void finish(http::response& r, std::string request_id);

  const api::services& services_;
};

/// The caller's (account, region) (spec Part 1 §1): "-" is the access key id when it is
/// 12 digits, else the default account; the region comes from the SigV4 credential scope.
/// Throws InvalidParameterValueException for any other account string.
scope resolve_scope(std::string_view account_segment, const http::header_map& headers,
                    const config& cfg);

}  // namespace glacier::api
