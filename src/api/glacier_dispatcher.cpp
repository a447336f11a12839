#include "glacier/api/glacier_dispatcher.hpp"

#include <spdlog/spdlog.h>
#include <boost/url/parse.hpp>

#include "glacier/api/access_control.hpp"
#include "glacier/api/admin.hpp"
#include "glacier/api/authentication.hpp"
#include "glacier/api/router.hpp"
#include "glacier/auth/actions.hpp"
#include "glacier/auth/callers.hpp"
#include "glacier/auth/sigv4_fields.hpp"
#include "glacier/core/faults.hpp"
#include "glacier/core/metrics.hpp"

namespace glacier::api {

namespace {

constexpr std::string_view api_version = "2012-06-01";

void check_version(const http::header_map& headers) {
  const auto it = headers.find("x-amz-glacier-version");
  if (it == headers.end()) {
    throw error(error_code::missing_parameter_value, "Required parameter missing: API version");
  }
  if (it->second != api_version) {
    throw error(error_code::invalid_parameter_value,
                "Invalid API version: " + it->second + ". The supported version is 2012-06-01");
  }
}

}  // namespace

scope resolve_scope(std::string_view account_segment, std::string_view caller_account,
                    std::string_view region, const config& cfg) {
  scope s;
  s.region = region.empty() ? cfg.default_region : std::string(region);
  if (account_segment == "-") {
    s.account = std::string(caller_account);
  } else if (auth::is_account_id(account_segment)) {
    s.account = std::string(account_segment);
  } else {
    throw error(error_code::invalid_parameter_value,
                "Invalid account ID: " + std::string(account_segment) +
                    ". Use - or a 12-digit account ID without hyphens");
  }
  return s;
}

http::response glacier_dispatcher::route(http::request& request, std::string& operation,
                                         std::string& principal) {
  const auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) {
    throw error(error_code::invalid_parameter_value,
                "Malformed request target: " + request.target.substr(0, 256));
  }
  const boost::urls::url_view url = *parsed;
  std::vector<std::string> segments;
  for (auto segment : url.segments()) segments.push_back(std::move(segment));

  const bool admin = !segments.empty() && segments.front() == "_mock";
  // Built only when a request is refused, so served requests never pay for the string.
  const auto no_operation = [&] {
    return error(error_code::resource_not_found,
                 "No operation matches " + request.method + " " + std::string(url.encoded_path()));
  };
  // With --admin false the whole /_mock/ surface is an unknown path, so a port others can
  // reach tells them nothing of it, and no /_mock/ path reaches a Glacier route either.
  if (admin && !services_.cfg.admin) throw no_operation();
  const auto& table = admin ? admin_routes() : glacier_routes();
  auto match = table.match(request.method, segments, url);
  if (!match.matched) {
    if (match.path_known) {
      throw error(
          error_code::method_not_allowed,
          "The method " + request.method + " is not allowed on " + std::string(url.encoded_path()));
    }
    throw no_operation();
  }
  operation = match.matched->operation;
  call c{services_, request, url, scope{}, std::move(match.parameters)};
  if (admin) return match.matched->fn(c);
  // Authentication, then the account in the path, then the vault's policies: the order
  // AWS's answers suggest (spec Part 3A.5), all before the operation's own checks.
  const auto signer = auth::read_sigv4_fields(request.headers, url);
  c.caller = verify_ ? authenticate(c, signer) : services_.callers.resolve(signer.access_key_id);
  principal = c.caller.arn;
  check_version(request.headers);
  const auto& account = c.path("account");
  c.scope = resolve_scope(account, c.caller.account, signer.region, services_.cfg);
  // In verify mode another account's vault is reachable only through its access policy;
  // in accept mode every 12-digit account is a namespace of its own (spec Part 1 §1).
  const bool cross_account = verify_ && account != "-" && account != c.caller.account;
  if (services_.cfg.enforce_policies || cross_account) {
    if (const auto action = auth::find_action(operation)) {
      enforce_vault_policies(c, *action, cross_account);
    }
  }
  const auto fault = services_.faults.hit(operation);
  if (!fault) return match.matched->fn(c);
  // An injected error replaces the handler; injected latency delays whatever is sent.
  http::response r =
      fault->error ? error_without_id(*fault->error,
                                      fault->message.empty() ? "Injected fault for " + operation
                                                             : fault->message,
                                      default_origin(*fault->error))
                   : match.matched->fn(c);
  r.delay = fault->latency;
  r.fault = "rule " + std::to_string(fault->rule_id) +
            (fault->error ? std::string(" ") + std::string(map_error(*fault->error).code) : "") +
            (fault->latency.count() ? " +" + std::to_string(fault->latency.count()) + "ms" : "");
  return r;
}

http::response glacier_dispatcher::handle(http::request&& request) {
  const auto started = std::chrono::steady_clock::now();
  auto request_id = services_.ids.request_id();
  std::string operation;
  std::string principal;
  http::response r;
  try {
    r = route(request, operation, principal);
  } catch (const error& e) {
    r = error_without_id(e.code(), e.what(), e.origin());
  } catch (const std::exception& e) {
    // The only catch-all: anything unexpected is a logged 500, never a crash.
    spdlog::error("unexpected error in {} {} ({}): {}", request.method, request.target, operation,
                  e.what());
    r = error_without_id(error_code::service_unavailable,
                         "Internal error: " + std::string(e.what()), error_origin::service);
  }
  r.operation = operation;
  r.principal = std::move(principal);
  finish(r, std::move(request_id));
  services_.metrics.record(operation.empty() ? "Unknown" : operation, r.status,
                           std::chrono::steady_clock::now() - started);
  return r;
}

http::response glacier_dispatcher::error_response(error_code code, std::string_view message) {
  auto r = error_without_id(code, message, default_origin(code));
  finish(r, services_.ids.request_id());
  return r;
}

http::response glacier_dispatcher::error_without_id(error_code code, std::string_view message,
                                                    error_origin origin) {
  http::response r;
  r.status = map_error(code).status;
  r.headers["Content-Type"] = "application/json";
  r.body = error_body(code, message, origin);
  return r;
}

void glacier_dispatcher::finish(http::response& r, std::string request_id) {
  r.headers["x-amzn-RequestId"] = request_id;
  r.headers["Date"] = format_http_date(services_.clk.now());
  r.request_id = std::move(request_id);
}

}  // namespace glacier::api
