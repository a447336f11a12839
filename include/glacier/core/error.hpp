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
};

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
      : std::runtime_error(std::move(message)), code_(code) {}

  /// The Glacier error this exception stands for.
  error_code code() const noexcept { return code_; }

 private:
  error_code code_;
};

/// The compact JSON body Glacier sends with an error: {"code":..,"message":..,"type":..}.
std::string error_body(error_code code, std::string_view message);

}  // namespace glacier
