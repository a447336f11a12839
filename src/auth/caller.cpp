#include "glacier/auth/caller.hpp"

namespace glacier::auth {

caller root_caller(std::string access_key_id, const std::string& account) {
  caller c;
  c.access_key_id = std::move(access_key_id);
  c.account = account;
  c.arn = "arn:aws:iam::" + account + ":root";
  c.user_id = account;  // aws:userid of the root user is the account id
  c.type = principal_type::account;
  return c;
}

}  // namespace glacier::auth
