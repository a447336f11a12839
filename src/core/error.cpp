#include "glacier/core/error.hpp"

#include <array>
#include <nlohmann/json.hpp>

namespace glacier {

error_mapping map_error(error_code code) noexcept {
  // No default: the compiler flags any error_code left unmapped.
  switch (code) {
    case error_code::invalid_parameter_value:
      return {400, "InvalidParameterValueException", "Client"};
    case error_code::missing_parameter_value:
      return {400, "MissingParameterValueException", "Client"};
    case error_code::limit_exceeded:
      return {400, "LimitExceededException", "Client"};
    case error_code::policy_enforced:
      return {400, "PolicyEnforcedException", "Client"};
    case error_code::no_longer_supported:
      return {400, "NoLongerSupportedException", "Client"};
    case error_code::resource_not_found:
      return {404, "ResourceNotFoundException", "Client"};
    case error_code::request_timeout:
      return {408, "RequestTimeoutException", "Client"};
    case error_code::service_unavailable:
      return {500, "ServiceUnavailableException", "Server"};
    case error_code::insufficient_capacity:
      // The docs say 503/Server; the model says 400. The spec (Part 1 §9) follows the docs.
      return {503, "InsufficientCapacityException", "Server"};
    case error_code::access_denied:
      return {403, "AccessDeniedException", "Client"};
    case error_code::serialization:
      return {400, "SerializationException", "Client"};
    case error_code::method_not_allowed:
      return {405, "MethodNotAllowedException", "Client"};
    case error_code::request_entity_too_large:
      return {413, "RequestEntityTooLargeException", "Client"};
    case error_code::bad_request:
      return {400, "BadRequest", "Client"};
    case error_code::throttling:
      return {400, "ThrottlingException", "Client"};
    case error_code::invalid_signature:
      return {403, "InvalidSignatureException", "Client"};
    case error_code::missing_authentication_token:
      return {400, "MissingAuthenticationTokenException", "Client"};
    case error_code::unrecognized_client:
      return {400, "UnrecognizedClientException", "Client"};
    case error_code::expired_token:
      return {403, "ExpiredTokenException", "Client"};
    case error_code::incomplete_signature:
      // Not in Glacier's error table; AWS's JSON front end answers it (README says so).
      return {400, "IncompleteSignatureException", "Client"};
  }
  return {500, "ServiceUnavailableException", "Server"};
}

bool parse_error_code(std::string_view name, error_code& out) noexcept {
  constexpr std::array all{
      error_code::invalid_parameter_value,
      error_code::missing_parameter_value,
      error_code::limit_exceeded,
      error_code::policy_enforced,
      error_code::no_longer_supported,
      error_code::resource_not_found,
      error_code::request_timeout,
      error_code::service_unavailable,
      error_code::insufficient_capacity,
      error_code::access_denied,
      error_code::serialization,
      error_code::method_not_allowed,
      error_code::request_entity_too_large,
      error_code::bad_request,
      error_code::throttling,
      error_code::invalid_signature,
      error_code::missing_authentication_token,
      error_code::unrecognized_client,
      error_code::expired_token,
      error_code::incomplete_signature,
  };
  for (auto code : all) {
    if (map_error(code).code == name) {
      out = code;
      return true;
    }
  }
  return false;
}

error_origin default_origin(error_code code) noexcept {
  const bool authentication =
      code == error_code::invalid_signature || code == error_code::missing_authentication_token ||
      code == error_code::unrecognized_client || code == error_code::expired_token ||
      code == error_code::incomplete_signature;
  return authentication ? error_origin::front_end : error_origin::service;
}

std::string error_body(error_code code, std::string_view message, error_origin origin) {
  const auto mapping = map_error(code);
  const bool message_first = origin == error_origin::front_end;
  // An ordered_json keeps Glacier's key order.
  nlohmann::ordered_json body;
  if (message_first) body["message"] = message;
  body["code"] = mapping.code;
  if (!message_first) body["message"] = message;
  body["type"] = mapping.type;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string error_body(error_code code, std::string_view message) {
  return error_body(code, message, default_origin(code));
}

}  // namespace glacier
