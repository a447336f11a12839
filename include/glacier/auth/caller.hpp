#pragma once

#include <string>

namespace glacier::auth {

/// What kind of principal a caller is (aws:PrincipalType).
enum class principal_type { account, user, assumed_role };

/// Who sent a request: the principal the policies are evaluated for and the access log
/// names. A value type; callers from the credentials file are built once at start.
struct caller {
  std::string access_key_id;
  std::string account;    ///< 12 digits
  std::string arn;        ///< arn:aws:iam::<acct>:user/<name>, ...:root, or an sts session ARN
  std::string role_arn;   ///< assumed roles: arn:aws:iam::<acct>:role/<name>; else empty
  std::string user_name;  ///< aws:username; IAM users only
  std::string user_id;    ///< aws:userid
  principal_type type = principal_type::account;
  bool temporary = false;  ///< signed with a session token

  /// aws:PrincipalArn: the role for an assumed-role session, else the caller's own ARN.
  const std::string& principal_arn() const { return role_arn.empty() ? arn : role_arn; }
};

/// The account's root caller: arn:aws:iam::<account>:root.
caller root_caller(std::string access_key_id, const std::string& account);

}  // namespace glacier::auth
