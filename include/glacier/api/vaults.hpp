#pragma once

#include <optional>
#include <string>

#include "glacier/api/call.hpp"

namespace glacier::api {

/// PUT /{account}/vaults/{vault}
http::response create_vault(call& c);
/// GET /{account}/vaults/{vault}
http::response describe_vault(call& c);
/// DELETE /{account}/vaults/{vault}
http::response delete_vault(call& c);
/// GET /{account}/vaults
http::response list_vaults(call& c);

/// The `{vault}` of the path, or 404 "Vault not found for ARN" when it is not a valid name
/// (spec Part 1 §8: only CreateVault answers 400 for a bad name).
const std::string& existing_vault_name(const call& c);

/// The `marker` query parameter of a list operation; an empty one is no marker, as AWS lists
/// from the start for `marker=` (README, "Fidelity notes").
std::optional<std::string> marker_parameter(const call& c);

/// What a list operation does with a `limit` above its maximum.
enum class limit_above_max {
  refused,  ///< 400 InvalidParameterValueException, where AWS's answer is not known
  capped,   ///< the maximum is used, as AWS's ListVaults was seen doing
};

/// Parses a `limit` query parameter: a positive decimal integer, at most `max` (a larger one
/// is refused or capped, as `above` says); `fallback` when absent.
std::size_t parse_limit(const call& c, std::size_t max, std::size_t fallback,
                        limit_above_max above = limit_above_max::refused);

}  // namespace glacier::api
