#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "glacier/auth/caller.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/core/config.hpp"

namespace glacier::auth {

/// A declared access key: its secret, its session token, and the caller it signs as.
struct credential {
  std::string secret_access_key;
  std::string session_token;             ///< empty for a long-term key
  std::optional<time_point> expiration;  ///< when the session token expires (system clock)
  auth::caller caller;
};

/// The callers glacier-mock knows (spec Part 1 §1 and §13): the keys of the credentials
/// file, and for any other key the default rules. Built once at start; read-only after.
class caller_directory {
 public:
  explicit caller_directory(const config& cfg);

  /// The declared credential of `access_key_id`, or null.
  const credential* find(std::string_view access_key_id) const;

  /// The caller behind `access_key_id` (empty when the request names none): the declared
  /// one, else a 12-digit key's own account root, else the default account's root.
  caller resolve(std::string_view access_key_id) const;

  /// Whether any credential is declared.
  bool empty() const { return declared_.empty(); }

 private:
  std::string default_account_;
  std::unordered_map<std::string, credential> declared_;
};

/// The caller a credentials-file entry declares: the account's root without `user`,
/// arn:aws:iam::<account>:user/<user> with it, an assumed-role session with `role`.
caller caller_of(const credential_entry& entry);

/// Whether `text` is a 12-digit account id.
bool is_account_id(std::string_view text);

}  // namespace glacier::auth
