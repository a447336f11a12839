#pragma once

#include <string>

namespace glacier {

/// The (account, region) namespace a request acts in; state is kept per scope, as in AWS.
struct scope {
  std::string account;  ///< 12 digits
  std::string region;   ///< e.g. us-east-1

  /// arn:aws:glacier:<region>:<account>:vaults/<name>
  std::string vault_arn(const std::string& vault_name) const {
    return "arn:aws:glacier:" + region + ":" + account + ":vaults/" + vault_name;
  }

  friend bool operator<(const scope& a, const scope& b) {
    return a.account != b.account ? a.account < b.account : a.region < b.region;
  }
  friend bool operator==(const scope& a, const scope& b) = default;
};

}  // namespace glacier
