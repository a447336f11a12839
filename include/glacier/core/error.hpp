#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace glacier {

/// Every error glacier-mock can answer with; mapped to HTTP status and JSON in one place.
enum class error_code {
  invalid_parameter_value,
  missing_parameter_value,
  limit_exceeded,
  policy_enforced,
  no_longer_supported,
  resource_not_found,
  request_timeout,
  service_unavailable,
  insufficient_capacity,
  access_denied,
  serialization,
  method_not_allowed,
  request_entity_too_large,
  bad_request,
  throttling,
  invalid_signature,
  missing_authentication_token,
  unrecognized_client,
  expired_token,
  incomplete_signature,
};

/// Which part of AWS answers an error: its authentication and authorization front end
/// writes the JSON message first, the service writes the code first (spec Part 3A.5).
enum class error_origin { service, front_end };

/// The origin of an error_code when nothing else says: the authentication codes come
/// from the front end, everything else from the service.
error_origin default_origin(error_code code) noexcept;

/// The HTTP status, Glacier error code name and type ("Client"/"Server") of an error_code.
struct error_mapping {
  unsigned status;
  std::string_view code;
  std::string_view type;
};

/// The single mapping from error_code to what goes on the wire.
error_mapping map_error(error_code code) noexcept;

/// Parses a Glacier code name ("InvalidParameterValueException") back to an error_code.
bool parse_error_code(std::string_view name, error_code& out) noexcept;

/// The exception every layer above the socket throws for a Glacier-shaped error.
class error : public std::runtime_error {
 public:
  error(error_code code, std::string message)
      : std::runtime_error(std::move(message)), code_(code), origin_(default_origin(code)) {}
  error(error_code code, std::string message, error_origin origin)
      : std::runtime_error(std::move(message)), code_(code), origin_(origin) {}

  /// The Glacier error this exception stands for.
  error_code code() const noexcept { return code_; }
  /// Who answers it, which decides the JSON key order.
  error_origin origin() const noexcept { return origin_; }

 private:
  error_code code_;
  error_origin origin_;
};

/// The compact JSON body Glacier sends with an error: {"code":..,"message":..,"type":..},
/// or message first from the front end.
std::string error_body(error_code code, std::string_view message, error_origin origin);
/// error_body with the code's default origin.
std::string error_body(error_code code, std::string_view message);

}  // namespace glacier
