#pragma once

#include "glacier/api/call.hpp"
#include "glacier/api/dispatcher.hpp"

namespace glacier::api {

/// The dispatcher for the Glacier API and the admin API: parses the target with Boost.URL,
/// routes, runs the pre-checks (version header, account and region), calls the handler
/// and maps every error to Glacier's JSON error format.
class glacier_dispatcher final : public dispatcher {
 public:
  explicit glacier_dispatcher(const api::services& services)
      : services_(services), verify_(services.cfg.auth == "verify") {}

  http::response handle(http::request&& request) override;
  http::response error_response(error_code code, std::string_view message) override;

 private:
  http::response route(http::request& request, std::string& operation, std::string& principal);
  static http::response error_without_id(error_code code, std::string_view message,
                                         error_origin origin);
  void finish(http::response& r, std::string request_id);

  const api::services& services_;
  bool verify_;  ///< --auth verify: signatures are checked
};

/// The (account, region) a request acts in (spec Part 1 §1): "-" is the caller's account,
/// a 12-digit id itself; the region is the SigV4 credential scope's, else the default.
/// Throws InvalidParameterValueException for any other account string.
scope resolve_scope(std::string_view account_segment, std::string_view caller_account,
                    std::string_view region, const config& cfg);

}  // namespace glacier::api
