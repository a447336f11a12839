#include "glacier/auth/actions.hpp"

#include <algorithm>
#include <array>

#include "glacier/auth/wildcard.hpp"

namespace glacier::auth {

namespace {

// Which operations carry glacier:ResourceTag follows the Developer Guide's permissions
// table; the Service Authorization Reference lists the key for none of them (open question
// 8 of spec Part 3, README "Access control"). ArchiveAgeInDays: DeleteArchive and
// InitiateJob, as both sources say.
constexpr bool tag = true;
constexpr bool age = true;
constexpr bool vault = true;

}  // namespace

const std::vector<glacier_action>& glacier_actions() {
  static const std::vector<glacier_action> actions = {
      {"AbortMultipartUpload", "glacier:AbortMultipartUpload", vault, false, false},
      {"AbortVaultLock", "glacier:AbortVaultLock", vault, false, false},
      {"AddTagsToVault", "glacier:AddTagsToVault", vault, false, tag},
      {"CompleteMultipartUpload", "glacier:CompleteMultipartUpload", vault, false, tag},
      {"CompleteVaultLock", "glacier:CompleteVaultLock", vault, false, tag},
      {"CreateVault", "glacier:CreateVault", vault, false, false},
      {"DeleteArchive", "glacier:DeleteArchive", vault, age, tag},
      {"DeleteVault", "glacier:DeleteVault", vault, false, tag},
      {"DeleteVaultAccessPolicy", "glacier:DeleteVaultAccessPolicy", vault, false, tag},
      {"DeleteVaultNotifications", "glacier:DeleteVaultNotifications", vault, false, tag},
      {"DescribeJob", "glacier:DescribeJob", vault, false, false},
      {"DescribeVault", "glacier:DescribeVault", vault, false, false},
      {"GetDataRetrievalPolicy", "glacier:GetDataRetrievalPolicy", false, false, false},
      {"GetJobOutput", "glacier:GetJobOutput", vault, false, false},
      {"GetVaultAccessPolicy", "glacier:GetVaultAccessPolicy", vault, false, false},
      {"GetVaultLock", "glacier:GetVaultLock", vault, false, false},
      {"GetVaultNotifications", "glacier:GetVaultNotifications", vault, false, false},
      {"InitiateJob", "glacier:InitiateJob", vault, age, tag},
      {"InitiateMultipartUpload", "glacier:InitiateMultipartUpload", vault, false, tag},
      {"InitiateVaultLock", "glacier:InitiateVaultLock", vault, false, tag},
      {"ListJobs", "glacier:ListJobs", vault, false, false},
      {"ListMultipartUploads", "glacier:ListMultipartUploads", vault, false, false},
      {"ListParts", "glacier:ListParts", vault, false, false},
      {"ListProvisionedCapacity", "glacier:ListProvisionedCapacity", false, false, false},
      {"ListTagsForVault", "glacier:ListTagsForVault", vault, false, false},
      {"ListVaults", "glacier:ListVaults", false, false, false},
      {"PurchaseProvisionedCapacity", "glacier:PurchaseProvisionedCapacity", false, false, false},
      {"RemoveTagsFromVault", "glacier:RemoveTagsFromVault", vault, false, tag},
      {"SetDataRetrievalPolicy", "glacier:SetDataRetrievalPolicy", false, false, false},
      {"SetVaultAccessPolicy", "glacier:SetVaultAccessPolicy", vault, false, tag},
      {"SetVaultNotifications", "glacier:SetVaultNotifications", vault, false, tag},
      {"UploadArchive", "glacier:UploadArchive", vault, false, tag},
      {"UploadMultipartPart", "glacier:UploadMultipartPart", vault, false, tag},
  };
  return actions;
}

std::optional<std::size_t> find_action(std::string_view operation) {
  const auto& actions = glacier_actions();
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (actions[i].operation == operation) return i;
  }
  return std::nullopt;
}

const std::vector<std::string>& lower_action_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& a : glacier_actions()) out.push_back(lower_ascii(a.iam_action));
    return out;
  }();
  return names;
}

bool supported_condition_key(std::string_view lower_key) {
  // The global keys glacier-mock can supply truthfully (README lists their values). A key
  // that only exists for some callers (aws:username, the MFA keys) is still supported:
  // when it does not apply it is absent, as in AWS.
  static constexpr std::array<std::string_view, 14> keys = {archive_age_key,
                                                            "aws:currenttime",
                                                            "aws:epochtime",
                                                            "aws:securetransport",
                                                            "aws:sourceip",
                                                            "aws:principalaccount",
                                                            "aws:principalarn",
                                                            "aws:principaltype",
                                                            "aws:username",
                                                            "aws:userid",
                                                            "aws:requestedregion",
                                                            "aws:useragent",
                                                            "aws:multifactorauthpresent",
                                                            "aws:multifactorauthage"};
  if (std::find(keys.begin(), keys.end(), lower_key) != keys.end()) return true;
  constexpr std::string_view tag_prefix = "glacier:resourcetag/";
  return lower_key.size() > tag_prefix.size() &&
         lower_key.substr(0, tag_prefix.size()) == tag_prefix;
}

std::string resource_arn(const glacier_action& action, std::string_view region,
                         std::string_view account, std::string_view vault_name) {
  std::string arn;
  if (!action.vault_resource && action.operation != "ListVaults") return "*";
  arn.append("arn:aws:glacier:").append(region).append(":").append(account).append(":vaults/");
  if (action.vault_resource) arn.append(vault_name);
  return arn;
}

}  // namespace glacier::auth
