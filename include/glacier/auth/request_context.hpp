#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glacier/auth/actions.hpp"
#include "glacier/auth/caller.hpp"
#include "glacier/auth/policy.hpp"
#include "glacier/core/clock.hpp"
#include "glacier/store/model/vault_config.hpp"

namespace glacier::auth {

/// The condition keys of one Glacier request (spec Part 3B.5), computed on demand: most
/// policies test one or two keys, so none is built unless a statement asks for it.
class glacier_request_context final : public condition_context {
 public:
  glacier_request_context(const auth::caller& who, const glacier_action& action)
      : caller_(who), action_(action) {}

  /// The mock clock's now: aws:CurrentTime, aws:EpochTime, glacier:ArchiveAgeInDays.
  time_point now{};
  /// The archive's CreationDate (DeleteArchive, InitiateJob of an archive that exists).
  std::optional<time_point> archive_created;
  /// The vault's tags (glacier:ResourceTag/<key>); null when the vault does not exist.
  const vault_tags* tags = nullptr;
  std::string_view source_ip;     ///< aws:SourceIp; empty when unknown
  std::string_view region;        ///< aws:RequestedRegion
  std::string_view user_agent;    ///< aws:UserAgent; empty when not sent
  bool secure_transport = false;  ///< aws:SecureTransport: glacier-mock speaks plain HTTP

  bool lookup(std::string_view lower_key, std::vector<std::string>& out) const override;

  /// Whole days since `archive_created` on the mock clock, rounded down (spec Part 3 open
  /// question 6; README "Access control"), or nothing when the key does not apply.
  std::optional<long long> archive_age_days() const;

 private:
  const auth::caller& caller_;
  const glacier_action& action_;
};

}  // namespace glacier::auth
