#include "glacier/api/glacier_dispatcher.hpp"

#include <spdlog/spdlog.h>
#include <boost/url/parse.hpp>

#include "glacier/api/admin.hpp"
#include "glacier/api/router.hpp"
#include "glacier/core/faults.hpp"
#include "glacier/core/metrics.hpp"

namespace glacier::api {

namespace {

constexpr std::string_view api_version = "2012-06-01";

bool is_account_id(std::string_view text) {
  if (text.size() != 12) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

/// The access key and region of "Credential=AKID/20240101/us-east-1/glacier/aws4_request".
void credential_scope(std::string_view authorization, std::string_view& key,
                      std::string_view& region) {
  const auto at = authorization.find("Credential=");
  if (at == std::string_view::npos) return;
  auto credential = authorization.substr(at + 11);
  credential = credential.substr(0, credential.find_first_of(", "));
  const auto first = credential.find('/');
  if (first == std::string_view::npos) return;
  key = credential.substr(0, first);
  const auto second = credential.find('/', first + 1);
  if (second == std::string_view::npos) return;
  const auto third = credential.find('/', second + 1);
  region = credential.substr(
      second + 1, third == std::string_view::npos ? std::string_view::npos : third - second - 1);
}

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

scope resolve_scope(std::string_view account_segment, const http::header_map& headers,
                    const config& cfg) {
  std::string_view key;
  std::string_view region;
  credential_scope(http::header_or_empty(headers, "Authorization"), key, region);
  scope s;
  s.region = region.empty() ? cfg.default_region : std::string(region);
  if (account_segment == "-") {
    s.account = is_account_id(key) ? std::string(key) : cfg.default_account;
  } else if (is_account_id(account_segment)) {
    s.account = std::string(account_segment);
  } else {
    throw error(error_code::invalid_parameter_value,
                "Invalid account ID: " + std::string(account_segment) +
                    ". Use - or a 12-digit account ID without hyphens");
  }
  return s;
}

http::response glacier_dispatcher::route(http::request& request, std::string& operation) {
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
  check_version(request.headers);
  c.scope = resolve_scope(c.path("account"), request.headers, services_.cfg);
  const auto fault = services_.faults.hit(operation);
  if (!fault) return match.matched->fn(c);
  // An injected error replaces the handler; injected latency delays whatever is sent.
  http::response r = fault->error
                         ? error_without_id(*fault->error, fault->message.empty()
                                                               ? "Injected fault for " + operation
                                                               : fault->message)
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
  http::response r;
  try {
    r = route(request, operation);
  } catch (const error& e) {
    r = error_without_id(e.code(), e.what());
  } catch (const std::exception& e) {
    // The only catch-all: anything unexpected is a logged 500, never a crash.
    spdlog::error("unexpected error in {} {} ({}): {}", request.method, request.target, operation,
                  e.what());
    r = error_without_id(error_code::service_unavailable,
                         "Internal error: " + std::string(e.what()));
  }
  r.operation = operation;
  finish(r, std::move(request_id));
  services_.metrics.record(operation.empty() ? "Unknown" : operation, r.status,
                           std::chrono::steady_clock::now() - started);
  return r;
}

http::response glacier_dispatcher::error_response(error_code code, std::string_view message) {
  auto r = error_without_id(code, message);
  finish(r, services_.ids.request_id());
  return r;
}

http::response glacier_dispatcher::error_without_id(error_code code, std::string_view message) {
  http::response r;
  r.status = map_error(code).status;
  r.headers["Content-Type"] = "application/json";
  r.body = error_body(code, message);
  return r;
}

void glacier_dispatcher::finish(http::response& r, std::string request_id) {
  r.headers["x-amzn-RequestId"] = request_id;
  r.headers["Date"] = format_http_date(services_.clk.now());
  r.request_id = std::move(request_id);
}

}  // namespace glacier::api
