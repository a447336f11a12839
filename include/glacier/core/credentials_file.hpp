#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glacier/core/clock.hpp"

namespace glacier {

/// One entry of a credentials file (--credentials): who signs with an access key.
struct credential_entry {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;                ///< 12 digits
  std::string user;                      ///< IAM user name; empty: the account's root
  std::string role;                      ///< IAM role name of an assumed-role session; empty: none
  std::string session_token;             ///< temporary credentials only
  std::optional<time_point> expiration;  ///< when the session token expires (system clock)
};

/// The largest credentials file read: far more than any test needs.
inline constexpr std::size_t max_credentials_file_bytes = 1 << 20;

/// Parses a credentials document: {"credentials": [{"access_key_id": "...",
/// "secret_access_key": "...", "account_id": "123456789012", "user": "alice",
/// "session_token": "...", "expiration": "2030-01-01T00:00:00Z"}]}; `user`, `role`,
/// `session_token` and `expiration` are optional. Throws std::invalid_argument naming the
/// entry and the member that is wrong.
std::vector<credential_entry> parse_credentials(std::string_view json_text);

/// Reads and parses the credentials file at `path`; throws std::invalid_argument.
std::vector<credential_entry> read_credentials_file(const std::string& path);

}  // namespace glacier
