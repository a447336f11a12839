#pragma once

#include <boost/url/url_view.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glacier/auth/caller.hpp"
#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"
#include "glacier/core/ids.hpp"
#include "glacier/http/message.hpp"
#include "glacier/store/model/scope.hpp"

namespace glacier {
class store;
class scheduler;
class notifier;
class fault_injector;
class request_metrics;
}  // namespace glacier

namespace glacier::auth {
class caller_directory;
class policy_cache;
class signing_key_cache;
}  // namespace glacier::auth

namespace glacier::api {

/// What handlers work with; owned by the application, shared by all requests.
struct services {
  const config& cfg;
  clock& clk;
  id_generator& ids;
  glacier::store& store;
  glacier::scheduler& scheduler;
  glacier::notifier& notifier;
  fault_injector& faults;
  request_metrics& metrics;
  const auth::caller_directory& callers;
  auth::policy_cache& policies;
  auth::signing_key_cache& signing_keys;
};

/// One request on its way through a handler: the request, the scope it acts in, the
/// decoded path parameters and the parsed query.
struct call {
  const api::services& services;
  http::request& request;
  boost::urls::url_view url;
  glacier::scope scope;  ///< resolved account (12 digits) and region
  std::vector<std::pair<std::string_view, std::string>> path_parameters;
  /// The body's SHA-256 once body_sha256() has computed it (checksum_headers.hpp).
  std::optional<digest> body_sha256_cache = std::nullopt;
  auth::caller caller = {};  ///< who sent the request

  /// A decoded `{name}` segment of the route's pattern; empty when absent.
  const std::string& path(std::string_view name) const;
  /// A decoded query parameter, when present.
  std::optional<std::string> query(std::string_view key) const;
  /// A request header's value; empty when absent.
  std::string_view header(std::string_view name) const {
    return http::header_or_empty(request.headers, name);
  }
};

}  // namespace glacier::api
