#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glacier::auth {

/// One Glacier operation as IAM authorizes it (spec Part 3B.3, 3B.5).
struct glacier_action {
  std::string_view operation;   ///< "DeleteArchive"
  std::string_view iam_action;  ///< "glacier:DeleteArchive"
  bool vault_resource;          ///< the vault's ARN is the resource, so the vault's policies apply
  bool archive_age;             ///< glacier:ArchiveAgeInDays is in the request context
  bool resource_tag;            ///< glacier:ResourceTag/<key> is in the request context
};

/// All 33 operations, in the API reference's order; an operation's index is its action id.
const std::vector<glacier_action>& glacier_actions();

/// The action id of an operation name ("DeleteArchive"), if it is one.
std::optional<std::size_t> find_action(std::string_view operation);

/// The IAM action names in lower case ("glacier:deletearchive"), by action id: what
/// policies are indexed by (parse_options::actions).
const std::vector<std::string>& lower_action_names();

/// Whether glacier-mock supplies the condition key `lower_key` (lower case) to policy
/// evaluation: glacier:ArchiveAgeInDays, glacier:ResourceTag/<key> and the global keys it
/// knows. A policy naming any other key is refused when set, never silently ignored.
bool supported_condition_key(std::string_view lower_key);

/// Lower-case name of the archive-age key, which costs a store lookup to supply.
inline constexpr std::string_view archive_age_key = "glacier:archiveageindays";

/// The resource ARN of a request: the vault's ARN for vault operations, ListVaults'
/// "arn:aws:glacier:<region>:<account>:vaults/" (an empty name, as AWS's messages show),
/// and "*" for the account-level operations, which take no resource (spec Part 3B.3).
std::string resource_arn(const glacier_action& action, std::string_view region,
                         std::string_view account, std::string_view vault);

}  // namespace glacier::auth
