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

/// Parses a `limit` query parameter: a decimal integer in [1, max]; `fallback` when absent.
std::size_t parse_limit(const call& c, std::size_t max, std::size_t fallback);

}  // namespace glacier::api
