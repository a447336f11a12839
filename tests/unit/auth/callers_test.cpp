// Who a request's access key stands for: declared credentials, else spec Part 1 §1.
#include "glacier/auth/callers.hpp"

#include <gtest/gtest.h>

namespace glacier::auth {
namespace {

credential_entry entry(std::string key, std::string account, std::string user = "") {
  credential_entry e;
  e.access_key_id = std::move(key);
  e.secret_access_key = "secret";
  e.account_id = std::move(account);
  e.user = std::move(user);
  return e;
}

TEST(caller_directory, without_credentials_keys_follow_the_default_rules) {
  const caller_directory callers{config{}};
  EXPECT_TRUE(callers.empty());
  const auto own = callers.resolve("210987654321");
  EXPECT_EQ(own.account, "210987654321");
  EXPECT_EQ(own.arn, "arn:aws:iam::210987654321:root");
  EXPECT_EQ(own.type, principal_type::account);
  const auto other = callers.resolve("AKIDEXAMPLE");
  EXPECT_EQ(other.account, "123456789012");
  EXPECT_EQ(other.arn, "arn:aws:iam::123456789012:root");
  EXPECT_EQ(other.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(callers.resolve("").arn, "arn:aws:iam::123456789012:root");
}

TEST(caller_directory, declared_keys_are_their_users_and_others_keep_the_defaults) {
  config cfg;
  cfg.default_account = "999999999999";
  cfg.credentials = {entry("AKIDALICE", "111122223333", "alice"),
                     entry("AKIDROOT", "444455556666")};
  const caller_directory callers{cfg};
  ASSERT_NE(callers.find("AKIDALICE"), nullptr);
  EXPECT_EQ(callers.find("AKIDALICE")->secret_access_key, "secret");
  EXPECT_EQ(callers.find("nobody"), nullptr);
  const auto alice = callers.resolve("AKIDALICE");
  EXPECT_EQ(alice.arn, "arn:aws:iam::111122223333:user/alice");
  EXPECT_EQ(alice.account, "111122223333");
  EXPECT_EQ(alice.user_name, "alice");
  EXPECT_EQ(alice.type, principal_type::user);
  EXPECT_EQ(alice.user_id.substr(0, 4), "AIDA");
  EXPECT_EQ(alice.user_id.size(), 21u);
  EXPECT_EQ(callers.resolve("AKIDROOT").arn, "arn:aws:iam::444455556666:root");
  EXPECT_EQ(callers.resolve("AKIDOTHER").account, "999999999999");
}

TEST(caller_directory, a_role_session_is_an_assumed_role_of_its_account) {
  auto e = entry("ASIAROLE", "111122223333");
  e.role = "auditor";
  e.session_token = "token";
  const auto c = caller_of(e);
  EXPECT_EQ(c.type, principal_type::assumed_role);
  EXPECT_EQ(c.arn, "arn:aws:sts::111122223333:assumed-role/auditor/ASIAROLE");
  EXPECT_EQ(c.principal_arn(), "arn:aws:iam::111122223333:role/auditor");
  EXPECT_TRUE(c.temporary);
  EXPECT_EQ(c.user_id.substr(0, 4), "AROA");
  EXPECT_NE(c.user_id.find(":ASIAROLE"), std::string::npos);
}

}  // namespace
}  // namespace glacier::auth
