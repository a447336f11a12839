#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

#include "glacier/http/message.hpp"

namespace glacier::testing {

/// Asserts `r` is a Glacier JSON error with this status and code whose message contains
/// `message_part` (exactly equals it when `exact`).
inline void expect_error(const http::response& r, unsigned status, const std::string& code,
                         const std::string& message_part, bool exact = false) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(http::header_or_empty(r.headers, "Content-Type"), "application/json");
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.size(), 3u) << r.body;
  EXPECT_EQ(body.value("code", ""), code) << r.body;
  const auto message = body.value("message", "");
  if (exact) {
    EXPECT_EQ(message, message_part);
  } else {
    EXPECT_NE(message.find(message_part), std::string::npos)
        << "message '" << message << "' does not contain '" << message_part << "'";
  }
  EXPECT_TRUE(body.contains("type"));
}

}  // namespace glacier::testing
